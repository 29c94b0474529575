namespace S4AL.Reporting.Comparison;

/// <summary>What `s4al compare` wrote (the paths of its files), what it compared, and the run folders it left out.</summary>
public sealed record ComparisonOutput(SettingComparison Comparison, IReadOnlyList<string> Files, IReadOnlyList<string> Warnings);
