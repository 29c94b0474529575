using S4AL.Domain;
using S4AL.Learning.Storage;
using System.Globalization;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Regions;
using S4AL.Learning.Data.Scenes;
using SkiaSharp;

namespace S4AL.Reporting;

/// <summary>
/// What one acquisition step picked, as a PNG a person can check at a glance: for the pool
/// images that received the most new regions, the image beside its ground-truth label map,
/// with the pixels labeled before the cycle shaded grey and each newly acquired region
/// outlined on both panels.
/// </summary>
public static class AcquisitionImage
{
    /// <summary>Outline of a newly acquired region; chosen outside <see cref="LabelPalette"/> so it cannot be mistaken for a class.</summary>
    public static SKColor OutlineColor { get; } = new(255, 0, 255);

    /// <summary>
    /// Writes the picture to <paramref name="pngPath"/> (atomically). <paramref name="labeledBefore"/>
    /// is the set the cycle trained on; <paramref name="acquired"/> are the regions it picked, none
    /// of them labeled before.
    /// </summary>
    public static void Write(string pngPath, ISegmentationDataset pool, LabeledRegionSet labeledBefore, IReadOnlyList<RegionId> acquired, int maxImages = 4)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pngPath);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(labeledBefore);
        ArgumentNullException.ThrowIfNull(acquired);
        if (maxImages < 1) throw new ArgumentOutOfRangeException(nameof(maxImages), $"maxImages is {maxImages}; at least one image must be shown");
        Validate(pool, labeledBefore, acquired);
        var bytes = Render(pool, labeledBefore, acquired, maxImages);
        AtomicFile.Write(pngPath, bytes);
    }

    /// <summary>The images shown: most acquired regions first, ties to the lowest index.</summary>
    internal static IReadOnlyList<(int Image, IReadOnlyList<int> Regions)> Selection(IReadOnlyList<RegionId> acquired, int maxImages) =>
        acquired.GroupBy(r => r.Image)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
            .Take(maxImages)
            .Select(g => (g.Key, (IReadOnlyList<int>)g.Select(r => r.Region).Order().ToList()))
            .ToList();

    internal static byte[] Render(ISegmentationDataset pool, LabeledRegionSet labeledBefore, IReadOnlyList<RegionId> acquired, int maxImages)
    {
        var selection = Selection(acquired, maxImages);
        var grid = labeledBefore.Grid;
        using var font = new SKFont(ReportFonts.Typeface, AcquisitionLayout.FontSize);
        var layout = AcquisitionLayout.Create(pool.Height, pool.Width, selection.Count, pool.ClassNames, font);

        var info = new SKImageInfo(layout.Width, layout.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"SkiaSharp could not create a {layout.Width}x{layout.Height} surface");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var outline = new SKPaint { Color = OutlineColor, Style = SKPaintStyle.Stroke, StrokeWidth = 2, IsAntialias = false };
        using var inner = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = 1, IsAntialias = false };

        int images = acquired.Select(r => r.Image).Distinct().Count();
        var title = string.Create(CultureInfo.InvariantCulture,
            $"{Count(acquired.Count, "region")} acquired in {Count(images, "image")}") +
            (selection.Count < images ? string.Create(CultureInfo.InvariantCulture, $"; the {selection.Count} with the most:") : ":");
        canvas.DrawText(title, AcquisitionLayout.Pad, AcquisitionLayout.Pad + AcquisitionLayout.FontSize, SKTextAlign.Left, font, text);

        for (int row = 0; row < selection.Count; row++)
        {
            var (index, regions) = selection[row];
            var image = pool.Get(index);
            if (image.Height != pool.Height || image.Width != pool.Width)
                throw new InvalidOperationException($"image {index} of {pool.Name} is {image.Height}x{image.Width}, but the dataset says {pool.Height}x{pool.Width}");
            var before = labeledBefore.PixelMask(index);
            int labeledBeforeCount = labeledBefore.AcquiredRegions(index).Count;

            var (cx, cy) = layout.CaptionOrigin(row);
            var caption = string.Create(CultureInfo.InvariantCulture, $"image {index} ({image.Id}): {Count(regions.Count, "new region")}") +
                (labeledBeforeCount > 0 ? string.Create(CultureInfo.InvariantCulture, $", {labeledBeforeCount} labeled before") : "");
            canvas.DrawText(caption, cx, cy + AcquisitionLayout.FontSize, SKTextAlign.Left, font, text);

            for (int panel = 0; panel < 2; panel++)
            {
                using var bitmap = PanelBitmap(image, before, layout.Scale, labels: panel == 1);
                var (px, py) = layout.PanelOrigin(row, panel);
                canvas.DrawBitmap(bitmap, px, py);
                foreach (var region in regions)
                {
                    var (top, bottom, left, right) = grid.Bounds(region);
                    float x0 = px + left * layout.Scale, x1 = px + right * layout.Scale;
                    float y0 = py + top * layout.Scale, y1 = py + bottom * layout.Scale;
                    // A 2 px stroke centred 1 px inside the edge covers exactly the region's outer two pixel rings,
                    // and a black ring inside it keeps the outline visible on magenta-ish content.
                    canvas.DrawRect(SKRect.Create(x0 + 1, y0 + 1, x1 - x0 - 2, y1 - y0 - 2), outline);
                    if (x1 - x0 > 6 && y1 - y0 > 6)
                        canvas.DrawRect(SKRect.Create(x0 + 2.5f, y0 + 2.5f, x1 - x0 - 5, y1 - y0 - 5), inner);
                }
            }
        }

        DrawLegend(canvas, layout, pool.ClassNames, font, text, outline);
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the acquisition image as PNG");
        return data.ToArray();
    }

    static string Count(int n, string noun) => string.Create(CultureInfo.InvariantCulture, $"{n} {noun}{(n == 1 ? "" : "s")}");

    /// <summary>One panel scaled up by nearest neighbour, so pixels stay crisp and region edges stay exact.</summary>
    static SKBitmap PanelBitmap(SegmentationImage image, bool[] labeledBefore, int scale, bool labels)
    {
        int w = image.Width * scale, h = image.Height * scale;
        var pixels = new SKColor[w * h];
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                int p = y * image.Width + x;
                var c = labels ? LabelPalette.Color(image.Label[p]) : new SKColor(image.Rgb[3 * p], image.Rgb[3 * p + 1], image.Rgb[3 * p + 2]);
                if (labeledBefore[p]) c = Shade(c);
                for (int dy = 0; dy < scale; dy++)
                    Array.Fill(pixels, c, (y * scale + dy) * w + x * scale, scale);
            }
        }
        var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        bitmap.Pixels = pixels;
        return bitmap;
    }

    /// <summary>A semi-transparent grey veil: 55 % grey over the colour.</summary>
    internal static SKColor Shade(SKColor c)
    {
        const int grey = 128, alpha = 55;
        static byte Mix(byte v) => (byte)((v * (100 - alpha) + grey * alpha + 50) / 100);
        return new SKColor(Mix(c.Red), Mix(c.Green), Mix(c.Blue));
    }

    static void DrawLegend(SKCanvas canvas, AcquisitionLayout layout, IReadOnlyList<string> classNames, SKFont font, SKPaint text, SKPaint outline)
    {
        using var fill = new SKPaint { IsAntialias = false };
        foreach (var item in layout.LegendItems)
        {
            var box = SKRect.Create(item.X, item.Y + 3, AcquisitionLayout.Swatch, AcquisitionLayout.Swatch);
            switch (item.Kind)
            {
                case LegendKind.Class:
                    fill.Color = LabelPalette.Color((byte)item.Class);
                    canvas.DrawRect(box, fill);
                    break;
                case LegendKind.LabeledBefore:
                    fill.Color = Shade(SKColors.White);
                    canvas.DrawRect(box, fill);
                    break;
                case LegendKind.Acquired:
                    canvas.DrawRect(SKRect.Create(box.Left + 1, box.Top + 1, box.Width - 2, box.Height - 2), outline);
                    break;
            }
            canvas.DrawText(item.Text, item.X + AcquisitionLayout.Swatch + 4, item.Y + AcquisitionLayout.FontSize, SKTextAlign.Left, font, text);
        }
    }

    static void Validate(ISegmentationDataset pool, LabeledRegionSet labeledBefore, IReadOnlyList<RegionId> acquired)
    {
        if (labeledBefore.ImageCount != pool.Count)
            throw new ArgumentException($"the labeled set covers {labeledBefore.ImageCount} images but the pool {pool.Name} has {pool.Count}", nameof(labeledBefore));
        var grid = labeledBefore.Grid;
        if (grid.Height != pool.Height || grid.Width != pool.Width)
            throw new ArgumentException($"the labeled set's region grid is for {grid.Height}x{grid.Width} images but the pool's images are {pool.Height}x{pool.Width}", nameof(labeledBefore));
        if (acquired.Count == 0) throw new ArgumentException("no regions were acquired, so there is nothing to show", nameof(acquired));
        var seen = new HashSet<RegionId>();
        for (int i = 0; i < acquired.Count; i++)
        {
            var r = acquired[i];
            if ((uint)r.Image >= (uint)pool.Count)
                throw new ArgumentException($"acquired region {i} names image {r.Image}, outside the pool of {pool.Count}", nameof(acquired));
            if ((uint)r.Region >= (uint)grid.RegionCount)
                throw new ArgumentException($"acquired region {i} (image {r.Image}) has region index {r.Region}, outside the {grid.Rows}x{grid.Columns} grid", nameof(acquired));
            if (labeledBefore.IsLabeled(r.Image, r.Region))
                throw new ArgumentException($"acquired region {i} (region {r.Region} of image {r.Image}) was already labeled before this cycle; pass the labeled set the cycle started from", nameof(acquired));
            if (!seen.Add(r))
                throw new ArgumentException($"acquired region {i} (region {r.Region} of image {r.Image}) is listed twice", nameof(acquired));
        }
    }
}
