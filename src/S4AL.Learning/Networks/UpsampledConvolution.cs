using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace S4AL.Learning.Networks;

/// <summary>
/// Evaluates conv(cat([upsample(coarse), fine], 1)), the DeepLabv3+ head's 3x3 conv on the
/// bilinearly upsampled (align_corners = true) ASPP features next to the projected low-level
/// features, without convolving the upsampled map at full resolution. Same result up to float
/// rounding, same gradients for both inputs and the weight; the module stays an ordinary
/// <see cref="Conv2d"/>, so parameter names and PyTorch state dicts are untouched.
/// <para>
/// Why it is exact: bilinear upsampling is a separable linear map, U_h x U_w, and a "same"
/// k x k conv is a sum over taps (a, b) of a channel mix W_ab applied to the map shifted by
/// (a - c, b - c) with zero fill. Shifting the upsampled map is upsampling with shifted rows of
/// U (rows that fall outside are zero, exactly the conv's padding), so
/// conv(U_h A U_w^T) = sum_ab (S_a U_h) (W_ab A) (S_b U_w)^T: the channel mixing runs on the
/// coarse map (a 1x1 conv to k^2 x out channels), and two small matrix products place the
/// result. With the ASPP at stride 16 and the head at stride 4, the mixing sees 16 times fewer
/// pixels; in the DeepLabv3+ head it is 256 of the conv's 304 input channels, which made that
/// one conv most of a MobileNetV2 DeepLabv3+ pass.
/// </para>
/// Anything else (strided, dilated, grouped, transposed, other paddings) or a case where the
/// rewrite would do more arithmetic runs the plain upsample, concatenation and conv.
/// </summary>
public static class UpsampledConvolution
{
    /// <summary>
    /// conv(cat([interpolate(coarse, fine's size, bilinear, align_corners = true), fine], 1)) for
    /// <paramref name="conv"/> whose input channels are coarse's followed by fine's.
    /// </summary>
    public static Tensor Forward(Conv2d conv, Tensor coarse, Tensor fine)
    {
        ArgumentNullException.ThrowIfNull(conv);
        ArgumentNullException.ThrowIfNull(coarse);
        ArgumentNullException.ThrowIfNull(fine);
        if (coarse.dim() != 4 || fine.dim() != 4 || coarse.shape[0] != fine.shape[0])
            throw new ArgumentException($"coarse [{string.Join(",", coarse.shape)}] and fine [{string.Join(",", fine.shape)}] must be [N,C,H,W] with the same N");
        long coarseChannels = coarse.shape[1], fineChannels = fine.shape[1];
        if (conv.in_channels != coarseChannels + fineChannels)
            throw new ArgumentException($"the conv takes {conv.in_channels} channels, coarse and fine have {coarseChannels} + {fineChannels}");
        long h = coarse.shape[2], w = coarse.shape[3], height = fine.shape[2], width = fine.shape[3];
        if (!IsRewritable(conv) || !Pays(conv.kernel_size[0], coarseChannels, h, w, height, width)) return Plain(conv, coarse, fine);

        using var scope = NewDisposeScope();
        long k = conv.kernel_size[0], outChannels = conv.out_channels, n = coarse.shape[0];
        var weight = (Tensor)conv.weight!;
        // [O, Ic, k, k] -> [k (a), k (b), O, Ic] -> one 1x1 conv whose outputs are ordered (a, b, o).
        var mixWeight = weight.narrow(1, 0, coarseChannels).permute(2, 3, 0, 1).reshape(k * k * outChannels, coarseChannels, 1, 1);
        var mixed = conv2d(coarse, mixWeight).contiguous().view(n, k, k, outChannels, h, w);
        var (rows, columns) = ShiftedInterpolation(k, h, w, height, width, coarse.device);
        // Width: T[n, a, o, p, j] = sum over (b, q) of mixed[n, a, b, o, p, q] * columns[(b, q), j].
        var alongWidth = mixed.permute(0, 1, 3, 4, 2, 5).reshape(n * k * outChannels * h, k * w).matmul(columns)
            .view(n, k, outChannels, h, width);
        // Height: Z[n, o, i, j] = sum over (a, p) of rows[i, (a, p)] * T[n, a, o, p, j].
        var upsampledPart = rows.matmul(alongWidth.permute(0, 2, 1, 3, 4).reshape(n, outChannels, k * h, width));
        var finePart = conv2d(fine, weight.narrow(1, coarseChannels, fineChannels), conv.bias, [1, 1], [k / 2, k / 2]);
        return upsampledPart.add_(finePart).MoveToOuterDisposeScope();
    }

