using S4AL.Learning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Networks;

public class ForwardTests
{
    [Theory]
    [InlineData(NetworkKind.Tiny, 2, 32, 48, true)]
    [InlineData(NetworkKind.Tiny, 1, 33, 47, false)]
    [InlineData(NetworkKind.MobileNetV2, 2, 32, 48, true)]
    [InlineData(NetworkKind.MobileNetV2, 1, 33, 47, false)]
    [InlineData(NetworkKind.ResNet50, 1, 32, 48, false)]
    public void Logits_have_the_input_size_and_one_channel_per_class(NetworkKind kind, int batch, int height, int width, bool training)
    {
        using var scope = NewDisposeScope();
        using var net = NetworkFactory.Create(kind, 5);
        net.train(training);
        using var noGrad = training ? null : no_grad();
        var logits = net.call(randn(batch, 3, height, width));
        Assert.Equal(new long[] { batch, 5, height, width }, logits.shape);
        Assert.True(logits.is_contiguous());
        Assert.False(logits.isnan().any().item<bool>());
        Assert.Equal(kind, net.Kind);
        Assert.Equal(5, net.NumClasses);
    }

    [Fact]
    public void Deeplab_features_are_at_stride_4_and_16()
    {
        using var scope = NewDisposeScope();
        using var net = new DeepLabV3PlusMobileNetV2(3);
        net.eval();
        using var noGrad = no_grad();
        var (low, high) = net.ExtractFeatures(randn(1, 3, 64, 96));
        Assert.Equal(new long[] { 1, MobileNetV2.LowLevelChannels, 16, 24 }, low.shape);
        Assert.Equal(new long[] { 1, MobileNetV2.HighLevelChannels, 4, 6 }, high.shape);
    }

    [Fact]
    public void Single_image_training_batch_is_refused_like_pytorch_does()
    {
        using var scope = NewDisposeScope();
        using var aspp = new ASPPModule(8, [1, 2], outChannels: 4);
        aspp.train();
        var error = Assert.Throws<ArgumentException>(() => aspp.call(randn(1, 8, 6, 6)));
        Assert.Contains("batch of at least 2", error.Message);
        aspp.eval();
        Assert.Equal(new long[] { 1, 4, 6, 6 }, aspp.call(randn(1, 8, 6, 6)).shape);
    }

    [Fact]
    public void Wrong_input_shape_is_refused_with_the_shape_in_the_message()
    {
        using var scope = NewDisposeScope();
        using var net = new TinySegNet(3);
        var error = Assert.Throws<ArgumentException>(() => net.call(randn(2, 1, 16, 16)));
        Assert.Contains("[2, 1, 16, 16]", error.Message);
    }

    [Fact]
    public void Tiny_net_loss_decreases_on_a_fixed_batch()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var net = new TinySegNet(3);
        net.train();
        // A learnable scene: 8x8 blocks whose class is the channel that is brightest there.
        var blocks = randn(2, 3, 3, 4);
        var x = nn.functional.interpolate(blocks, [24, 32], mode: InterpolationMode.Nearest) + 0.1 * randn(2, 3, 24, 32);
        var y = nn.functional.interpolate(blocks, [24, 32], mode: InterpolationMode.Nearest).argmax(1);
        var optimizer = optim.SGD(net.parameters(), 0.1, momentum: 0.9);
        var lossFn = nn.CrossEntropyLoss();
        var losses = new List<float>();
        for (var step = 0; step < 20; step++) {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = lossFn.call(net.call(x), y);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        Assert.True(losses[^1] < 0.3 * losses[0], $"loss went {string.Join(" -> ", losses.Select(l => l.ToString("F3")))}");
    }

    [Fact]
    public void Inverted_residual_rejects_a_stride_other_than_1_or_2()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InvertedResidual(8, 8, 3, 6));
    }
}
