namespace S4AL.Reporting.Comparison;

/// <summary>A number measured by the run of one seed (a final mIoU, a difference, a ratio).</summary>
public sealed record SeedValue(int Seed, double Value);
