using S4AL.Learning.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Networks;

public class AtrousConvolutionTests
{
    /// <summary>Output and the gradients of input, weight and bias equal the module's own conv.</summary>
    static void AssertSameAsModule(Conv2d conv, long n, long h, long w)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var x = randn(n, conv.in_channels, h, w);

        (Tensor Y, Tensor Dx, Tensor Dw, Tensor? Db) Run(Func<Tensor, Tensor> f)
        {
            conv.zero_grad();
            var xi = x.clone().requires_grad_(true);
            var y = f(xi);
            // The same upstream gradient for both (seeded), of whatever shape the conv gives.
            manual_seed(11);
            y.mul(randn(y.shape)).sum().backward();
            return (y.detach(), xi.grad!.clone(), conv.weight!.grad!.clone(), conv.bias?.grad?.clone());
        }
        var expected = Run(xi => conv.call(xi));
        var actual = Run(xi => AtrousConvolution.Forward(conv, xi));
        Assert.Equal(expected.Y.shape, actual.Y.shape);
        Assert.True(expected.Y.allclose(actual.Y, rtol: 1e-4, atol: 1e-5), $"output differs by {(expected.Y - actual.Y).abs().max().item<float>()}");
        Assert.True(expected.Dx.allclose(actual.Dx, rtol: 1e-4, atol: 1e-5), $"input gradient differs by {(expected.Dx - actual.Dx).abs().max().item<float>()}");
        Assert.True(expected.Dw.allclose(actual.Dw, rtol: 1e-4, atol: 1e-4), $"weight gradient differs by {(expected.Dw - actual.Dw).abs().max().item<float>()}");
        if (expected.Db is not null) Assert.True(expected.Db.allclose(actual.Db!, rtol: 1e-4, atol: 1e-4), "bias gradient differs");
    }

    [Theory]
    [InlineData(6, 8, 6)]    // ASPP rate 6 at 96x128: only the centre row sees data
    [InlineData(6, 8, 12)]   // rates 12 and 18: a 1x1 conv
    [InlineData(6, 8, 18)]
    [InlineData(23, 30, 18)] // 360x480: no tap is all padding, the module runs as it is
    [InlineData(8, 5, 6)]    // only the centre column
    public void Taps_that_only_see_padding_are_dropped_with_the_same_result(long h, long w, long rate)
    {
        using var conv = nn.Conv2d(5, 4, 3, padding: rate, dilation: rate, bias: true);
        AssertSameAsModule(conv, 2, h, w);
    }

    [Theory]
    [InlineData(6, 8, 2)]
    [InlineData(23, 30, 2)]  // odd height: padded to a multiple of the dilation, then cropped
    [InlineData(7, 9, 3)]
    [InlineData(1, 5, 2)]    // a single row: the centre-row path
    public void Depthwise_atrous_convs_run_interleaved_with_the_same_result(long h, long w, long dilation)
    {
        using var conv = nn.Conv2d(6, 6, 3, padding: dilation, dilation: dilation, groups: 6, bias: false);
        AssertSameAsModule(conv, 3, h, w);
    }

    [Fact]
    public void Other_convs_run_the_module_itself()
    {
        // Strided, not "same" padding, dilation 1: all left to the module.
        using var strided = nn.Conv2d(4, 4, 3, stride: 2, padding: 2, dilation: 2, groups: 4);
        AssertSameAsModule(strided, 1, 9, 9);
        using var valid = nn.Conv2d(4, 4, 3, padding: 0L, dilation: 2);
        using var scope = NewDisposeScope();
        Assert.Equal(new long[] { 1, 4, 5, 5 }, AtrousConvolution.Forward(valid, randn(1, 4, 9, 9)).shape);
    }

    [Fact]
    public void A_network_built_of_atrous_blocks_gives_the_same_logits_as_running_its_modules_plainly()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var block = MobileNetV2.ConvBNReLU(8, 8, dilation: 2, groups: 8);
        block.eval();
        var x = randn(2, 8, 6, 8);
        using (no_grad())
            Assert.True(block.call(x).allclose(AtrousConvolution.RunSequential(block, x), rtol: 1e-4, atol: 1e-5));
    }
}
