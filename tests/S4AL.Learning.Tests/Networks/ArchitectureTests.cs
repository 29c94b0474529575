using S4AL.Learning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Networks;

/// <summary>
/// Our DeepLab networks against the module trees of the authors' PyTorch code and torchvision,
/// via the name/shape lists in Fixtures/ (see Fixtures/generate.py).
/// </summary>
public class ArchitectureTests
{
    public static TheoryData<NetworkKind, string> DeepLabs => new()
    {
        { NetworkKind.MobileNetV2, "deeplabv3plus_mbv2_11cls" },
        { NetworkKind.ResNet50, "deeplabv3plus_r50_11cls" },
    };

    [Theory]
    [MemberData(nameof(DeepLabs))]
    public void State_dict_keys_and_shapes_equal_the_authors(NetworkKind kind, string fixture)
    {
        using var net = NetworkFactory.Create(kind, 11, new NetworkOptions(ChannelsLast: false));
        var expected = Fixture.StateDict(fixture);
        var actual = net.state_dict().Select(kv => (kv.Key, Fixture.Shape(kv.Value))).ToList();

        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), actual.OrderBy(e => e.Key, StringComparer.Ordinal));
        // TorchSharp lists all parameters before all buffers; among parameters the order is PyTorch's.
        Assert.Equal(expected.Where(e => !Fixture.IsBuffer(e.Key)).Select(e => e.Key), net.named_parameters().Select(p => p.name));
    }

    [Theory]
    [MemberData(nameof(DeepLabs))]
    public void Convolutions_have_the_authors_strides_paddings_dilations_and_groups(NetworkKind kind, string fixture)
    {
        // Keys cannot see dilation or stride; this is where output stride 16 is checked.
        using var net = NetworkFactory.Create(kind, 11, new NetworkOptions(ChannelsLast: false));
        // Sorted: TorchSharp's Sequential lists its children before their descendants, PyTorch depth-first.
        Assert.Equal(Fixture.Convs(fixture).Order(StringComparer.Ordinal), Fixture.ConvsOf(net).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(NetworkKind.MobileNetV2, "torchvision_mobilenet_v2", "deeplabv3plus_mbv2_11cls", "network.")]
    [InlineData(NetworkKind.ResNet50, "torchvision_resnet50", "deeplabv3plus_r50_11cls", "resnet_")]
    public void Torchvision_imagenet_keys_map_onto_the_whole_backbone_with_equal_shapes(
        NetworkKind kind, string torchvisionFixture, string deeplabFixture, string backbonePrefix)
    {
        var ours = Fixture.StateDict(deeplabFixture).ToDictionary(e => e.Key, e => e.Shape);
        var torchvision = Fixture.StateDict(torchvisionFixture);
        var mapped = new HashSet<string>();
        var skipped = new List<string>();
        foreach (var (key, shape) in torchvision) {
            var mapping = kind == NetworkKind.MobileNetV2
                ? DeepLabV3PlusMobileNetV2.MapTorchvisionKey(key)
                : DeepLabV3PlusResNet50.MapTorchvisionKey(key);
            if (mapping.Skip) { skipped.Add(key); continue; }
            Assert.NotNull(mapping.TargetKey);
            Assert.True(ours.TryGetValue(mapping.TargetKey!, out var ourShape), $"{key} maps to unknown {mapping.TargetKey}");
            Assert.Equal(shape, ourShape);
            Assert.True(mapped.Add(mapping.TargetKey!));
        }
        Assert.Equal(ours.Keys.Where(k => k.StartsWith(backbonePrefix, StringComparison.Ordinal)).Order(), mapped.Order());
        // Only the ImageNet classifier (and MobileNetV2's 1280-channel conv the authors drop) is skipped.
        Assert.All(skipped, k => Assert.Matches(@"^(classifier\.|fc\.|features\.18\.)", k));
        Assert.NotEmpty(skipped);
    }

    [Fact]
    public void Tiny_net_has_a_few_thousand_parameters()
    {
        using var net = new TinySegNet(11);
        var count = net.parameters().Sum(p => p.numel());
        Assert.InRange(count, 1_000, 10_000);
    }
}
