using S4AL.Learning.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Networks;

public class UpsampledConvolutionTests
{
    /// <summary>
    /// Output and the gradients of both inputs, the weight and the bias equal upsampling,
    /// concatenating and running the module.
    /// </summary>
    static void AssertSameAsPlain(Conv2d conv, long coarseChannels, long n, long h, long w, long height, long width)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var coarse = randn(n, coarseChannels, h, w);
        var fine = randn(n, conv.in_channels - coarseChannels, height, width);

        (Tensor Y, Tensor Dc, Tensor Df, Tensor Dw, Tensor? Db) Run(Func<Tensor, Tensor, Tensor> f)
        {
            conv.zero_grad();
            var c = coarse.clone().requires_grad_(true);
            var fi = fine.clone().requires_grad_(true);
            var y = f(c, fi);
            manual_seed(11);
            y.mul(randn(y.shape)).sum().backward();
            return (y.detach(), c.grad!.clone(), fi.grad!.clone(), conv.weight!.grad!.clone(), conv.bias?.grad?.clone());
        }
        var expected = Run((c, fi) => UpsampledConvolution.Plain(conv, c, fi));
        var actual = Run((c, fi) => UpsampledConvolution.Forward(conv, c, fi));
        static string Diff(Tensor a, Tensor b) => $"{(a - b).abs().max().item<float>()}";
        Assert.Equal(expected.Y.shape, actual.Y.shape);
        Assert.True(expected.Y.allclose(actual.Y, rtol: 1e-4, atol: 1e-4), $"output differs by {Diff(expected.Y, actual.Y)}");
        Assert.True(expected.Dc.allclose(actual.Dc, rtol: 1e-4, atol: 1e-3), $"coarse gradient differs by {Diff(expected.Dc, actual.Dc)}");
        Assert.True(expected.Df.allclose(actual.Df, rtol: 1e-4, atol: 1e-4), $"fine gradient differs by {Diff(expected.Df, actual.Df)}");
        Assert.True(expected.Dw.allclose(actual.Dw, rtol: 1e-4, atol: 1e-3), $"weight gradient differs by {Diff(expected.Dw, actual.Dw)}");
        if (expected.Db is not null) Assert.True(expected.Db.allclose(actual.Db!, rtol: 1e-4, atol: 1e-3), $"bias gradient differs by {Diff(expected.Db, actual.Db!)}");
    }

    [Theory]
    [InlineData(6, 8, 24, 32, 3)]    // the head at 96x128: ASPP map 6x8, low-level map 24x32
    [InlineData(3, 4, 9, 12, 3)]     // 48x64 inputs (stride 16 vs stride 4 of 45x60 rounded up)
    [InlineData(5, 7, 18, 27, 3)]    // odd sizes: fractional source positions everywhere
    [InlineData(1, 1, 4, 6, 3)]      // a 1x1 coarse map: upsampling copies it
    [InlineData(2, 3, 9, 11, 5)]     // a 5x5 kernel: two rows and columns of padding
    public void The_rewritten_conv_equals_upsampling_then_convolving(long h, long w, long height, long width, long k)
    {
        using var conv = nn.Conv2d(6 + 3, 5, k, padding: k / 2, bias: true);
        AssertSameAsPlain(conv, 6, 2, h, w, height, width);
    }

    [Fact]
    public void The_head_conv_without_bias_equals_the_plain_evaluation()
    {
        using var conv = nn.Conv2d(16 + 4, 8, 3, padding: 1, bias: false);
        AssertSameAsPlain(conv, 16, 3, 6, 8, 24, 32);
    }

    [Fact]
    public void Convs_the_rewrite_does_not_cover_run_plainly_with_the_same_result()
    {
        // Strided, dilated and grouped convs and upsampling that does not pay take the plain path.
        using var strided = nn.Conv2d(6, 4, 3, stride: 2, padding: 1);
        AssertSameAsPlain(strided, 4, 1, 3, 3, 8, 8);
        using var dilated = nn.Conv2d(6, 4, 3, padding: 2, dilation: 2);
        AssertSameAsPlain(dilated, 4, 1, 3, 3, 8, 8);
        using var grouped = nn.Conv2d(6, 4, 3, padding: 1, groups: 2);
        AssertSameAsPlain(grouped, 4, 1, 3, 3, 8, 8);
        using var same = nn.Conv2d(6, 4, 3, padding: 1);
        AssertSameAsPlain(same, 4, 1, 8, 8, 8, 8);
    }

    [Fact]
    public void The_DeepLabV3Plus_head_gives_the_logits_and_gradients_of_upsampling_then_classifying()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var classifier = DeepLabV3PlusHead.Classifier(11);
        classifier.train();
        var featAspp = randn(2, DeepLabV3PlusHead.HeadChannels, 6, 8);
        var projected = randn(2, DeepLabV3PlusHead.LowLevelProjectionChannels, 24, 32);
        (Tensor Logits, Tensor Grad) Run(Func<Tensor, Tensor> head)
        {
            classifier.zero_grad();
            var a = featAspp.clone().requires_grad_(true);
            var logits = head(a);
            manual_seed(13);
            logits.mul(randn(logits.shape)).sum().backward();
            return (logits.detach(), a.grad!.clone());
        }
        var plain = Run(a => classifier.call(cat([nn.functional.interpolate(a, [24, 32], mode: InterpolationMode.Bilinear, align_corners: true), projected], 1)));
        var plainWeightGrad = classifier.parameters().First().grad!.clone();
        var rewritten = Run(a => DeepLabV3PlusHead.Classify(classifier, a, projected));
        Assert.True(plain.Logits.allclose(rewritten.Logits, rtol: 1e-4, atol: 1e-4), $"logits differ by {(plain.Logits - rewritten.Logits).abs().max().item<float>()}");
        Assert.True(plain.Grad.allclose(rewritten.Grad, rtol: 1e-3, atol: 1e-4), $"ASPP gradient differs by {(plain.Grad - rewritten.Grad).abs().max().item<float>()}");
        Assert.True(plainWeightGrad.allclose(classifier.parameters().First().grad!, rtol: 1e-3, atol: 1e-3), "the 3x3 conv's weight gradient differs");
    }

    [Theory]
    [InlineData(6, 8, 24, 32, true)]     // stride 16 -> 4: 16 times fewer pixels to mix
    [InlineData(23, 30, 90, 120, true)]  // 360x480
    [InlineData(8, 8, 8, 8, false)]      // no upsampling: the products only add work
    public void The_rewrite_is_chosen_when_it_does_less_arithmetic(long h, long w, long height, long width, bool expected) =>
        Assert.Equal(expected, UpsampledConvolution.Pays(3, 256, h, w, height, width));

    [Fact]
    public void Inputs_that_do_not_fit_the_conv_are_named_in_the_error()
    {
        using var scope = NewDisposeScope();
        using var conv = nn.Conv2d(10, 4, 3, padding: 1);
        var error = Assert.Throws<ArgumentException>(() => UpsampledConvolution.Forward(conv, randn(1, 6, 2, 2), randn(1, 3, 8, 8)));
        Assert.Contains("10 channels", error.Message);
        Assert.Contains("6 + 3", error.Message);
    }
}
