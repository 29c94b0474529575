using S4AL.Learning.Networks;

namespace S4AL.Learning.Tests.Networks;

public class NetworkFactoryTests
{
    [Theory]
    [InlineData("mbv2", NetworkKind.MobileNetV2)]
    [InlineData("MobileNetV2", NetworkKind.MobileNetV2)]
    [InlineData("resnet50", NetworkKind.ResNet50)]
    [InlineData(" R50 ", NetworkKind.ResNet50)]
    [InlineData("tiny", NetworkKind.Tiny)]
    public void Names_parse_case_insensitively(string name, NetworkKind expected)
    {
        Assert.Equal(expected, NetworkFactory.ParseKind(name));
    }

    [Fact]
    public void Unknown_name_error_lists_the_valid_names()
    {
        var error = Assert.Throws<ArgumentException>(() => NetworkFactory.ParseKind("drn"));
        Assert.Contains("'drn'", error.Message);
        foreach (var valid in new[] { "mbv2", "mobilenetv2", "resnet50", "r50", "tiny" })
            Assert.Contains(valid, error.Message);
        Assert.False(NetworkFactory.TryParseKind(null, out _));
    }

    [Fact]
    public void Create_builds_the_named_kind_with_the_requested_layout()
    {
        using var tiny = NetworkFactory.Create("tiny", 4, new NetworkOptions(ChannelsLast: false));
        Assert.IsType<TinySegNet>(tiny);
        Assert.False(tiny.IsChannelsLast());
        using var tinyNhwc = NetworkFactory.Create(NetworkKind.Tiny, 4, new NetworkOptions(ChannelsLast: true));
        Assert.True(tinyNhwc.IsChannelsLast());
    }

    [Fact]
    public void Class_count_below_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NetworkFactory.Create(NetworkKind.Tiny, 0));
    }
}
