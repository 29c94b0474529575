namespace S4AL.Node.Configuration;

/// <summary>The section Trainer of <see cref="S4alSettings"/>: the trainers of a node with the trainer role.</summary>
public sealed record TrainerSection
{
    /// <summary>Trainer actors on the node, each training one experiment at a time; they share Node:Threads.</summary>
    public int Count { get; init; } = 1;
}
