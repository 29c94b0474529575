using System.Text.RegularExpressions;
using S4AL.Reporting.Comparison;
using SkiaSharp;
using static S4AL.Reporting.Tests.Comparison.ComparisonFixtures;

namespace S4AL.Reporting.Tests.Comparison;

/// <summary>The four files of `s4al compare` on the standard sweep written as run folders.</summary>
public class ComparisonReportTests
{
    // ScottPlot's Category10 palette: the colours of settings 0, 1 and 2. In a sweep folder the
    // settings come in the order of the run folders' names (random-*, s4al-*), full supervision last.
    static readonly SKColor First = new(31, 119, 180), Second = new(255, 127, 14), Third = new(44, 160, 44);

    static (TempFolder Folder, ComparisonOutput Output) WriteSweepAndCompare()
    {
        var folder = new TempFolder();
        WriteSweep(folder.File("sweep"));
        return (folder, ComparisonReport.Write([folder.File("sweep")], folder.File("out")));
    }

    [Fact]
    public void Writes_the_four_files_and_nothing_else()
    {
        var (folder, output) = WriteSweepAndCompare();
        using (folder)
        {
            Assert.Equal(["compare.csv", "compare.html", "compare.md", "compare.png"], Directory.GetFiles(folder.File("out")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(4, output.Files.Count);
            Assert.Equal(3, output.Comparison.Settings.Count);
            Assert.Empty(output.Warnings);
        }
    }

    [Fact]
    public void The_png_has_the_plot_size_and_a_colour_per_setting()
    {
        var (folder, _) = WriteSweepAndCompare();
        using (folder)
        {
            using var bitmap = Pixels.Decode(Path.Combine(folder.File("out"), ComparisonReport.PlotFile));
            Assert.Equal((ComparisonPlot.Width, ComparisonPlot.Height), (bitmap.Width, bitmap.Height));
            Assert.True(Pixels.GreyVariance(bitmap) > 50, "the plot looks blank");
            Assert.True(Pixels.Contains(bitmap, First), "the random curve is missing");
            Assert.True(Pixels.Contains(bitmap, Second), "the entropy curve is missing");
            Assert.True(Pixels.Contains(bitmap, Third), "the full-supervision line is missing");
        }
    }

    [Fact]
    public void The_markdown_has_the_hand_computed_tables()
    {
        var (folder, _) = WriteSweepAndCompare();
        using (folder)
        {
            var md = File.ReadAllText(Path.Combine(folder.File("out"), ComparisonReport.MarkdownFile));
            Assert.StartsWith("# Comparison of 3 settings\n", md, StringComparison.Ordinal);
            Assert.Contains("8 runs of 3 settings on fashion-mnist, 64x64, pool 100, validation 100 generated images.", md);
            Assert.Contains("![mIoU against labeled pixels](compare.png)", md);
            Assert.Contains("| setting | seeds | labeled pixels | iterations (last round) | final mIoU (mean) | spread (min-max) | std | per seed | % of full (of means) | % of full (paired seeds) |", md);
            Assert.Contains("| mode=s4al metric=entropy | 3 | 15.0% | 800 | 0.4500 | 0.4000-0.5000 | 0.0500 | s1 0.4000, s2 0.4500, s3 0.5000 | 81.8% | 77.5% (2 seeds: s1 80.0%, s2 75.0%) |", md);
            Assert.Contains("| mode=s4al metric=random | 3 | 15.0% | 800 | 0.3900 | 0.3500-0.4200 | 0.0361 | s1 0.3500, s2 0.4200, s3 0.4000 | 70.9% | 70.0% (2 seeds: s1 70.0%, s2 70.0%) |", md);
            Assert.Contains("| mode=fully-supervised | 2 | 100.0% | 800-1200 | 0.5500 | 0.5000-0.6000 | 0.0707 | s1 0.5000, s2 0.6000 | 100.0% | 100.0% (2 seeds: s1 100.0%, s2 100.0%) |", md);
            Assert.Contains("| mode=s4al metric=random | mode=s4al metric=entropy | 3 | -0.0600 | -0.1000 | -0.0300 | s1 -0.0500, s2 -0.0300, s3 -0.1000 | 0 of 3 |", md);
            Assert.Contains("| class | mode=s4al metric=random | mode=s4al metric=entropy | mode=fully-supervised |", md);
            Assert.Contains("| background | 0.7000 | 0.8000 | 0.9250 |", md);
            Assert.Contains("| item | 0.1000 | 0.1000 | 0.1750 |", md);
            Assert.Contains("| mode=s4al metric=entropy | 1 | 12.5% | 0.3800 | 0.3500 | 0.4100 | 3 |", md);
            Assert.Contains($"| mode=s4al metric=entropy | 3 | {folder.File("sweep/s4al-s3")} | 3 | 0.5000 |", md);
            // Full supervision trained to convergence: each run's curve, its best point and where it stopped.
            Assert.Contains("| setting | seed | evaluations | best mIoU | best at iteration (epoch) | stopped after iteration (epoch) | curve (iteration: mIoU) |", md);
            Assert.Contains("| mode=fully-supervised | s1 | 3 | 0.5000 | 800 (10) | 1200 (15) | 400: 0.4000, 800: 0.5000, 1200: 0.4800 |", md);
            Assert.Contains("| mode=fully-supervised | s2 | 4 | 0.6000 | 1200 (15) | 1600 (20) | 400: 0.5500, 800: 0.5800, 1200: 0.6000, 1600: 0.5900 |", md);
            Assert.DoesNotContain("## Notes", md);
        }
    }

    [Fact]
    public void The_csv_has_every_number_in_full_precision_one_a_row()
    {
        var (folder, _) = WriteSweepAndCompare();
        using (folder)
        {
            var rows = File.ReadAllLines(Path.Combine(folder.File("out"), ComparisonReport.CsvFile));
            Assert.Equal(ComparisonCsv.Header, rows[0]);
            Assert.All(rows, r => Assert.Equal(6, r.Count(ch => ch == ',')));
            double Value(string prefix) => double.Parse(Assert.Single(rows, r => r.StartsWith(prefix, StringComparison.Ordinal)).Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(0.40, Value("mode=s4al metric=entropy,final_miou,,1,,,"));
            Assert.Equal(0.45, Value("mode=s4al metric=entropy,final_miou_mean,,,,,"), 12);
            Assert.Equal(0.05, Value("mode=s4al metric=entropy,final_miou_std,,,,,"), 12);
            Assert.Equal(100 * 0.45 / 0.55, Value("mode=s4al metric=entropy,percent_of_full,mode=fully-supervised,,,,"), 10);
            Assert.Equal(75, Value("mode=s4al metric=entropy,percent_of_full,mode=fully-supervised,2,,,"), 10);
            Assert.Equal(77.5, Value("mode=s4al metric=entropy,percent_of_full_paired_mean,mode=fully-supervised,,,,"), 10);
            Assert.Equal(-0.06, Value("mode=s4al metric=random,difference_mean,mode=s4al metric=entropy,,,,"), 12);
            Assert.Equal(-0.05, Value("mode=s4al metric=random,difference,mode=s4al metric=entropy,1,,,"), 12);
            Assert.Equal(3, Value("mode=s4al metric=random,paired_seeds,mode=s4al metric=entropy,,,,"));
            Assert.Equal(0.38, Value("mode=s4al metric=entropy,curve_miou_mean,,,1,,"), 12);
            Assert.Equal(0.925, Value("mode=fully-supervised,class_iou,,,,background,"), 12);
            Assert.DoesNotContain(rows, r => r.StartsWith("mode=fully-supervised,curve", StringComparison.Ordinal));
            Assert.Equal(800, Value("mode=s4al metric=entropy,final_iterations,,3,,,"));
            Assert.Equal(1200, Value("mode=fully-supervised,final_iterations,,2,,,"));
            Assert.Equal(0.48, Value("mode=fully-supervised,convergence_miou,,1,2,,"), 12);
            Assert.Equal(1200, Value("mode=fully-supervised,convergence_iterations,,1,2,,"));
            Assert.Equal(1200, Value("mode=fully-supervised,best_iterations,,2,,,"));
            Assert.Equal(1600, Value("mode=fully-supervised,stopped_iterations,,2,,,"));
        }
    }

    [Fact]
    public void The_html_is_one_offline_file_with_the_tables_and_the_plot_embedded()
    {
        var (folder, _) = WriteSweepAndCompare();
        using (folder)
        {
            var html = File.ReadAllText(Path.Combine(folder.File("out"), ComparisonReport.HtmlFile));
            var png = File.ReadAllBytes(Path.Combine(folder.File("out"), ComparisonReport.PlotFile));
            Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
            Assert.Contains($"src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"", html);
            Assert.Contains("<td>mode=s4al metric=entropy</td><td>3</td><td>15.0%</td><td>800</td><td>0.4500</td><td>0.4000-0.5000</td><td>0.0500</td>", html);
            Assert.Contains("<td>-0.0600</td>", html);
            Assert.Contains("<td>background</td><td>0.7000</td><td>0.8000</td><td>0.9250</td>", html);
            // Nothing is fetched: no script, no address (the embedded image aside, whose base64 may hold any letters).
            var text = html.Replace(Convert.ToBase64String(png), "", StringComparison.Ordinal);
            Assert.DoesNotContain("<script", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(new Regex("(href|src)=\"(?!data:)|https?:|//[a-z]|url\\(", RegexOptions.IgnoreCase), text);
        }
    }

    [Fact]
    public void Warnings_and_unmeasured_cycles_become_notes_in_both_documents()
    {
        using var folder = new TempFolder();
        WriteSweep(folder.File("sweep"));
        WriteRun(folder.File("sweep/s4al-s2"), Entropy, 2, new(0.10, 0.32), new(0.125, null), new(0.15, 0.45, 0.8, 0.1));
        WriteRun(folder.File("sweep/s4al-s4"), Entropy, 4, new Cycle(0.10, 0.32));
        var output = ComparisonReport.Write([folder.File("sweep")], folder.File("out"));

        var unfinished = $"{folder.File("sweep/s4al-s4")}: unfinished (1 of 3 cycles in cycles.json); skipped";
        Assert.Equal([unfinished], output.Warnings);
        var md = File.ReadAllText(Path.Combine(folder.File("out"), ComparisonReport.MarkdownFile));
        Assert.Contains($"## Notes\n\n- {unfinished}\n- {folder.File("sweep/s4al-s2")}: cycle 1 has no mIoU (not measured); skipped\n", md);
        Assert.Contains("| mode=s4al metric=entropy | 1 | 12.5% | 0.3800 | 0.3500 | 0.4100 | 2 |", md);
        Assert.Contains($"<li>{folder.File("sweep/s4al-s2")}: cycle 1 has no mIoU (not measured); skipped</li>",
            File.ReadAllText(Path.Combine(folder.File("out"), ComparisonReport.HtmlFile)));
    }

    [Fact]
    public void Runs_that_measured_nothing_are_an_error_and_nothing_is_written()
    {
        using var folder = new TempFolder();
        WriteRun(folder.File("sweep/s4al-s1"), Entropy, 1, new(0.10, null), new(0.125, null), new(0.15, null));
        var error = Assert.Throws<InvalidDataException>(() => ComparisonReport.Write([folder.File("sweep")], folder.File("out")));
        Assert.StartsWith("no run measured an mIoU", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder.File("out")));
    }
}
