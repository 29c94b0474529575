using S4AL.Learning.Data.Batches;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Scenes;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace S4AL.Learning.Pretraining;

/// <summary>
/// Turns Fashion-MNIST items into classifier input: the 28x28 grayscale items, held once on the
/// device as bytes, are gathered per batch, resized bilinearly to the input size, optionally
/// flipped and coloured, and normalized with the ImageNet mean and standard deviation (what the
/// backbones expect, see <see cref="BatchBuilder.ImageNetMean"/>). Everything after the gather
/// runs on batched tensors.
/// </summary>
/// <remarks>
/// Colouring mimics how <see cref="FashionMnistSceneDataset"/> pastes items: an item's intensity
/// blends a random item colour (times a random brightness) over a random, dark-to-mid background
/// with a smooth low-frequency texture, plus a little sensor noise. Without it the filters would
/// only ever have seen gray images with black backgrounds.
/// </remarks>
public sealed class FashionMnistImageBatcher : IDisposable
{
    // Ranges of the colouring; items stay visible against the background in nearly every draw.
    const float ItemColourLow = 0.3f, ItemColourHigh = 1f;
    const float BrightnessLow = 0.6f, BrightnessHigh = 1.3f;
    const float BackgroundHigh = 0.4f;
    const float TextureAmplitude = 0.2f;
    const int TextureCells = 4;
    const float MaxNoiseSigma = 0.04f;

    readonly Tensor _pixels;
    readonly Tensor _labels;
    readonly Tensor _mean;
    readonly Tensor _std;
    bool _disposed;

    /// <param name="items">The split to draw from.</param>
    /// <param name="imageSize">Side of the square output images.</param>
    /// <param name="device">Where the items are held and the batches made.</param>
    public FashionMnistImageBatcher(FashionMnist items, int imageSize, Device device)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(device);
        if (imageSize < 1) throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "The image size must be positive.");
        Count = items.Count;
        ImageSize = imageSize;
        Device = device;

        int rows = items.Rows, columns = items.Columns, area = rows * columns;
        var pixels = new byte[(long)Count * area];
        var labels = new long[Count];
        for (int i = 0; i < Count; i++) {
            items.Item(i).CopyTo(pixels.AsSpan(i * area, area));
            labels[i] = items.Labels[i];
        }
        _pixels = tensor(pixels, [Count, rows, columns], device: device).DetachFromDisposeScope();
        _labels = tensor(labels, [Count], device: device).DetachFromDisposeScope();
        _mean = tensor(BatchBuilder.ImageNetMean.ToArray(), [1, 3, 1, 1], device: device).DetachFromDisposeScope();
        _std = tensor(BatchBuilder.ImageNetStd.ToArray(), [1, 3, 1, 1], device: device).DetachFromDisposeScope();
    }

    /// <summary>Number of items.</summary>
    public int Count { get; }

    /// <summary>Side of the output images.</summary>
    public int ImageSize { get; }

    /// <summary>Where the batches are made.</summary>
    public Device Device { get; }

    /// <summary>
    /// The items at <paramref name="indices"/> as normalized images [B,3,S,S] (float32) and their
    /// labels [B] (int64), both in the caller's dispose scope.
    /// </summary>
    /// <param name="indices">Item indices, in batch order (repeats allowed).</param>
    /// <param name="generator">Draws the flips and colours; a generator seeded the same way gives the same batch.</param>
    /// <param name="colour">Colour the items (see the remarks of the class); false repeats the gray channel.</param>
    /// <param name="flip">Mirror each image left-right with probability 1/2.</param>
    public (Tensor Images, Tensor Labels) Build(IReadOnlyList<int> indices, Generator generator, bool colour, bool flip)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(generator);
        if (indices.Count == 0) throw new ArgumentException("A batch needs at least one item index.", nameof(indices));
        var picked = new long[indices.Count];
        for (int k = 0; k < picked.Length; k++) {
            if ((uint)indices[k] >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Item {indices[k]} is outside the {Count} Fashion-MNIST items.");
            picked[k] = indices[k];
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long b = picked.Length, s = ImageSize;
        var index = tensor(picked, device: Device);
        var gray = _pixels.index_select(0, index).to_type(float32).div_(255).unsqueeze(1);
        if (gray.shape[2] != s || gray.shape[3] != s)
            gray = interpolate(gray, [s, s], mode: InterpolationMode.Bilinear, align_corners: false);
        if (flip) {
            var mirror = rand([b, 1, 1, 1], device: Device, generator: generator).lt(0.5);
            gray = where(mirror, gray.flip(3), gray);
        }

        Tensor rgb;
        if (colour) {
            var item = Uniform([b, 3, 1, 1], ItemColourLow, ItemColourHigh, generator)
                .mul_(Uniform([b, 1, 1, 1], BrightnessLow, BrightnessHigh, generator));
            var cells = Uniform([b, 3, TextureCells, TextureCells], -TextureAmplitude / 2, TextureAmplitude / 2, generator);
            var background = interpolate(cells, [s, s], mode: InterpolationMode.Bilinear, align_corners: false)
                .add_(Uniform([b, 3, 1, 1], 0, BackgroundHigh, generator));
            rgb = background.add(item.sub(background).mul_(gray));
            var sigma = Uniform([b, 1, 1, 1], 0, MaxNoiseSigma, generator);
            rgb.add_(randn([b, 3, s, s], device: Device, generator: generator).mul_(sigma)).clamp_(0, 1);
        } else {
            rgb = gray.expand(b, 3, s, s);
        }
        var images = (rgb - _mean).div_(_std);
        var labels = _labels.index_select(0, index);
        return (images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    Tensor Uniform(long[] shape, float low, float high, Generator generator)
    {
        return rand(shape, device: Device, generator: generator).mul_(high - low).add_(low);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _pixels.Dispose();
        _labels.Dispose();
        _mean.Dispose();
        _std.Dispose();
    }
}
