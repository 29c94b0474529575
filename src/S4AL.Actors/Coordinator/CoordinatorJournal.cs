using Akka.Persistence;
using S4AL.Actors.Telemetry;
using S4AL.Domain.Experiments;

namespace S4AL.Actors.Coordinator;

/// <summary>
/// The coordinator's journal: the <see cref="CoordinatorState"/> it replays (snapshot, then
/// events), and, for the coordinator, the one way to change it: persist a decision's events,
/// apply each, snapshot every so often. The coordinator and the read-only journal reader of
/// `s4al status` share the replay, so both see the same state.
/// </summary>
public abstract class CoordinatorJournal : ReceivePersistentActor
{
    readonly int _snapshotEvery;

    protected CoordinatorJournal(int snapshotEvery = int.MaxValue)
    {
        _snapshotEvery = snapshotEvery;
        Recover<SnapshotOffer>(o => { if (o.Snapshot is CoordinatorSnapshot s) State = CoordinatorState.FromSnapshot(s); });
        Recover<IExperimentEvent>(e => State = State.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(_ => { });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    protected CoordinatorState State { get; private set; } = CoordinatorState.Empty;

    /// <summary>The journal is replayed; commands come next.</summary>
    protected abstract void OnRecovered();

    /// <summary>An event is in the journal and applied: tell whoever must know.</summary>
    protected virtual void OnPersisted(IExperimentEvent e) { }

    /// <summary>Persists the decision's events, applies each (then <see cref="OnPersisted"/>), then runs <paramref name="then"/>.</summary>
    protected void PersistThen(Decision decision, Action then)
    {
        if (decision.Events.IsEmpty) { then(); return; }
        int left = decision.Events.Length;
        long persisting = System.Diagnostics.Stopwatch.GetTimestamp();
        PersistAll(decision.Events, e =>
        {
            S4alMetrics.PersistenceLatency.Record(System.Diagnostics.Stopwatch.GetElapsedTime(persisting).TotalMilliseconds);
            State = State.Apply(e);
            OnPersisted(e);
            if (LastSequenceNr % _snapshotEvery == 0) SaveSnapshot(State.ToSnapshot());
            if (--left == 0) then();
        });
    }

    /// <summary>
    /// A journal that cannot be read stops the actor. The coordinator's local run command and the
    /// logs must say why, in one line: published as <see cref="CoordinatorRecoveryFailed"/>.
    /// </summary>
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        ActorLogger.For(Context, GetType()).Error(null, reason, "the coordinator cannot recover from its journal");
        Context.System.EventStream.Publish(new CoordinatorRecoveryFailed(Describe(reason)));
        base.OnRecoveryFailure(reason, message);
    }

    /// <summary>An event the journal refuses (e.g. it cannot be serialized): its experiment must stop, not retry forever.</summary>
    protected virtual void OnRejected(IExperimentEvent e, string reason) { }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        if (@event is IExperimentEvent e) OnRejected(e, $"the journal refused event {e.GetType().Name}: {cause.Message}");
    }

    /// <summary>The innermost cause of a recovery failure, as one line.</summary>
    protected static string Describe(Exception reason)
    {
        var detail = reason is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : reason;
        return $"{detail.GetType().Name}: {detail.Message}";
    }
}
