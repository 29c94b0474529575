namespace S4AL.Reporting.Comparison;

/// <summary>
/// A setting's final mIoU as a share of full supervision's (<see cref="Reference"/>): of the means,
/// and seed by seed for the seeds both have (the same seed means the same generated data and
/// initial set, so the per-seed ratios take that variation out).
/// </summary>
public sealed record PercentOfFull(string Reference, double OfMeans, IReadOnlyList<SeedValue> PerSeed)
{
    /// <summary>The mean of the per-seed ratios; null when no seed is shared.</summary>
    public double? PairedMean => PerSeed.Count > 0 ? SeedStatistics.Mean(PerSeed) : null;
}
