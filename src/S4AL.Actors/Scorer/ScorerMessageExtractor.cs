using Akka.Cluster.Sharding;
using static S4AL.Domain.Protocols.ScorerProtocol;

namespace S4AL.Actors.Scorer;

/// <summary>Routes a shard's scoring order to the entity of that pool shard.</summary>
public sealed class ScorerMessageExtractor(int maxShards = 64) : HashCodeMessageExtractor(maxShards)
{
    public override string EntityId(object message) => message switch
    {
        ScoreShard m => m.EntityId,
        _ => throw new ArgumentException($"{message.GetType().Name} is not a scorer message", nameof(message)),
    };
}
