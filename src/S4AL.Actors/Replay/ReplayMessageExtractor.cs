using Akka.Cluster.Sharding;
using static S4AL.Domain.Protocols.ReplayProtocol;

namespace S4AL.Actors.Replay;

/// <summary>Routes replay messages to the entity of their experiment.</summary>
public sealed class ReplayMessageExtractor(int maxShards = 32) : HashCodeMessageExtractor(maxShards)
{
    public override string EntityId(object message) => message switch
    {
        ResetReplay m => m.Experiment.Value,
        ReplayExchange m => m.Experiment.Value,
        GetReplayState m => m.Experiment.Value,
        _ => throw new ArgumentException($"{message.GetType().Name} is not a replay-buffer message", nameof(message)),
    };
}
