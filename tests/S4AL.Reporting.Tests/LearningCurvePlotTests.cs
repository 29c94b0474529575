using SkiaSharp;

namespace S4AL.Reporting.Tests;

public class LearningCurvePlotTests
{
    // ScottPlot's Category10 palette, which the plot uses for series 0 and 1.
    static readonly SKColor First = new(31, 119, 180), Second = new(255, 127, 14);

    static readonly CurvePoint[] Run =
    [
        new(0, 0.02, 0.31), new(1, 0.035, 0.42), new(2, 0.05, 0.47), new(3, 0.065, 0.52),
    ];

    [Fact]
    public void Writes_a_png_of_the_curve()
    {
        using var folder = new TempFolder();
        var path = folder.File("curve.png");
        LearningCurvePlot.Write(path, Run, "synthetic, entropy");

        using var bitmap = Pixels.Decode(path);
        Assert.Equal(LearningCurvePlot.Width, bitmap.Width);
        Assert.Equal(LearningCurvePlot.Height, bitmap.Height);
        Assert.True(Pixels.GreyVariance(bitmap) > 50, "the plot looks blank");
        Assert.True(Pixels.Contains(bitmap, First), "the curve's colour is missing");
        Assert.False(Pixels.Contains(bitmap, Second), "a single run drew a second series colour");
        Assert.Equal(["curve.png"], folder.Entries());
    }

    [Fact]
    public void Compares_several_runs_in_their_own_colours()
    {
        using var folder = new TempFolder();
        var path = folder.File("compare.png");
        var baseline = Run.Select(p => p with { MeanIoU = p.MeanIoU - 0.05 }).ToArray();
        LearningCurvePlot.Write(path, [("entropy", Run), ("random", baseline)], "entropy vs random");

        using var bitmap = Pixels.Decode(path);
        Assert.Equal((LearningCurvePlot.Width, LearningCurvePlot.Height), (bitmap.Width, bitmap.Height));
        Assert.True(Pixels.Contains(bitmap, First));
        Assert.True(Pixels.Contains(bitmap, Second));
    }

    [Fact]
    public void Replaces_an_existing_plot()
    {
        using var folder = new TempFolder();
        var path = folder.File("curve.png");
        File.WriteAllText(path, "old");
        LearningCurvePlot.Write(path, Run[..1], "one cycle");
        using var bitmap = Pixels.Decode(path);
        Assert.Equal(LearningCurvePlot.Width, bitmap.Width);
    }

    [Fact]
    public void A_nan_value_is_named_and_nothing_is_written()
    {
        using var folder = new TempFolder();
        var path = folder.File("curve.png");
        CurvePoint[] points = [Run[0], new(1, 0.03, double.NaN), Run[2]];
        var error = Assert.Throws<ArgumentException>(() => LearningCurvePlot.Write(path, points, "t"));
        Assert.Contains("point 1 (cycle 1)", error.Message);
        Assert.Contains("mIoU is NaN", error.Message);
        Assert.Empty(folder.Entries());
    }

    [Fact]
    public void A_bad_point_of_a_series_names_the_series()
    {
        using var folder = new TempFolder();
        CurvePoint[] bad = [new(4, double.PositiveInfinity, 0.5)];
        var error = Assert.Throws<ArgumentException>(() =>
            LearningCurvePlot.Write(folder.File("c.png"), [("entropy", Run), ("random", bad)], "t"));
        Assert.Contains("series 'random'", error.Message);
        Assert.Contains("point 0 (cycle 4)", error.Message);
        Assert.Contains("labeled pixel share", error.Message);
    }

    [Fact]
    public void Empty_input_is_rejected()
    {
        using var folder = new TempFolder();
        Assert.Contains("no points", Assert.Throws<ArgumentException>(() => LearningCurvePlot.Write(folder.File("a.png"), Array.Empty<CurvePoint>(), "t")).Message);
        Assert.Contains("no series", Assert.Throws<ArgumentException>(() =>
            LearningCurvePlot.Write(folder.File("b.png"), Array.Empty<(string, IReadOnlyList<CurvePoint>)>(), "t")).Message);
        Assert.Contains("percent", Assert.Throws<ArgumentException>(() =>
            LearningCurvePlot.Write(folder.File("c.png"), [new CurvePoint(0, 3.5, 0.4)], "t")).Message, StringComparison.Ordinal);
        Assert.Empty(folder.Entries());
    }
}
