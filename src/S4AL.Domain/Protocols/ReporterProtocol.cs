using MessagePack;

namespace S4AL.Domain.Protocols;

/// <summary>
/// Messages to the reporter of an experiment: the sharded entity (one per experiment, on scorer
/// nodes, which read the data) that writes the run folder's results from the experiment's events,
/// so the coordinator never renders a file.
/// </summary>
public static class ReporterProtocol
{
    /// <summary>Keep the run folder's results of this experiment up to date (idempotent; the coordinator sends it).</summary>
    [MessagePackObject]
    public sealed record StartReporting([property: Key(0)] ExperimentId Experiment) : IS4alMessage;

    /// <summary>Answer <see cref="ReportsWritten"/> once the results of at least <paramref name="Cycles"/> finished cycles are written.</summary>
    [MessagePackObject]
    public sealed record FlushReports([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycles) : IS4alMessage;

    /// <summary>The results of <paramref name="Cycles"/> finished cycles are on disk; <paramref name="Error"/> says why not, if the last write failed.</summary>
    [MessagePackObject]
    public sealed record ReportsWritten([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycles, [property: Key(2)] string? Error) : IS4alMessage;
}
