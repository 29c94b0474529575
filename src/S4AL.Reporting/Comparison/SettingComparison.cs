using System.Globalization;
using S4AL.Learning.Data.Datasets;

namespace S4AL.Reporting.Comparison;

/// <summary>
/// Everything `s4al compare` reports, computed from the runs alone (no files): the settings, each
/// one's final mIoU over seeds with its share of full supervision, paired differences between
/// settings, the curves and lines of compare.png, per-class IoU, the curves of rounds trained to
/// convergence, and notes on what was left out.
/// </summary>
public sealed record SettingComparison(
    string Dataset,
    IReadOnlyList<ComparedSetting> Settings,
    IReadOnlyList<FinalMiou> Finals,
    IReadOnlyList<PairedDifference> Differences,
    IReadOnlyList<CurveSeries> Curves,
    IReadOnlyList<ReferenceLine> Lines,
    ClassIouTable ClassIou,
    IReadOnlyList<string> Notes,
    IReadOnlyList<ConvergedRun> Converged)
{
    public int RunCount => Settings.Sum(s => s.Runs.Count);

    /// <param name="notes">Said about the runs before (e.g. unfinished ones left out); the comparison's own follow.</param>
    /// <param name="sweepSetting">The setting names a sweep gave the run folders (<see cref="SettingGrouping.Group"/>).</param>
    public static SettingComparison Of(IReadOnlyList<ComparedRun> runs, IReadOnlyList<string>? notes = null, Func<string, string?>? sweepSetting = null)
    {
        var settings = SettingGrouping.Group(runs, sweepSetting);
        var finals = FinalMiou.Of(settings);
        var differences = PairedDifference.Of(finals, out var unpaired);
        var all = new List<string>(notes ?? []);
        all.AddRange(runs.Select(Unmeasured).OfType<string>());
        all.AddRange(settings.Where(s => finals.All(f => f.Setting != s.Name)).Select(s => $"'{s.Name}': no run measured a final mIoU; it is in no table of final mIoU"));
        all.AddRange(unpaired.Select(p => $"'{p.A}' and '{p.B}' share no seed: no paired difference"));
        if (settings.Count(s => s.IsFullSupervision) > 1 && finals.FirstOrDefault(f => f.OfFull is not null)?.OfFull is { } of)
            all.Add($"% of full supervision is against '{of.Reference}', the full-supervision setting with the highest mean final mIoU");
        return new SettingComparison(
            Describe(runs[0].Definition.Data),
            settings,
            finals,
            differences,
            settings.Where(s => !s.IsFullSupervision).Select(CurveSeries.Of).Where(c => c.Points.Count > 0).ToList(),
            finals.Where(f => f.IsFullSupervision).Select(f => new ReferenceLine(f.Setting, f.Mean, f.PerSeed.Count)).ToList(),
            ClassIouTable.Of(settings),
            all,
            ConvergedRun.Of(settings));
    }

    static string? Unmeasured(ComparedRun run)
    {
        var cycles = run.Cycles.Where(c => c.MeanIoU is null).Select(c => c.Cycle.ToString(CultureInfo.InvariantCulture)).ToList();
        return cycles.Count switch
        {
            0 => null,
            1 => $"{run.Folder}: cycle {cycles[0]} has no mIoU (not measured); skipped",
            _ => $"{run.Folder}: cycles {string.Join(", ", cycles)} have no mIoU (not measured); skipped",
        };
    }

    /// <summary>"fashion-mnist 64x64, pool 100, validation 100": what a reader needs to place the numbers.</summary>
    static string Describe(DatasetOptions data)
    {
        var parts = new List<string> { DatasetOptions.KindName(data.Kind) + (data.Root is { } root ? $" at {root}" : "") };
        if (data.Height is { } h && data.Width is { } w) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{h}x{w}"));
        if (data.Kind is DatasetKind.Synthetic or DatasetKind.FashionMnist)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"pool {data.PoolSize}, validation {data.ValidationSize} generated images"));
        return string.Join(", ", parts);
    }
}
