namespace S4AL.Actors.Trainer;

/// <summary>How a node's trainer runs (bound from settings; see cluster-config/).</summary>
public sealed record TrainerOptions
{
    /// <summary>cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Trainer actors on the node, each training one experiment at a time (at least 1).</summary>
    public int Count { get; init; } = 1;
    /// <summary>
    /// The node's CPU threads for tensor operations, shared by its trainers; null: the job leaves
    /// its thread as the process set it (<see cref="ThreadsPerJob"/>).
    /// </summary>
    public int? Threads { get; init; }
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

    /// <summary>
    /// The intra-op threads of one training job: the node's budget split between its trainers (at
    /// least 1), so N jobs at once do not oversubscribe the cores; null when <see cref="Threads"/> is.
    /// </summary>
    public int? ThreadsPerJob => Threads is { } budget ? Math.Max(1, budget / Math.Max(1, Count)) : null;
}
