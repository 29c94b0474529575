using static S4AL.Reporting.Comparison.ComparisonNumbers;

namespace S4AL.Reporting.Comparison;

/// <summary>The text of a comparison: title, introduction, tables and notes; compare.md and compare.html render the same document.</summary>
public sealed record ComparisonDocument(string Title, IReadOnlyList<string> Introduction, IReadOnlyList<ReportTable> Tables, IReadOnlyList<string> Notes)
{
    public static ComparisonDocument Of(SettingComparison c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var introduction = new List<string>
        {
            $"{c.RunCount} runs of {c.Settings.Count} settings on {c.Dataset}. A setting is the runs whose settings.json is the same but for the seed; " +
            (c.Settings.Any(s => s.Fields is not null)
                ? "its name is the one the sweep gave it; the fields (as in settings.json) that set it apart from the others: " +
                  string.Join("; ", c.Settings.Select(s => $"{s.Name}: {s.Fields}")) + "."
                : "its name is the fields (as in settings.json) that set it apart from the others."),
            "Final mIoU: the last cycle of each run, on the validation split. The plot shows, per setting, the mean mIoU of its seeds per cycle " +
            "with a band from the lowest to the highest; full supervision (one training round on every pixel) is a dashed line at its mean.",
        };
        if (c.Converged.Count > 0)
            introduction.Add("A run trained to convergence (`--eval-every`) evaluated its student as it trained and stopped once the last evaluations " +
                "brought no gain; it reports its best evaluation, which is its final mIoU here (and the level of full supervision).");
        var tables = new List<ReportTable> { Finals(c.Finals) };
        if (c.Converged.Count > 0) tables.Add(Converged(c.Converged));
        if (c.Differences.Count > 0) tables.Add(Differences(c.Differences));
        if (c.ClassIou.Rows.Count > 0) tables.Add(ClassIou(c.ClassIou));
        if (c.Curves.Count > 0) tables.Add(Curves(c.Curves));
        tables.Add(Runs(c.Settings));
        return new ComparisonDocument($"Comparison of {c.Settings.Count} settings", introduction, tables, c.Notes);
    }

    static ReportTable Finals(IReadOnlyList<FinalMiou> finals)
    {
        var reference = finals.Select(f => f.OfFull?.Reference).FirstOrDefault(r => r is not null);
        var headers = new List<string> { "setting", "seeds", "labeled pixels", "iterations (last round)", "final mIoU (mean)", "spread (min-max)", "std", "per seed" };
        if (reference is not null) headers.AddRange(["% of full (of means)", "% of full (paired seeds)"]);
        var rows = finals.Select(f =>
        {
            var row = new List<string>
            {
                f.Setting, Int(f.PerSeed.Count), Percent(f.LabeledPixelShare), Range(f.Iterations), Miou(f.Mean), $"{Miou(f.Min)}-{Miou(f.Max)}",
                f.Std is { } std ? Miou(std) : "", PerSeed(f.PerSeed, Miou),
            };
            if (f.OfFull is { } of)
            {
                row.Add(Percent(of.OfMeans));
                row.Add(of.PairedMean is { } paired ? $"{Percent(paired)} ({Seeds(of.PerSeed.Count)}: {PerSeed(of.PerSeed, Percent)})" : "no seed in common");
            }
            return (IReadOnlyList<string>)row;
        }).ToList();
        var note = "iterations: optimizer steps of each run's last training round (one number when all seeds trained as long). " +
            "std: the sample standard deviation over seeds (from 2 seeds on)." + (reference is null ? "" :
            $" % of full: the mean final mIoU over the mean of '{reference}'; paired: the mean of the per-seed ratios over the seeds both ran.");
        return new ReportTable("Final mIoU", headers, rows, note);
    }

    static ReportTable Converged(IReadOnlyList<ConvergedRun> runs) => new(
        "Rounds trained to convergence (validation mIoU of the student as it trained)",
        ["setting", "seed", "evaluations", "best mIoU", "best at iteration (epoch)", "stopped after iteration (epoch)", "curve (iteration: mIoU)"],
        runs.Select(r => (IReadOnlyList<string>)
        [
            r.Setting, Seed(r.Seed), Int(r.Curve.Count), Miou(r.Best.MeanIoU), $"{Long(r.Best.Steps)} ({Int(r.Best.EpochsDone)})",
            $"{Long(r.Stopped.Steps)} ({Int(r.Stopped.EpochsDone)})", string.Join(", ", r.Curve.Select(p => $"{Long(p.Steps)}: {Miou(p.MeanIoU)}")),
        ]).ToList(),
        "The round stops when the last evaluations (the patience) bring no gain over the best before them, or at its maximum of epochs.");

    static ReportTable Differences(IReadOnlyList<PairedDifference> differences) => new(
        "Paired differences of final mIoU (A - B, same seed)",
        ["A", "B", "seeds paired", "mean", "min", "max", "per seed", "A ahead on"],
        differences.Select(d => (IReadOnlyList<string>)
        [
            d.A, d.B, Int(d.PerSeed.Count), Signed(d.Mean), Signed(d.Min), Signed(d.Max), PerSeed(d.PerSeed, Signed), $"{Int(d.AheadCount)} of {Int(d.PerSeed.Count)}",
        ]).ToList(),
        "Every pair of settings other than full supervision, over the seeds both ran: the same seed gives both the same data and initial labeled set.");

    static ReportTable ClassIou(ClassIouTable table) => new(
        "Per-class IoU of the final cycle (mean over seeds)",
        ["class", .. table.Settings],
        table.Rows.Select(r => (IReadOnlyList<string>)[r.Class, .. r.PerSetting.Select(v => v is { } iou ? Miou(iou) : "")]).ToList());

    static ReportTable Curves(IReadOnlyList<CurveSeries> curves) => new(
        "Learning curves (the points of the plot)",
        ["setting", "cycle", "labeled pixels", "mIoU (mean)", "min", "max", "seeds"],
        curves.SelectMany(s => s.Points.Select(p => (IReadOnlyList<string>)
        [
            s.Setting, Int(p.Cycle), Percent(p.LabeledPercent / 100), Miou(p.Mean), Miou(p.Min), Miou(p.Max), Int(p.Seeds),
        ])).ToList());

    static ReportTable Runs(IReadOnlyList<ComparedSetting> settings) => new(
        "Runs",
        ["setting", "seed", "run folder", "cycles", "final mIoU"],
        settings.SelectMany(s => s.Runs.Select(r => (IReadOnlyList<string>)
        [
            s.Name, Int(r.Seed), r.Folder, Int(r.Cycles.Count), r.Final.MeanIoU is { } m ? Miou(m) : "not measured",
        ])).ToList());
}
