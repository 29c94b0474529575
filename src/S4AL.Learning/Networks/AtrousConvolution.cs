using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace S4AL.Learning.Networks;

/// <summary>
/// Evaluates a "same" atrous convolution (stride 1, zero padding = dilation x (kernel - 1) / 2)
/// the way libtorch runs fastest, with the same result (up to float rounding) and the same
/// gradients for input, weight and bias. The modules stay ordinary <see cref="Conv2d"/>s, so
/// parameter names and PyTorch state dicts are untouched.
/// <list type="bullet">
/// <item>Taps that only ever see padding are dropped. When the dilation is at least the feature
/// map's height (width), every off-centre row (column) of the kernel multiplies zeros, so the
/// conv equals one on the centre row (column) alone; the dropped taps' gradients are exactly
/// zero either way. DeepLabv3 notes that a large rate degenerates the 3x3 filter to 1x1: at
/// 96x128 the ASPP's stride-16 map is 6x8, so its rate-12 and rate-18 branches are 1x1 convs
/// and its rate-6 branch a 1x3 conv, a ninth and a third of the work (forward and backward).</item>
/// <item>Depthwise convs are run as a dilation-1 conv on the dilation^2 interleaved sub-maps
/// stacked in the batch (TensorFlow's space-to-batch atrous conv). libtorch's dilated
/// depthwise backward is a slow path on CPU: for MobileNetV2's 960-channel dilation-2 blocks at
/// 360x480 (a 24x30 map) forward + backward took 92 ms dilated, 36 ms interleaved.</item>
/// </list>
/// Anything else (strided, transposed, non-zero padding modes, other paddings) runs the module as it is.
/// </summary>
public static class AtrousConvolution
{
    /// <summary>The convolution of <paramref name="conv"/> on <paramref name="x"/> [N, C, H, W].</summary>
    public static Tensor Forward(Conv2d conv, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(conv);
        ArgumentNullException.ThrowIfNull(x);
        if (!IsSameAtrous(conv) || x.dim() != 4) return conv.call(x);
        long h = x.shape[2], w = x.shape[3];
        long dh = conv.dilation[0], dw = conv.dilation[1];
        long kh = conv.kernel_size[0], kw = conv.kernel_size[1];
        bool centreRowOnly = kh > 1 && dh >= h, centreColumnOnly = kw > 1 && dw >= w;
        if (centreRowOnly || centreColumnOnly)
        {
            using var scope = NewDisposeScope();
            var weight = (Tensor)conv.weight!;
            if (centreRowOnly) weight = weight.narrow(2, kh / 2, 1);
            if (centreColumnOnly) weight = weight.narrow(3, kw / 2, 1);
            long[] padding = [centreRowOnly ? 0 : conv.padding![0], centreColumnOnly ? 0 : conv.padding![1]];
            long[] dilation = [centreRowOnly ? 1 : dh, centreColumnOnly ? 1 : dw];
            return conv2d(x, weight, conv.bias, [1, 1], padding, dilation, conv.groups).MoveToOuterDisposeScope();
        }
        bool depthwise = conv.groups > 1 && conv.groups == conv.in_channels && conv.groups == conv.out_channels;
        if (depthwise && dh == dw && dh > 1) return Interleaved(conv, x, dh);
        return conv.call(x);
    }

    static bool IsSameAtrous(Conv2d conv) =>
        !conv.transposed && conv.padding_type is null && conv.padding_mode == PaddingModes.Zeros &&
        conv.stride.All(s => s == 1) && conv.dilation.Any(d => d > 1) &&
        conv.kernel_size.All(k => k % 2 == 1) &&
        conv.padding is { Length: 2 } padding &&
        padding[0] == conv.dilation[0] * (conv.kernel_size[0] - 1) / 2 &&
        padding[1] == conv.dilation[1] * (conv.kernel_size[1] - 1) / 2;

    /// <summary>
    /// Output pixel (i, j) = sum over taps (a, b) of w[a, b] x[i + (a - c) d, j + (b - c) d]: with
    /// i = p d + r every tap stays in phase r, so each of the d^2 phases is an ordinary conv with
    /// padding c on its own sub-map. The map is zero-padded to multiples of d first, which is
    /// what the conv's own padding reads there.
    /// </summary>
    static Tensor Interleaved(Conv2d conv, Tensor x, long d)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        long hp = (h + d - 1) / d * d, wp = (w + d - 1) / d * d;
        var padded = hp == h && wp == w ? x : pad(x, [0, wp - w, 0, hp - h]);
        var phases = padded.reshape(n, c, hp / d, d, wp / d, d).permute(0, 3, 5, 1, 2, 4).reshape(n * d * d, c, hp / d, wp / d);
        long[] padding = [(conv.kernel_size[0] - 1) / 2, (conv.kernel_size[1] - 1) / 2];
        var y = conv2d(phases, conv.weight!, conv.bias, [1, 1], padding, [1, 1], conv.groups);
        var merged = y.reshape(n, d, d, c, hp / d, wp / d).permute(0, 3, 4, 1, 5, 2).reshape(n, c, hp, wp);
        var result = hp == h && wp == w ? merged : merged.narrow(2, 0, h).narrow(3, 0, w);
        // Keep the caller's memory format: a channels-last network stays channels-last downstream.
        return (x.IsChannelsLast() && !x.is_contiguous() ? result.ToChannelsLast() : result.contiguous()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Runs <paramref name="modules"/> in order like <see cref="Sequential"/> does, evaluating each
    /// atrous <see cref="Conv2d"/> (also inside nested Sequentials) with <see cref="Forward"/>.
    /// </summary>
    public static Tensor RunSequential(Sequential modules, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(modules);
        using var scope = NewDisposeScope();
        var current = x;
        foreach (var (_, child) in modules.named_children())
        {
            current = child switch
            {
                Conv2d conv => Forward(conv, current),
                Sequential inner when inner.GetType() == typeof(Sequential) => RunSequential(inner, current),
                nn.Module<Tensor, Tensor> m => m.call(current),
                _ => throw new InvalidOperationException($"{child.GetType().Name} in a Sequential is not a Tensor -> Tensor module"),
            };
        }
        return current.MoveToOuterDisposeScope();
    }
}
