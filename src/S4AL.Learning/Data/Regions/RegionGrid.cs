namespace S4AL.Learning.Data.Regions;

/// <summary>
/// The grid of square-ish annotation regions over an image. Cell bounds follow PyTorch's
/// adaptive average pooling (start = floor(i*H/rows), end = ceil((i+1)*H/rows)), so a
/// region's score computed by adaptive pooling covers exactly the pixels annotated.
/// Region index = row * Columns + column.
/// </summary>
public sealed record RegionGrid
{
    public RegionGrid(int height, int width, int regionSize)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"image size {height}x{width} must be positive");
        if (regionSize <= 0 || regionSize > Math.Min(height, width))
            throw new ArgumentOutOfRangeException(nameof(regionSize), $"region size {regionSize} must be between 1 and the image's shorter side ({Math.Min(height, width)})");
        Height = height;
        Width = width;
        RegionSize = regionSize;
        Rows = Math.Max(1, height / regionSize);
        Columns = Math.Max(1, width / regionSize);
    }

    public int Height { get; }
    public int Width { get; }
    public int RegionSize { get; }
    public int Rows { get; }
    public int Columns { get; }
    public int RegionCount => Rows * Columns;

    public (int Top, int Bottom, int Left, int Right) Bounds(int region)
    {
        if ((uint)region >= (uint)RegionCount) throw new ArgumentOutOfRangeException(nameof(region), $"region {region} is outside the {Rows}x{Columns} grid");
        int r = region / Columns, c = region % Columns;
        return (r * Height / Rows, CeilDiv((r + 1) * Height, Rows), c * Width / Columns, CeilDiv((c + 1) * Width, Columns));
    }

    /// <summary>Writes true into <paramref name="mask"/> (row-major, Height*Width) for every pixel of the region.</summary>
    public void Fill(Span<bool> mask, int region)
    {
        var (top, bottom, left, right) = Bounds(region);
        for (int y = top; y < bottom; y++)
            mask.Slice(y * Width + left, right - left).Fill(true);
    }

    static int CeilDiv(int a, int b) => (a + b - 1) / b;
}
