using S4AL.Learning.Data.Scenes;

namespace S4AL.Learning.Data.Datasets;

/// <summary>
/// One image of a dataset with its ground truth, kept compact in memory: 8-bit RGB,
/// interleaved (HWC), and one class index per pixel, <see cref="IgnoreIndex"/> for
/// pixels without a class. Tensors are made only when a batch is assembled.
/// </summary>
public sealed class SegmentationImage
{
    public const byte IgnoreIndex = 255;

    public SegmentationImage(string id, int height, int width, byte[] rgb, byte[] label)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(height), $"image '{id}': size {height}x{width} is not positive");
        if (rgb.Length != height * width * 3)
            throw new ArgumentException($"image '{id}': {rgb.Length} RGB bytes, expected {height * width * 3} for {height}x{width}", nameof(rgb));
        if (label.Length != height * width)
            throw new ArgumentException($"image '{id}': {label.Length} label bytes, expected {height * width} for {height}x{width}", nameof(label));
        Id = id;
        Height = height;
        Width = width;
        Rgb = rgb;
        Label = label;
    }

    /// <summary>Stable name of the image within its dataset (file stem or generated id).</summary>
    public string Id { get; }
    public int Height { get; }
    public int Width { get; }
    /// <summary>RGB bytes, row-major, 3 per pixel.</summary>
    public byte[] Rgb { get; }
    /// <summary>Class index per pixel, row-major; 255 = ignore.</summary>
    public byte[] Label { get; }
}