    /// <summary>The plain evaluation, for the cases the rewrite does not cover and for tests.</summary>
    public static Tensor Plain(Conv2d conv, Tensor coarse, Tensor fine)
    {
        using var scope = NewDisposeScope();
        var upsampled = interpolate(coarse, [fine.shape[2], fine.shape[3]], mode: InterpolationMode.Bilinear, align_corners: true);
        return conv.call(cat([upsampled, fine], 1)).MoveToOuterDisposeScope();
    }

    static bool IsRewritable(Conv2d conv) =>
        !conv.transposed && conv.padding_type is null && conv.padding_mode == PaddingModes.Zeros && conv.groups == 1 &&
        conv.stride.All(s => s == 1) && conv.dilation.All(d => d == 1) &&
        conv.kernel_size is { Length: 2 } kernel && kernel[0] == kernel[1] && kernel[0] % 2 == 1 &&
        conv.padding is { Length: 2 } padding && padding[0] == kernel[0] / 2 && padding[1] == kernel[1] / 2;

    /// <summary>Whether the rewrite does fewer multiply-adds (per image and output channel) for the coarse channels.</summary>
    public static bool Pays(long k, long coarseChannels, long h, long w, long height, long width)
    {
        double plain = (double)k * k * coarseChannels * height * width;
        double rewritten = (double)k * k * coarseChannels * h * w  // channel mixing on the coarse map
            + (double)k * h * width * k * w                         // the width product
            + (double)height * width * k * h;                       // the height product
        return rewritten < plain;
    }

    /// <summary>
    /// The interpolation matrices with every tap's shift folded in: rows [height, k * h], row i,
    /// block a holding U_h's row i + a - k/2 (zero outside); columns [k * w, width], block b
    /// holding U_w's row j + b - k/2 transposed. Built on the device from index arithmetic,
    /// with PyTorch's align_corners source index (scale (in - 1) / (out - 1), in float).
    /// </summary>
    static (Tensor Rows, Tensor Columns) ShiftedInterpolation(long k, long h, long w, long height, long width, Device device)
    {
        using var scope = NewDisposeScope();
        var rows = Shifted(Interpolation(height, h, device), k).permute(1, 0, 2).reshape(height, k * h);
        var columns = Shifted(Interpolation(width, w, device), k).permute(0, 2, 1).reshape(k * w, width);
        return (rows.MoveToOuterDisposeScope(), columns.MoveToOuterDisposeScope());
    }

    /// <summary>U [outSize, inSize]: row i holds the bilinear weights of output i (align_corners = true).</summary>
    static Tensor Interpolation(long outSize, long inSize, Device device)
    {
        using var scope = NewDisposeScope();
        float scale = outSize > 1 ? (float)(inSize - 1) / (outSize - 1) : 0f;
        var source = arange(outSize, ScalarType.Float32, device).mul_(scale);
        var lower = source.floor().clamp_max(inSize - 1);
        var lambda = source.sub(lower).clamp_(0, 1);
        var lowerIndex = lower.to(ScalarType.Int64);
        var upperIndex = lowerIndex.add(1).clamp_max(inSize - 1);
        var matrix = zeros([outSize, inSize], ScalarType.Float32, device);
        matrix.scatter_add_(1, lowerIndex.unsqueeze(1), ones_like(lambda).sub_(lambda).unsqueeze(1));
        matrix.scatter_add_(1, upperIndex.unsqueeze(1), lambda.unsqueeze(1));
        return matrix.MoveToOuterDisposeScope();
    }

    /// <summary>[k, outSize, inSize]: slice a holds U's rows shifted by a - k/2, zero where that leaves U.</summary>
    static Tensor Shifted(Tensor matrix, long k)
    {
        using var scope = NewDisposeScope();
        long outSize = matrix.shape[0];
        var padded = pad(matrix, [0, 0, k / 2, k / 2]);
        var slices = Enumerable.Range(0, (int)k).Select(a => padded.narrow(0, a, outSize)).ToArray();
        return stack(slices).MoveToOuterDisposeScope();
    }
}
