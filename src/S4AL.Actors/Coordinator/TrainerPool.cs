using Akka.Actor;
using S4AL.Domain;

namespace S4AL.Actors.Coordinator;

/// <summary>
/// The coordinator's trainers: which are registered, which is free, which trains which
/// experiment. Not persisted: trainers register again with a new coordinator (fail-over).
/// </summary>
sealed class TrainerPool
{
    sealed class Slot(string node, string device)
    {
        public string Node { get; } = node;
        public string Device { get; } = device;
        public ExperimentId? Assigned { get; set; }
    }

    readonly Dictionary<IActorRef, Slot> _slots = new();
    readonly Dictionary<ExperimentId, IActorRef> _training = new();

    /// <summary>Adds a trainer; false if it is registered already.</summary>
    public bool Register(IActorRef trainer, string node, string device) => _slots.TryAdd(trainer, new Slot(node, device));

    /// <summary>Forgets a trainer that is gone: its node, and the experiment it was training (null if none).</summary>
    public (string Node, ExperimentId? Lost)? Remove(IActorRef trainer)
    {
        if (!_slots.Remove(trainer, out var slot)) return null;
        ExperimentId? lost = slot.Assigned is { } id && _training.TryGetValue(id, out var t) && t.Equals(trainer) ? id : null;
        if (lost is { } l) _training.Remove(l);
        return (slot.Node, lost);
    }

    public bool IsTraining(ExperimentId experiment) => _training.ContainsKey(experiment);

    /// <summary>Whether a registered trainer has nothing to do.</summary>
    public bool HasFree => _slots.Values.Any(s => s.Assigned is null);

    /// <summary>The node training <paramref name="experiment"/>, if any.</summary>
    public string? NodeOf(ExperimentId experiment) =>
        _training.TryGetValue(experiment, out var t) && _slots.TryGetValue(t, out var slot) ? slot.Node : null;

    /// <summary>Gives <paramref name="experiment"/> a free trainer, if there is one.</summary>
    public (IActorRef Trainer, string Node)? Assign(ExperimentId experiment)
    {
        var free = _slots.FirstOrDefault(s => s.Value.Assigned is null);
        if (free.Key is null) return null;
        free.Value.Assigned = experiment;
        _training[experiment] = free.Key;
        return (free.Key, free.Value.Node);
    }

    /// <summary>The experiment's trainer is free again (it finished, failed or was cancelled).</summary>
    public void Release(ExperimentId experiment)
    {
        _training.Remove(experiment);
        foreach (var slot in _slots.Values.Where(s => s.Assigned == experiment)) slot.Assigned = null;
    }

    /// <summary>Whether <paramref name="trainer"/> is the one training <paramref name="experiment"/>.</summary>
    public bool Trains(IActorRef trainer, ExperimentId experiment) => _training.TryGetValue(experiment, out var t) && t.Equals(trainer);

    /// <summary>A trainer refused <paramref name="refused"/>: it works for <paramref name="busyWith"/> (e.g. assigned by the coordinator before a fail-over).</summary>
    public void Busy(IActorRef trainer, ExperimentId refused, ExperimentId busyWith)
    {
        if (Trains(trainer, refused)) _training.Remove(refused);
        StillTraining(trainer, busyWith);
    }

    /// <summary>
    /// <paramref name="trainer"/> says it trains <paramref name="experiment"/> (given to it before a
    /// fail-over), so no other trainer may be given it: two would train one cycle at once.
    /// </summary>
    public void StillTraining(IActorRef trainer, ExperimentId experiment)
    {
        if (!_slots.TryGetValue(trainer, out var slot)) return;
        slot.Assigned = experiment;
        _training.TryAdd(experiment, trainer);
    }
}
