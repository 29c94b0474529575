namespace S4AL.Reporting.Comparison;

/// <summary>Statistics over the seeds of a setting.</summary>
public static class SeedStatistics
{
    public static double Mean(IReadOnlyList<SeedValue> values) => values.Average(v => v.Value);

    public static double Min(IReadOnlyList<SeedValue> values) => values.Min(v => v.Value);

    public static double Max(IReadOnlyList<SeedValue> values) => values.Max(v => v.Value);

    /// <summary>The sample standard deviation (n - 1: the seeds are a sample of all seeds); null for fewer than 2 seeds.</summary>
    public static double? SampleStd(IReadOnlyList<SeedValue> values)
    {
        if (values.Count < 2) return null;
        double mean = Mean(values);
        return Math.Sqrt(values.Sum(v => (v.Value - mean) * (v.Value - mean)) / (values.Count - 1));
    }
}
