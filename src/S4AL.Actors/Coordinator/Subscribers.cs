using Akka.Actor;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Actors.Coordinator;

/// <summary>Who follows which experiment (the Subscribe protocol); not persisted, subscribers subscribe again after a fail-over.</summary>
sealed class Subscribers
{
    readonly Dictionary<ExperimentId, HashSet<IActorRef>> _byExperiment = new();

    /// <summary>
    /// Adds a subscriber and sends it the experiment's state (null if unknown), then its failure if
    /// it is stopped; false if it followed the experiment already.
    /// </summary>
    public bool Add(ExperimentId experiment, IActorRef subscriber, ExperimentState? state, string? failure)
    {
        if (!_byExperiment.TryGetValue(experiment, out var set)) _byExperiment[experiment] = set = new HashSet<IActorRef>();
        subscriber.Tell(new Subscribed(experiment, state is null ? null : ExperimentSnapshot.From(state)));
        if (failure is not null && state is not null) subscriber.Tell(new ExperimentFailed(experiment, state.Cycle, failure));
        return set.Add(subscriber);
    }

    public void Remove(IActorRef subscriber)
    {
        foreach (var set in _byExperiment.Values) set.Remove(subscriber);
    }

    public void Publish(ExperimentId experiment, object message)
    {
        if (_byExperiment.TryGetValue(experiment, out var set))
            foreach (var subscriber in set) subscriber.Tell(message);
    }
}
