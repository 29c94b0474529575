namespace S4AL.Actors.Scorer;

/// <summary>How a node's scorer entities run.</summary>
public sealed record ScorerOptions
{
    /// <summary>cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "cpu";
}
