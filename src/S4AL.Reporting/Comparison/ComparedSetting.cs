namespace S4AL.Reporting.Comparison;

/// <summary>
/// One setting: runs whose definitions differ only in the seed, ordered by seed, named by what
/// sets it apart from the others (<see cref="Fields"/>), or by the name a sweep gave it
/// (<c>--setting NAME=...</c>), <see cref="Fields"/> then saying what sets it apart.
/// </summary>
public sealed record ComparedSetting(string Name, IReadOnlyList<ComparedRun> Runs, string? Fields = null)
{
    /// <summary>Full supervision: every pixel labeled, one training round; the upper bound the others are measured against.</summary>
    public bool IsFullSupervision => Runs[0].IsFullSupervision;
}
