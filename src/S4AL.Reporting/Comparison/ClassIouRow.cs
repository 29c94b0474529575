namespace S4AL.Reporting.Comparison;

/// <summary>One class's final-cycle IoU per setting (mean over seeds), in the order of the settings; null where no seed has a value.</summary>
public sealed record ClassIouRow(string Class, IReadOnlyList<double?> PerSetting);
