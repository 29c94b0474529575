using SkiaSharp;

namespace S4AL.Reporting;

internal enum LegendKind { Class, LabeledBefore, Acquired }

internal sealed record LegendItem(LegendKind Kind, int Class, string Text, float X, float Y);

/// <summary>
/// Where everything of an <see cref="AcquisitionImage"/> goes: a title line, then per shown
/// image a caption line above the image and label panels, then a legend that wraps. Kept
/// apart from the drawing so tests can find a region's pixels in the written PNG.
/// </summary>
internal sealed class AcquisitionLayout
{
    public const int Pad = 10, Gap = 10, FontSize = 14, LineHeight = 22, Swatch = 14, MinPanelHeight = 192, MinWidth = 480;

    AcquisitionLayout(int scale, int panelWidth, int panelHeight, int width, int height, IReadOnlyList<LegendItem> legend)
    {
        Scale = scale;
        PanelWidth = panelWidth;
        PanelHeight = panelHeight;
        Width = width;
        Height = height;
        LegendItems = legend;
    }

    /// <summary>Integer upscaling factor: nearest neighbour up to at least <see cref="MinPanelHeight"/> px.</summary>
    public int Scale { get; }
    public int PanelWidth { get; }
    public int PanelHeight { get; }
    public int Width { get; }
    public int Height { get; }
    public IReadOnlyList<LegendItem> LegendItems { get; }

    int RowHeight => LineHeight + PanelHeight + Pad;

    public static AcquisitionLayout Create(int imageHeight, int imageWidth, int rows, IReadOnlyList<string> classNames, SKFont font)
    {
        int scale = Math.Max(1, (MinPanelHeight + imageHeight - 1) / imageHeight);
        int pw = imageWidth * scale, ph = imageHeight * scale;
        int width = Math.Max(MinWidth, 2 * Pad + 2 * pw + Gap);
        float legendTop = Pad + LineHeight + rows * (LineHeight + ph + Pad);

        var entries = classNames.Select((name, c) => (LegendKind.Class, c, name))
            .Append((LegendKind.LabeledBefore, -1, "labeled before"))
            .Append((LegendKind.Acquired, -1, "acquired now"));
        var items = new List<LegendItem>();
        float x = Pad, y = legendTop;
        foreach (var (kind, c, text) in entries)
        {
            float itemWidth = Swatch + 4 + font.MeasureText(text) + 14;
            if (x > Pad && x + itemWidth > width - Pad) { x = Pad; y += LineHeight; }
            items.Add(new LegendItem(kind, c, text, x, y));
            x += itemWidth;
        }
        int height = (int)Math.Ceiling(y + LineHeight + Pad);
        return new AcquisitionLayout(scale, pw, ph, width, height, items);
    }

    public (float X, float Y) CaptionOrigin(int row) => (Pad, Pad + LineHeight + row * RowHeight);

    /// <summary>Top-left pixel of a panel: 0 = image, 1 = label map.</summary>
    public (int X, int Y) PanelOrigin(int row, int panel) =>
        (Pad + panel * (PanelWidth + Gap), Pad + LineHeight + row * RowHeight + LineHeight);
}
