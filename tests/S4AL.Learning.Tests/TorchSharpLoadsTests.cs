using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests;

/// <summary>
/// Guards the build step that makes libLibTorchSharp.so loadable on Debian 12
/// (build/LibTorchSharpGlibcxx.targets): if it breaks, every TorchSharp call throws.
/// </summary>
public class TorchSharpLoadsTests
{
    [Fact]
    public void Native_library_loads_and_computes_a_matrix_product()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        var b = tensor(new float[] { 5, 6, 7, 8 }, 2, 2);
        var c = matmul(a, b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    [Fact]
    public void Autograd_runs_backward_through_a_convolution()
    {
        using var scope = NewDisposeScope();
        using var conv = nn.Conv2d(3, 4, 3, padding: 1);
        var x = ones(1, 3, 8, 8);
        conv.forward(x).sum().backward();
        Assert.NotNull(conv.weight!.grad);
        Assert.True(conv.weight!.grad!.abs().sum().item<float>() > 0);
    }
}
