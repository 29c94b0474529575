namespace S4AL.Actors.Scorer;

/// <summary>How a node's scorer entities run.</summary>
public sealed record ScorerOptions
{
    /// <summary>cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>
    /// Fault-injection knob for tests and demos: shard i waits (i + 1) times this long before it is
    /// scored, so shards finish one by one and a node can be killed in the middle of scoring. Zero in production.
    /// </summary>
    public TimeSpan DelayPerShard { get; init; } = TimeSpan.Zero;
}
