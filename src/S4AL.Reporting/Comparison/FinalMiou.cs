namespace S4AL.Reporting.Comparison;

/// <summary>
/// A setting's final mIoU (the last cycle of each run) over its seeds, with the share of pool
/// pixels labeled by then, and what share of full supervision it reaches (null without a
/// full-supervision setting). <see cref="Iterations"/>: the iterations of the final training
/// rounds, one per run that gives them (runs trained to convergence stop at different ones).
/// </summary>
public sealed record FinalMiou(string Setting, bool IsFullSupervision, double LabeledPixelShare, IReadOnlyList<SeedValue> PerSeed, PercentOfFull? OfFull,
    IReadOnlyList<long>? Iterations = null)
{
    public double Mean => SeedStatistics.Mean(PerSeed);
    public double Min => SeedStatistics.Min(PerSeed);
    public double Max => SeedStatistics.Max(PerSeed);
    public double? Std => SeedStatistics.SampleStd(PerSeed);

    /// <summary>
    /// The final mIoU of every setting with at least one measured final cycle. The reference for
    /// "% of full" is the full-supervision setting with the highest mean: with several (e.g.
    /// longer schedules), the best is the nearest to the upper bound.
    /// </summary>
    public static IReadOnlyList<FinalMiou> Of(IReadOnlyList<ComparedSetting> settings)
    {
        var finals = settings
            .Select(s => (Setting: s, Runs: s.Runs.Where(r => r.Final.MeanIoU is not null).ToList()))
            .Where(s => s.Runs.Count > 0)
            .Select(s => new FinalMiou(s.Setting.Name, s.Setting.IsFullSupervision, s.Runs.Average(r => r.Final.LabeledPixelShare),
                s.Runs.Select(r => new SeedValue(r.Seed, r.Final.MeanIoU!.Value)).ToList(), OfFull: null,
                s.Runs.Where(r => r.Final.Iterations is not null).Select(r => r.Final.Iterations!.Value).ToList()))
            .ToList();
        var reference = finals.Where(f => f.IsFullSupervision).MaxBy(f => f.Mean);
        // A full-supervision mIoU of 0 is no upper bound to divide by.
        return reference is null || reference.Mean <= 0 ? finals : finals.Select(f => f with { OfFull = Percent(f.PerSeed, reference) }).ToList();
    }

    static PercentOfFull Percent(IReadOnlyList<SeedValue> values, FinalMiou full)
    {
        var fullBySeed = full.PerSeed.Where(v => v.Value > 0).ToDictionary(v => v.Seed, v => v.Value);
        var paired = values.Where(v => fullBySeed.ContainsKey(v.Seed)).Select(v => new SeedValue(v.Seed, v.Value / fullBySeed[v.Seed])).ToList();
        return new PercentOfFull(full.Setting, SeedStatistics.Mean(values) / full.Mean, paired);
    }
}
