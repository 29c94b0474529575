using S4AL.Learning.Storage;
using System.Globalization;
using ScottPlot;

namespace S4AL.Reporting;

/// <summary>One point of a learning curve: after <see cref="Cycle"/>, trained on <see cref="LabeledPixelShare"/> (0..1) of the pool's pixels, the model reached <see cref="MeanIoU"/> (0..1).</summary>
public sealed record CurvePoint(int Cycle, double LabeledPixelShare, double MeanIoU);

/// <summary>
/// The learning curve of active learning: mIoU against the share of labeled pool pixels,
/// one marker per cycle labelled with its number, as a PNG.
/// </summary>
public static class LearningCurvePlot
{
    /// <summary>Default image size in pixels.</summary>
    public const int Width = 800, Height = 500;

    /// <summary>Writes the curve of one run to <paramref name="pngPath"/> (atomically).</summary>
    public static void Write(string pngPath, IReadOnlyList<CurvePoint> points, string title)
    {
        ArgumentNullException.ThrowIfNull(points);
        Write(pngPath, [("run", points)], title, legend: false);
    }

    /// <summary>Writes several runs' curves into one plot with a legend, e.g. to compare acquisition strategies.</summary>
    public static void Write(string pngPath, IReadOnlyList<(string Name, IReadOnlyList<CurvePoint> Points)> series, string title)
        => Write(pngPath, series, title, legend: true);

    static void Write(string pngPath, IReadOnlyList<(string Name, IReadOnlyList<CurvePoint> Points)> series, string title, bool legend)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pngPath);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(title);
        Validate(series, legend);
        AtomicFile.Write(pngPath, Render(series, title, legend));
    }

    /// <summary>The PNG bytes of the plot; inputs must have been validated.</summary>
    internal static byte[] Render(IReadOnlyList<(string Name, IReadOnlyList<CurvePoint> Points)> series, string title, bool legend)
    {
        var plot = MiouPlot.Create(title);
        var palette = new ScottPlot.Palettes.Category10();
        for (int s = 0; s < series.Count; s++)
        {
            var (name, points) = series[s];
            var color = palette.GetColor(s);
            var xs = points.Select(p => 100 * p.LabeledPixelShare).ToArray();
            var ys = points.Select(p => p.MeanIoU).ToArray();
            var scatter = plot.Add.Scatter(xs, ys, color);
            scatter.MarkerSize = 9;
            scatter.LineWidth = 2;
            if (legend) scatter.LegendText = name;
            for (int i = 0; i < points.Count; i++)
            {
                var label = plot.Add.Text(points[i].Cycle.ToString(CultureInfo.InvariantCulture), xs[i], ys[i]);
                label.LabelFontSize = 12;
                label.LabelFontColor = color;
                label.LabelAlignment = Alignment.LowerCenter;
                // Lift the number clear of the marker it names.
                label.LabelOffsetY = -8;
            }
        }
        if (legend) plot.ShowLegend(Alignment.LowerRight);
        plot.Axes.AutoScale();
        // Room above the top marker for its cycle number.
        plot.Axes.Margins(horizontal: 0.08, vertical: 0.15);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    static void Validate(IReadOnlyList<(string Name, IReadOnlyList<CurvePoint> Points)> series, bool named)
    {
        if (series.Count == 0) throw new ArgumentException("no series to plot", nameof(series));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, points) in series)
        {
            var which = named ? $"series '{name}'" : "the curve";
            if (named && string.IsNullOrWhiteSpace(name)) throw new ArgumentException("a series has no name", nameof(series));
            if (named && !names.Add(name)) throw new ArgumentException($"two series are named '{name}'", nameof(series));
            if (points is null || points.Count == 0) throw new ArgumentException($"{which} has no points", named ? nameof(series) : "points");
            for (int i = 0; i < points.Count; i++)
            {
                var p = points[i] ?? throw new ArgumentException($"point {i} of {which} is null", named ? nameof(series) : "points");
                string? problem =
                    !double.IsFinite(p.LabeledPixelShare) ? $"its labeled pixel share is {p.LabeledPixelShare.ToString(CultureInfo.InvariantCulture)}"
                    : p.LabeledPixelShare is < 0 or > 1 ? $"its labeled pixel share {p.LabeledPixelShare.ToString(CultureInfo.InvariantCulture)} is outside 0..1 (a fraction, not percent)"
                    : !double.IsFinite(p.MeanIoU) ? $"its mIoU is {p.MeanIoU.ToString(CultureInfo.InvariantCulture)}"
                    : p.MeanIoU is < 0 or > 1 ? $"its mIoU {p.MeanIoU.ToString(CultureInfo.InvariantCulture)} is outside 0..1"
                    : null;
                if (problem is not null)
                    throw new ArgumentException($"point {i} (cycle {p.Cycle}) of {which}: {problem}", named ? nameof(series) : "points");
            }
        }
    }
}
