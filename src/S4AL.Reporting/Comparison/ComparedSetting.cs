namespace S4AL.Reporting.Comparison;

/// <summary>One setting: runs whose definitions differ only in the seed, ordered by seed, named by what sets it apart from the others.</summary>
public sealed record ComparedSetting(string Name, IReadOnlyList<ComparedRun> Runs)
{
    /// <summary>Full supervision: every pixel labeled, one training round; the upper bound the others are measured against.</summary>
    public bool IsFullSupervision => Runs[0].IsFullSupervision;
}
