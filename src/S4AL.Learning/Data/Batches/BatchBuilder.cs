using TorchSharp;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Regions;
using S4AL.Learning.Data.Scenes;
using static TorchSharp.torch;

namespace S4AL.Learning.Data.Batches;

/// <summary>
/// Assembles <see cref="SegmentationBatch"/>es from a dataset: ImageNet-normalized float
/// images and labels that reveal only the annotated pixels of a <see cref="LabeledRegionSet"/>.
/// Pixels are converted in managed arrays (in parallel over images) and each tensor is
/// created once per batch, so there are no per-pixel tensor operations.
/// </summary>
public static class BatchBuilder
{
    /// <summary>ImageNet channel means (RGB, for pixels in [0,1]); the pretrained backbones expect them.</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = [0.485f, 0.456f, 0.406f];
    /// <summary>ImageNet channel standard deviations (RGB).</summary>
    public static IReadOnlyList<float> ImageNetStd { get; } = [0.229f, 0.224f, 0.225f];

    // normalized value of byte v in channel c = Normalized[c * 256 + v]
    static readonly float[] Normalized = BuildTable();

    /// <summary>
    /// Builds a batch of the images at <paramref name="indices"/>.
    /// </summary>
    /// <param name="dataset">The split to read.</param>
    /// <param name="indices">Dataset indices, in batch order (repeats allowed).</param>
    /// <param name="labeled">Which pixels are annotated; null reveals every pixel (a fully labeled split).
    /// Its image count and grid size must match the dataset.</param>
    /// <param name="device">Where the tensors are created.</param>
    /// <param name="cancellation">Checked between images, so a prefetcher can stop mid-batch.</param>
    public static SegmentationBatch Build(ISegmentationDataset dataset, IReadOnlyList<int> indices, LabeledRegionSet? labeled, Device device,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0) throw new ArgumentException("a batch needs at least one image index", nameof(indices));
        foreach (var i in indices)
            if ((uint)i >= (uint)dataset.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"image {i} is outside dataset {dataset.Name} of {dataset.Count} images");
        if (labeled != null)
        {
            if (labeled.ImageCount != dataset.Count)
                throw new ArgumentException($"the labeled set covers {labeled.ImageCount} images but dataset {dataset.Name} has {dataset.Count}", nameof(labeled));
            if (labeled.Grid.Height != dataset.Height || labeled.Grid.Width != dataset.Width)
                throw new ArgumentException($"the labeled set's region grid is for {labeled.Grid.Height}x{labeled.Grid.Width} images but dataset {dataset.Name} has {dataset.Height}x{dataset.Width}", nameof(labeled));
        }

        int b = indices.Count, h = dataset.Height, w = dataset.Width, hw = h * w;
        var images = new float[b * 3 * hw];
        var labels = new long[b * hw];
        var annotated = new bool[b * hw];
        Parallels.For(b, cancellation, k =>
        {
            var image = dataset.Get(indices[k]);
            if (image.Height != h || image.Width != w)
                throw new InvalidDataException($"image {indices[k]} ('{image.Id}') of dataset {dataset.Name} is {image.Height}x{image.Width}, not the dataset's {h}x{w}");
            var rgb = image.Rgb;
            var planes = images.AsSpan(k * 3 * hw, 3 * hw);
            for (int p = 0; p < hw; p++)
            {
                planes[p] = Normalized[rgb[3 * p]];
                planes[hw + p] = Normalized[256 + rgb[3 * p + 1]];
                planes[2 * hw + p] = Normalized[512 + rgb[3 * p + 2]];
            }
            var label = image.Label;
            var labelSpan = labels.AsSpan(k * hw, hw);
            var annotatedSpan = annotated.AsSpan(k * hw, hw);
            if (labeled == null)
            {
                for (int p = 0; p < hw; p++) labelSpan[p] = label[p];
                annotatedSpan.Fill(true);
            }
            else
            {
                var mask = labeled.PixelMask(indices[k]);
                for (int p = 0; p < hw; p++) labelSpan[p] = mask[p] ? label[p] : SegmentationImage.IgnoreIndex;
                mask.CopyTo(annotatedSpan);
            }
        });
        cancellation.ThrowIfCancellationRequested();

        var imageTensor = torch.tensor(images, [b, 3, h, w], device: device);
        var labelTensor = torch.tensor(labels, [b, h, w], device: device);
        var annotatedTensor = torch.tensor(annotated, [b, h, w], device: device);
        return new SegmentationBatch(imageTensor, labelTensor, annotatedTensor, indices.ToArray());
    }

    static float[] BuildTable()
    {
        var table = new float[3 * 256];
        for (int c = 0; c < 3; c++)
            for (int v = 0; v < 256; v++)
                table[c * 256 + v] = (v / 255f - ImageNetMean[c]) / ImageNetStd[c];
        return table;
    }
}
