using S4AL.Learning.ActiveLearning;

namespace S4AL.Reporting.Comparison;

/// <summary>A finished run: what it was (its folder's settings.json) and what it measured, cycle by cycle (cycles.json).</summary>
public sealed record ComparedRun(string Folder, ExperimentDefinition Definition, IReadOnlyList<RunCycle> Cycles)
{
    public int Seed => Definition.Settings.Seed;

    public bool IsFullSupervision => Definition.Settings.Mode == TrainingMode.FullySupervised;

    /// <summary>The last training round, the one a run is judged by.</summary>
    public RunCycle Final => Cycles[^1];
}
