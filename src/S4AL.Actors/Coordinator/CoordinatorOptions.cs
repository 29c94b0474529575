namespace S4AL.Actors.Coordinator;

/// <summary>How the coordinator runs (bound from settings).</summary>
public sealed record CoordinatorOptions
{
    /// <summary>The journal key; one per cluster.</summary>
    public string PersistenceId { get; init; } = "s4al-coordinator";
    /// <summary>A snapshot after this many events, so recovery replays few.</summary>
    public int SnapshotEvery { get; init; } = 100;
    /// <summary>A shard order without an answer after this long is sent again (its scorer node may be gone).</summary>
    public TimeSpan ShardTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>
    /// Training attempts of one cycle before the experiment stops with the error. A failed attempt
    /// (a lost replay buffer, a trainer that ran out of memory) restarts from the last checkpoint.
    /// </summary>
    public int MaxTrainingAttempts { get; init; } = 3;
    /// <summary>
    /// After recovering experiments that were training, how long the coordinator waits before it
    /// gives out training: trainers register every 2 s and say what they still train, so a cycle
    /// under way on a trainer of the previous coordinator is not given to a second one.
    /// </summary>
    public TimeSpan TrainerRejoin { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How often the coordinator re-checks pending work (free trainers, overdue shards).</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(2);
}
