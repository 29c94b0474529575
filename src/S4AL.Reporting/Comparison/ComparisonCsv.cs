using System.Globalization;
using System.Text;

namespace S4AL.Reporting.Comparison;

/// <summary>
/// compare.csv: every number of the comparison, one a row, in full precision, for other tools:
/// <c>setting,quantity,versus,seed,cycle,class,value</c>. A column that does not apply to a
/// quantity is empty (e.g. <c>seed</c> for a mean). Quantities: final_miou (per seed),
/// final_miou_mean/min/max/std, seeds, labeled_pixel_share; percent_of_full (versus the
/// reference; per seed, and of the means without a seed), percent_of_full_paired_mean;
/// difference (setting minus versus, per seed), difference_mean/min/max, paired_seeds;
/// curve_labeled_percent, curve_miou_mean/min/max, curve_seeds (per cycle); class_iou (per class);
/// final_iterations (per seed); for rounds trained to convergence (per seed, the evaluation's index
/// in the cycle column): convergence_iterations, convergence_miou, and best_iterations, stopped_iterations.
/// </summary>
public static class ComparisonCsv
{
    public const string Header = "setting,quantity,versus,seed,cycle,class,value";

    public static string Render(SettingComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var csv = new StringBuilder(Header).Append('\n');
        void Add(string setting, string quantity, double value, string versus = "", int? seed = null, int? cycle = null, string className = "") =>
            csv.Append(string.Join(",", Cell(setting), quantity, Cell(versus), I(seed), I(cycle), Cell(className), value.ToString("R", CultureInfo.InvariantCulture))).Append('\n');

        foreach (var f in comparison.Finals)
        {
            foreach (var v in f.PerSeed) Add(f.Setting, "final_miou", v.Value, seed: v.Seed);
            Add(f.Setting, "final_miou_mean", f.Mean);
            Add(f.Setting, "final_miou_min", f.Min);
            Add(f.Setting, "final_miou_max", f.Max);
            if (f.Std is { } std) Add(f.Setting, "final_miou_std", std);
            Add(f.Setting, "seeds", f.PerSeed.Count);
            Add(f.Setting, "labeled_pixel_share", f.LabeledPixelShare);
            foreach (var run in comparison.Settings.Where(s => s.Name == f.Setting).SelectMany(s => s.Runs).Where(r => r.Final.Iterations is not null))
                Add(f.Setting, "final_iterations", run.Final.Iterations!.Value, seed: run.Seed);
            if (f.OfFull is not { } of) continue;
            Add(f.Setting, "percent_of_full", 100 * of.OfMeans, of.Reference);
            foreach (var v in of.PerSeed) Add(f.Setting, "percent_of_full", 100 * v.Value, of.Reference, v.Seed);
            if (of.PairedMean is { } paired) Add(f.Setting, "percent_of_full_paired_mean", 100 * paired, of.Reference);
        }
        foreach (var d in comparison.Differences)
        {
            foreach (var v in d.PerSeed) Add(d.A, "difference", v.Value, d.B, v.Seed);
            Add(d.A, "difference_mean", d.Mean, d.B);
            Add(d.A, "difference_min", d.Min, d.B);
            Add(d.A, "difference_max", d.Max, d.B);
            Add(d.A, "paired_seeds", d.PerSeed.Count, d.B);
        }
        foreach (var s in comparison.Curves)
        {
            foreach (var p in s.Points)
            {
                Add(s.Setting, "curve_labeled_percent", p.LabeledPercent, cycle: p.Cycle);
                Add(s.Setting, "curve_miou_mean", p.Mean, cycle: p.Cycle);
                Add(s.Setting, "curve_miou_min", p.Min, cycle: p.Cycle);
                Add(s.Setting, "curve_miou_max", p.Max, cycle: p.Cycle);
                Add(s.Setting, "curve_seeds", p.Seeds, cycle: p.Cycle);
            }
        }
        foreach (var r in comparison.Converged)
        {
            for (int i = 0; i < r.Curve.Count; i++)
            {
                Add(r.Setting, "convergence_iterations", r.Curve[i].Steps, seed: r.Seed, cycle: i);
                Add(r.Setting, "convergence_miou", r.Curve[i].MeanIoU, seed: r.Seed, cycle: i);
            }
            Add(r.Setting, "best_iterations", r.Best.Steps, seed: r.Seed);
            Add(r.Setting, "stopped_iterations", r.Stopped.Steps, seed: r.Seed);
        }
        foreach (var row in comparison.ClassIou.Rows)
        {
            for (int s = 0; s < row.PerSetting.Count; s++)
                if (row.PerSetting[s] is { } iou) Add(comparison.ClassIou.Settings[s], "class_iou", iou, className: row.Class);
        }
        return csv.ToString();
    }

    static string I(int? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "";

    // RFC 4180: quote a cell holding a comma, quote or line break, doubling its quotes.
    static string Cell(string text) =>
        text.AsSpan().IndexOfAny(",\"\n\r") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
