using ScottPlot;
using static S4AL.Reporting.Comparison.ComparisonNumbers;

namespace S4AL.Reporting.Comparison;

/// <summary>
/// compare.png: mIoU against the share of labeled pixels, one colour per setting: the mean over
/// seeds per cycle as a line with markers over a band from the lowest to the highest seed (a bar
/// for a setting of one cycle), and
/// full supervision as a dashed horizontal line at its mean. It draws exactly
/// <see cref="SettingComparison.Curves"/> and <see cref="SettingComparison.Lines"/>.
/// </summary>
public static class ComparisonPlot
{
    public const int Width = 900, Height = 600;

    public static byte[] Render(SettingComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var plot = MiouPlot.Create($"mIoU against labeled pixels: {comparison.Dataset}");
        var palette = new ScottPlot.Palettes.Category10();
        // A setting keeps its colour whatever else is drawn: the colour follows its place among all settings.
        Color ColorOf(string setting) => palette.GetColor(comparison.Settings.Select(s => s.Name).ToList().IndexOf(setting));

        foreach (var curve in comparison.Curves)
        {
            var color = ColorOf(curve.Setting);
            var xs = curve.Points.Select(p => p.LabeledPercent).ToArray();
            if (curve.Points.Count == 1 && curve.Points[0] is { Max: var max, Min: var min } && max > min)
            {
                // A band over one x (supervised-only training: one round) has no width: a bar shows its spread.
                var bar = plot.Add.Line(xs[0], min, xs[0], max);
                bar.LineColor = color.WithAlpha(0.5);
                bar.LineWidth = 6;
            }
            else if (curve.Points.Any(p => p.Max > p.Min))
            {
                var band = plot.Add.FillY(xs, curve.Points.Select(p => p.Min).ToArray(), curve.Points.Select(p => p.Max).ToArray());
                band.FillColor = color.WithAlpha(0.2);
                band.LineWidth = 0;
            }
            var mean = plot.Add.Scatter(xs, curve.Points.Select(p => p.Mean).ToArray(), color);
            mean.MarkerSize = 8;
            mean.LineWidth = 2;
            mean.LegendText = $"{curve.Setting} ({Seeds(curve.Points.Max(p => p.Seeds))})";
        }
        foreach (var line in comparison.Lines)
        {
            var full = plot.Add.HorizontalLine(line.MeanIoU, 2, ColorOf(line.Setting), LinePattern.Dashed);
            full.LegendText = $"{line.Setting} ({Seeds(line.Seeds)}, mean)";
        }
        // Below the plot: setting names can be long, and a legend inside would cover the curves.
        plot.ShowLegend(Edge.Bottom);
        plot.Axes.AutoScale();
        plot.Axes.Margins(horizontal: 0.08, vertical: 0.15);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
