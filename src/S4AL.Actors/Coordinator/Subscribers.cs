using Akka.Actor;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Actors.Coordinator;

/// <summary>Who follows which experiment (the Subscribe protocol); not persisted, subscribers subscribe again after a fail-over.</summary>
sealed class Subscribers
{
    // Each subscriber with whether it wants training progress (false: persisted events only).
    readonly Dictionary<ExperimentId, Dictionary<IActorRef, bool>> _byExperiment = new();

    /// <summary>
    /// Adds a subscriber and sends it the experiment's state (null if unknown), then its failure if
    /// it is stopped; false if it followed the experiment already.
    /// </summary>
    public bool Add(ExperimentId experiment, IActorRef subscriber, bool progress, ExperimentState? state, string? failure)
    {
        if (!_byExperiment.TryGetValue(experiment, out var set)) _byExperiment[experiment] = set = new Dictionary<IActorRef, bool>();
        subscriber.Tell(new Subscribed(experiment, state is null ? null : ExperimentSnapshot.From(state)));
        if (failure is not null && state is not null) subscriber.Tell(new ExperimentFailed(experiment, state.Cycle, failure));
        bool added = !set.ContainsKey(subscriber);
        set[subscriber] = progress;
        return added;
    }

    public void Remove(IActorRef subscriber)
    {
        foreach (var set in _byExperiment.Values) set.Remove(subscriber);
    }

    /// <summary>Sends a persisted event (or a failure) to every subscriber of the experiment.</summary>
    public void Publish(ExperimentId experiment, object message) => Send(experiment, message, progress: false);

    /// <summary>Sends training progress to the subscribers of the experiment that asked for it.</summary>
    public void PublishProgress(ExperimentId experiment, object progress) => Send(experiment, progress, progress: true);

    void Send(ExperimentId experiment, object message, bool progress)
    {
        if (!_byExperiment.TryGetValue(experiment, out var set)) return;
        foreach (var (subscriber, wantsProgress) in set)
            if (!progress || wantsProgress) subscriber.Tell(message);
    }
}
