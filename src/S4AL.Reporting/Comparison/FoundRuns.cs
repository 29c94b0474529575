namespace S4AL.Reporting.Comparison;

/// <summary>The finished runs found in the folders given, and a line for each run folder left out (unfinished).</summary>
public sealed record FoundRuns(IReadOnlyList<ComparedRun> Runs, IReadOnlyList<string> Warnings);
