namespace S4AL.Actors.Trainer;

/// <summary>How a node's trainer runs (bound from settings; see cluster-config/).</summary>
public sealed record TrainerOptions
{
    /// <summary>cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>A checkpoint at most every this many epochs (and always at the end of the cycle).</summary>
    public int CheckpointEveryEpochs { get; init; } = 1;
    /// <summary>
    /// And at least this long after the previous one: writing student, teacher and optimizer
    /// every few seconds would cost more than the work it saves. Zero: every eligible epoch.
    /// </summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How often the trainer offers itself to the coordinator (also its liveness signal after a fail-over).</summary>
    public TimeSpan RegisterInterval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>How long a replay-buffer answer may take before training fails.</summary>
    public TimeSpan ReplayTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How often an unacknowledged end-of-training report is sent again.</summary>
    public TimeSpan ReportRetryInterval { get; init; } = TimeSpan.FromSeconds(3);
}
