namespace S4AL.Learning.Data.Images;

/// <summary>A size in pixels, height first (the order of tensor dimensions).</summary>
public readonly record struct ImageSize
{
    public ImageSize(int height, int width)
    {
        if (height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(height), $"image size {height}x{width} must be positive");
        Height = height;
        Width = width;
    }

    public int Height { get; }
    public int Width { get; }
    public int Pixels => Height * Width;

    public override string ToString() => $"{Height}x{Width}";
}

/// <summary>
/// Decoded pixels of one file: row-major, <see cref="Channels"/> interleaved bytes per pixel
/// (3 for RGB images, 1 for label masks).
/// </summary>
public sealed record ImageRaster(int Height, int Width, int Channels, byte[] Pixels)
{
    public ImageSize Size => new(Height, Width);
}
