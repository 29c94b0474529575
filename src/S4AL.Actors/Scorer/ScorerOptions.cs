namespace S4AL.Actors.Scorer;

/// <summary>How a node's scorer entities run.</summary>
public sealed record ScorerOptions
{
    /// <summary>cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>
    /// Shards a node scores at the same time. One by default: a scoring pass already uses every
    /// thread libtorch has, and several at once on the same cores only make them wait on each other.
    /// </summary>
    public int ConcurrentShards { get; init; } = 1;
}
