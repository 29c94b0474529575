using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Networks;

/// <summary>
/// PyTorch's <c>memory_format=torch.channels_last</c> for TorchSharp, which (0.107) has the enum but
/// no <c>contiguous(memory_format)</c> / <c>to(memory_format)</c>. An NCHW tensor whose memory is
/// laid out NHWC is made the way PyTorch makes it: permute to NHWC, copy, permute back; the shape
/// stays [N,C,H,W] and only the strides change. libtorch's oneDNN convolutions see those strides
/// and run their NHWC kernels, and BatchNorm, ReLU, add, cat, pooling and interpolation keep the
/// layout, so converting the conv weights once is enough for the whole network to run NHWC.
/// </summary>
public static class ChannelsLast
{
    /// <summary>
    /// True when the 4-D tensor is laid out NHWC, judged as PyTorch's
    /// <c>is_contiguous(memory_format=torch.channels_last)</c>: strides of size-1 dimensions do not
    /// count, so e.g. a 1x1-conv weight is both row-major and channels-last.
    /// </summary>
    public static bool IsChannelsLast(this Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dim() != 4) return false;
        var strides = tensor.stride();
        var shape = tensor.shape;
        long expected = 1;
        foreach (var d in (ReadOnlySpan<int>)[1, 3, 2, 0]) {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /// <summary>
    /// A channels-last copy of a 4-D tensor (the tensor itself, aliased, when it already is one).
    /// Other ranks are returned aliased unchanged, as PyTorch does for <c>channels_last</c>-less ranks.
    /// </summary>
    public static Tensor ToChannelsLast(this Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dim() != 4 || tensor.IsChannelsLast()) return tensor.alias();
        using var nhwc = tensor.permute(0, 2, 3, 1);
        using var packed = nhwc.contiguous();
        return packed.permute(0, 3, 1, 2);
    }

    /// <summary>
    /// Re-lays every 4-D parameter and buffer of the module (the conv weights) out channels-last,
    /// in place, like PyTorch's <c>model.to(memory_format=torch.channels_last)</c>. The Parameter
    /// objects stay the same, so an optimizer or EMA teacher built before still points at them;
    /// later <c>copy_</c>s into them (state-dict loads, EMA updates) keep the layout.
    /// </summary>
    public static T ToChannelsLast<T>(this T module) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(module);
        Relayout(module, toChannelsLast: true);
        return module;
    }

    /// <summary>Undoes <see cref="ToChannelsLast{T}(T)"/>: every 4-D parameter and buffer back to row-major.</summary>
    public static T ToContiguousFormat<T>(this T module) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(module);
        Relayout(module, toChannelsLast: false);
        return module;
    }

    /// <summary>True when every 4-D parameter of the module is laid out channels-last.</summary>
    public static bool IsChannelsLast(this nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var weights = module.parameters().Where(p => p.dim() == 4).ToList();
        return weights.Count > 0 && weights.All(p => p.IsChannelsLast());
    }

    private static void Relayout(nn.Module module, bool toChannelsLast)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var tensors = module.parameters().Cast<Tensor>().Concat(module.buffers()).Where(t => t.dim() == 4);
        foreach (var tensor in tensors) {
            if (toChannelsLast ? tensor.IsChannelsLast() : tensor.is_contiguous()) continue;
            var relaid = toChannelsLast ? tensor.ToChannelsLast() : tensor.contiguous();
            // set_ swaps the storage and strides under the same tensor object (PyTorch's param.data = ...);
            // a gradient already allocated keeps the old layout, which autograd accepts.
            tensor.set_(relaid);
        }
    }
}
