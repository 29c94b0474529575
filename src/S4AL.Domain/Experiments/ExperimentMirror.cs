using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Domain.Experiments;

/// <summary>
/// A subscriber's copy of one experiment's state (the Subscribe protocol): the snapshot it got,
/// then every event applied in order. It tells when the copy can no longer be trusted (an event
/// that does not follow, or a status that is ahead after a coordinator fail-over), so the
/// subscriber subscribes again and gets a fresh snapshot.
/// </summary>
public sealed class ExperimentMirror(ExperimentId experiment)
{
    public ExperimentId Experiment { get; } = experiment;
    public ExperimentState? State { get; private set; }

    /// <summary>Takes the snapshot of a <see cref="Subscribed"/> (null: the coordinator does not know the experiment yet).</summary>
    public void Reset(ExperimentSnapshot? snapshot) => State = snapshot?.ToState();

    /// <summary>Applies an event of this experiment; false when it does not follow the copy (subscribe again).</summary>
    public bool TryApply(IExperimentEvent e)
    {
        if (e.Experiment != Experiment) return true;
        if (State is null) return false;
        try { State = State.Apply(e); return true; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Whether a status from the coordinator shows progress the copy has not seen (events were missed, labels included).</summary>
    public bool IsBehind(ExperimentStatus status) =>
        status.Found && (State is null || status.Phase != State.Phase || status.Cycle != State.Cycle
                         || status.ShardsScored != State.ScoredShards.Count || status.Completed.Length != State.History.Count
                         || (status.Phase == CyclePhase.Annotating && status.RegionsLabeled != State.CycleLabels.Count));
}
