using MessagePack;
using S4AL.Domain.Experiments;

namespace S4AL.Domain.Protocols;

/// <summary>Messages to scorer entities (Cluster Sharding, role <c>scorer</c>, one entity per pool shard).</summary>
public static class ScorerProtocol
{
    /// <summary>
    /// Score <paramref name="Images"/> with <paramref name="Model"/> and reply
    /// <see cref="CoordinatorProtocol.ReportShardScored"/> to the sender with the shard's best
    /// candidates only. <paramref name="Labeled"/> are the already labeled regions of these images.
    /// </summary>
    [MessagePackObject]
    public sealed record ScoreShard(
        [property: Key(0)] ExperimentId Experiment,
        [property: Key(1)] string Definition,
        [property: Key(2)] int Cycle,
        [property: Key(3)] int Shard,
        [property: Key(4)] int[] Images,
        [property: Key(5)] RegionId[] Labeled,
        [property: Key(6)] CheckpointRef Model,
        [property: Key(7)] string? TraceParent) : IS4alMessage
    {
        /// <summary>The sharding entity: one per pool shard, whatever the experiment, so a node's cached model serves every shard it owns.</summary>
        [IgnoreMember] public string EntityId => $"shard-{Shard}";
    }
}
