using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using S4AL.Actors.Hosting;
using S4AL.Actors.Reports;
using S4AL.Actors.Telemetry;
using S4AL.Actors.Workspace;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.Acquisition;
using S4AL.Learning.Data;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.ScorerProtocol;
using static S4AL.Domain.Protocols.TrainerProtocol;

namespace S4AL.Actors.Coordinator;

/// <summary>
/// Advances every experiment through its cycles (a cluster singleton on role
/// <c>coordinator</c>, event-sourced). Decisions come from <see cref="ExperimentDecisions"/>;
/// events are persisted before anything is acknowledged or sent, and after a restart the
/// actor resumes each experiment in the phase its journal shows: it re-asks for training
/// from the last reported checkpoint, re-sends only shards without a persisted result and
/// never re-acquires a cycle that was acquired.
/// </summary>
public sealed class CoordinatorActor : ReceivePersistentActor, IWithTimers
{
    sealed record Tick : INoSerializationVerificationNeeded
    {
        public static readonly Tick Instance = new();
    }

    sealed record TrainerSlot(string Node, string Device)
    {
        public ExperimentId? Assigned { get; set; }
    }

    readonly ActorLogger _log = ActorLogger.For(Context, typeof(CoordinatorActor));
    readonly CycleTraces _traces = new(((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString());
    readonly CoordinatorOptions _options;
    readonly IActorRef _scorers;
    readonly ExperimentDataCache _data;
    CoordinatorState _state = CoordinatorState.Empty;
    readonly Dictionary<IActorRef, TrainerSlot> _trainers = new();
    readonly Dictionary<ExperimentId, IActorRef> _training = new();
    readonly Dictionary<(ExperimentId Experiment, int Cycle, int Shard), DateTime> _shardsInFlight = new();
    readonly Dictionary<ExperimentId, HashSet<IActorRef>> _subscribers = new();
    // Experiments stopped by an error, until they are submitted again; not persisted, so a restart retries them.
    readonly Dictionary<ExperimentId, string> _failed = new();
    readonly Dictionary<(ExperimentId, int), int> _trainingFailures = new();
    // Attempts this incarnation started and has not sent to a trainer yet; any other attempt found in the state is stale and gets a new one.
    readonly HashSet<(ExperimentId Experiment, int Cycle, int Attempt)> _freshAttempts = new();

    public CoordinatorActor(CoordinatorOptions options, IActorRef scorers, ExperimentDataCache data)
    {
        _options = options;
        _scorers = scorers;
        _data = data;

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is CoordinatorSnapshot snapshot) _state = CoordinatorState.FromSnapshot(snapshot);
        });
        Recover<IExperimentEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            foreach (var s in _state.Experiments.Values)
                _log.Info(null, "recovered experiment {0}: cycle {1}, phase {2}, {3} cycles done", s.Id, s.Cycle, s.Phase, s.History.Count);
            Timers.StartPeriodicTimer("tick", Tick.Instance, _options.TickInterval);
            Self.Tell(Tick.Instance);
            if (Context.System.Settings.ProviderClass.Contains("Cluster"))
                Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, Akka.Cluster.ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(Akka.Cluster.ClusterEvent.IMemberEvent));
        });

        Command<SubmitExperiment>(OnSubmit);
        Command<GetStatus>(g => Sender.Tell(Status(g.Experiment)));
        Command<ListExperiments>(_ => Sender.Tell(new ExperimentList(_state.Experiments.Values.Select(s => Status(s.Id)).ToArray())));
        Command<Subscribe>(s =>
        {
            if (!_subscribers.TryGetValue(s.Experiment, out var set)) _subscribers[s.Experiment] = set = new HashSet<IActorRef>();
            if (set.Add(Sender)) Context.Watch(Sender);
            Sender.Tell(new Subscribed(s.Experiment, _state.Find(s.Experiment) is { } known ? ExperimentSnapshot.From(known) : null));
            if (_failed.TryGetValue(s.Experiment, out var error) && _state.Find(s.Experiment) is { } failed)
                Sender.Tell(new ExperimentFailed(s.Experiment, failed.Cycle, error));
        });
        Command<RegisterTrainer>(r =>
        {
            if (!_trainers.ContainsKey(Sender))
            {
                _trainers[Sender] = new TrainerSlot(r.Node, r.Device);
                Context.Watch(Sender);
                _log.Info(null, "trainer {0} ({1}) registered", r.Node, r.Device);
            }
            Sender.Tell(new TrainerRegistered());
            AdvanceAll();
        });
        Command<Terminated>(t => OnTerminated(t.ActorRef));
        Command<Handshake>(h =>
        {
            var mine = Compatibility.Of(Context.System);
            var refusal = mine.Refusal(h);
            if (refusal is null) { Sender.Tell(new HandshakeAccepted()); return; }
            _log.Warning(null, "refused node {0}: {1}", h.Node, refusal);
            Sender.Tell(new HandshakeRefused(refusal));
        });
        Command<ReportCheckpoint>(OnCheckpoint);
        Command<ReportTrained>(OnTrained);
        Command<ReportTrainingFailed>(OnTrainingFailed);
        Command<TrainingCancelled>(c => Release(c.Experiment));
        Command<TrainerBusy>(b =>
        {
            // The trainer works for another experiment (e.g. assigned by a coordinator before a fail-over).
            if (_trainers.TryGetValue(Sender, out var slot)) slot.Assigned = b.BusyWith;
            if (_training.TryGetValue(b.Experiment, out var t) && t.Equals(Sender)) _training.Remove(b.Experiment);
        });
        Command<ReportShardScored>(OnShardScored);
        Command<ReportShardFailed>(f =>
        {
            _shardsInFlight.Remove((f.Experiment, f.Cycle, f.Shard));
            Fail(f.Experiment, f.Cycle, $"scoring shard {f.Shard} failed: {f.Error}");
        });
        Command<StepProgress>(p => Publish(p.Experiment, p));
        Command<EpochProgress>(p => Publish(p.Experiment, p));
        Command<Tick>(_ => { ResendOverdueShards(); AdvanceAll(); });
        Command<Akka.Cluster.ClusterEvent.MemberRemoved>(removed =>
        {
            // A node left or was downed: the orders it held are lost. Sharding moves its shards to other
            // scorer nodes; once it has (a few seconds), every unanswered order goes out again (results are idempotent).
            if (_shardsInFlight.Count == 0) return;
            _log.Warning(null, "node {0} left the cluster; sending {1} unanswered shard orders again in {2:0}s", removed.Member.Address, _shardsInFlight.Count, ResendAfterNodeLoss.TotalSeconds);
            var due = DateTime.UtcNow - _options.ShardTimeout + ResendAfterNodeLoss;
            foreach (var key in _shardsInFlight.Keys.ToList())
                if (_shardsInFlight[key] > due) _shardsInFlight[key] = due;
        });
        Command<Akka.Cluster.ClusterEvent.IMemberEvent>(_ => { });
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning(null, "snapshot failed: {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId => _options.PersistenceId;

    /// <summary>Time for sharding to hand a lost node's shards to the others before their orders are re-sent.</summary>
    static readonly TimeSpan ResendAfterNodeLoss = TimeSpan.FromSeconds(5);

    /// <summary>An event the journal refuses (e.g. it cannot be serialized) must stop the experiment, not be retried forever.</summary>
    protected override void PostStop()
    {
        if (Context.System.Settings.ProviderClass.Contains("Cluster")) Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        _traces.StopAll("the coordinator stopped (fail-over or shutdown); the cycle continues in a new, linked trace");
        base.PostStop();
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        if (@event is IExperimentEvent e)
            Fail(e.Experiment, _state.Find(e.Experiment)?.Cycle ?? 0, $"the journal refused event {e.GetType().Name}: {cause.Message}");
    }

    /// <summary>A journal that cannot be read stops the coordinator; the local run command and the logs must say why, in one line.</summary>
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        var detail = reason is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : reason;
        _log.Error(null, reason, "the coordinator cannot recover from its journal");
        Context.System.EventStream.Publish(new CoordinatorRecoveryFailed($"{detail.GetType().Name}: {detail.Message}"));
        base.OnRecoveryFailure(reason, message);
    }
    public ITimerScheduler Timers { get; set; } = null!;

    void OnSubmit(SubmitExperiment submit)
    {
        var id = submit.Plan.Id;
        var decision = ExperimentDecisions.Submit(_state.Find(id), submit.Plan);
        if (decision.IsRefused)
        {
            Sender.Tell(new SubmitRefused(id, decision.Refusal!));
            return;
        }
        bool known = decision.Events.IsEmpty;
        _failed.Remove(id);
        foreach (var key in _trainingFailures.Keys.Where(k => k.Item1 == id).ToList()) _trainingFailures.Remove(key);
        var replyTo = Sender;
        PersistThen(decision, () =>
        {
            _log.Info(null, known ? "experiment {0} submitted again: resuming" : "experiment {0} submitted", id);
            replyTo.Tell(new SubmitAccepted(id, known, Status(id)));
            Advance(id);
        });
    }

    void OnTrainingFailed(ReportTrainingFailed f)
    {
        Release(f.Experiment);
        if (_state.Find(f.Experiment) is not { } s) return;
        var decision = ExperimentDecisions.AttemptFailed(s, f.Cycle, f.Attempt, f.Error);
        // A late report of an attempt already ended (or of another cycle) changes nothing.
        if (decision.Events.IsEmpty) return;
        var key = (f.Experiment, f.Cycle);
        int failures = _trainingFailures[key] = _trainingFailures.GetValueOrDefault(key) + 1;
        int attempt = s.Attempt;
        PersistThen(decision, () =>
        {
            var training = _traces.Phase(f.Experiment);
            training.Event("training attempt failed", ("error.message", f.Error), (S4alTelemetry.Tags.Attempt, attempt));
            if (failures < _options.MaxTrainingAttempts)
            {
                _log.Warning(training, "experiment {0} cycle {1} attempt {2}: training failed ({3}); trying again from the last checkpoint ({4} of {5} attempts failed)",
                    f.Experiment, f.Cycle, attempt, f.Error, failures, _options.MaxTrainingAttempts);
                Advance(f.Experiment);
                return;
            }
            Fail(f.Experiment, f.Cycle, $"training failed: {f.Error}");
        });
    }

    void OnCheckpoint(ReportCheckpoint report)
    {
        var replyTo = Sender;
        if (_state.Find(report.Experiment) is not { } s) return;
        var decision = ExperimentDecisions.Checkpoint(s, report.Checkpoint);
        PersistThen(decision, () =>
        {
            // Logged after the journal has it: from here on a crash resumes from this checkpoint.
            if (!decision.Events.IsEmpty)
                _log.Info(_traces.Phase(report.Experiment), "experiment {0} cycle {1}: checkpoint after epoch {2} recorded", report.Experiment, report.Checkpoint.Cycle, report.Checkpoint.EpochsDone);
            replyTo.Tell(new CheckpointAccepted(report.Experiment, report.Checkpoint.Cycle, report.Checkpoint.Step));
        });
    }

    void OnTrained(ReportTrained report)
    {
        var replyTo = Sender;
        if (_state.Find(report.Experiment) is not { } s) return;
        var decision = ExperimentDecisions.Trained(s, report.Cycle, report.Model, report.Evaluation);
        if (!decision.Events.IsEmpty && _traces.Phase(report.Experiment) is { } training)
        {
            training.SetTag(S4alTelemetry.Tags.MeanIoU, report.Evaluation.MeanIoU());
            training.SetTag(S4alTelemetry.Tags.Checkpoint, report.Model.Sha256);
        }
        bool stale = decision.Events.IsEmpty && s.Cycle == report.Cycle && s.Phase == CyclePhase.Training;
        PersistThen(decision, () =>
        {
            // A duplicate of a persisted report is confirmed again, so the trainer stops re-sending it.
            if (!stale) replyTo.Tell(new TrainedAccepted(report.Experiment, report.Cycle));
            if (_training.TryGetValue(report.Experiment, out var t) && t.Equals(replyTo)) Release(report.Experiment);
            if (!decision.Events.IsEmpty)
            {
                _log.Info(_traces.Phase(report.Experiment), "experiment {0} cycle {1}: trained, validation mIoU {2:0.0000}", report.Experiment, report.Cycle, report.Evaluation.MeanIoU());
                if (_state.Find(report.Experiment)!.IsDone) WriteReports(report.Experiment);
            }
            Advance(report.Experiment);
        });
    }

    void OnShardScored(ReportShardScored report)
    {
        _shardsInFlight.Remove((report.Experiment, report.Cycle, report.Shard));
        if (_state.Find(report.Experiment) is not { } s) return;
        var decision = ExperimentDecisions.ShardDone(s, report.Cycle, report.Shard, report.Candidates, report.Seconds);
        if (decision.IsRefused)
        {
            Fail(report.Experiment, report.Cycle, $"shard {report.Shard} from {report.Node}: {decision.Refusal}");
            return;
        }
        PersistThen(decision, () =>
        {
            if (!decision.Events.IsEmpty)
                _log.Info(_traces.Phase(report.Experiment), "experiment {0} cycle {1}: shard {2} recorded", report.Experiment, report.Cycle, report.Shard);
            Advance(report.Experiment);
        });
    }

    void AdvanceAll()
    {
        foreach (var id in _state.Experiments.Values.Select(s => s.Id).ToList()) Advance(id);
    }

    /// <summary>Does the next thing the experiment's state asks for, if it is not under way already.</summary>
    void Advance(ExperimentId id)
    {
        if (_state.Find(id) is not { } s || _failed.ContainsKey(id)) return;
        if (_traces.Sync(s) is { } traceParent) PersistThen(ExperimentDecisions.Traced(s, traceParent), () => { });
        try
        {
            switch (ExperimentDecisions.Next(s))
            {
                case NextAction.Train:
                    StartTraining(s);
                    break;
                case NextAction.Score:
                    SendShards(s);
                    break;
                case NextAction.Acquire:
                    var data = _data.Get(s.Plan.Definition, $"experiment {id}");
                    var shardResults = s.ScoredShards.Values
                        .Select(r => (IReadOnlyList<RegionScore>)r.Candidates.Select(c => new RegionScore(c.Image, c.Region, (float)c.Score)).ToList());
                    var merged = RegionSelection.Merge(shardResults, data.Settings.Budget).Select(r => new RegionKey(r.Image, r.Region)).ToArray();
                    var acquisition = ExperimentDecisions.Acquire(s, s.Cycle, merged);
                    if (acquisition.IsRefused)
                    {
                        Fail(id, s.Cycle, $"the merged acquisition was refused: {acquisition.Refusal}");
                        break;
                    }
                    var acquiring = _traces.Phase(id);
                    acquiring?.SetTag(S4alTelemetry.Tags.Shards, s.ScoredShards.Count);
                    acquiring?.SetTag(S4alTelemetry.Tags.Candidates, s.ScoredShards.Values.Sum(r => r.Candidates.Length));
                    acquiring?.SetTag(S4alTelemetry.Tags.Budget, data.Settings.Budget);
                    acquiring?.SetTag(S4alTelemetry.Tags.Regions, merged.Length);
                    PersistThen(acquisition, () =>
                    {
                        _log.Info(acquiring, "experiment {0} cycle {1}: acquired {2} regions", id, s.Cycle, merged.Length);
                        Advance(id);
                    });
                    break;
                case NextAction.Annotate:
                    // Oracle mode: the dataset's ground truth is the annotation, revealed by the labeled set itself.
                    var annotating = _traces.Phase(id);
                    annotating?.SetTag(S4alTelemetry.Tags.Regions, s.CycleAcquisition.Length);
                    annotating?.SetTag("s4al.annotator", "oracle");
                    PersistThen(ExperimentDecisions.Annotate(s, s.Cycle), () =>
                    {
                        WriteReports(id);
                        Advance(id);
                    });
                    break;
                case NextAction.StartNextCycle:
                    PersistThen(ExperimentDecisions.StartNextCycle(s), () => Advance(id));
                    break;
                case NextAction.None:
                    break;
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
        {
            Fail(id, s.Cycle, e.Message);
        }
    }

    void StartTraining(ExperimentState s)
    {
        if (_training.ContainsKey(s.Id)) return;
        var free = _trainers.FirstOrDefault(t => t.Value.Assigned is null);
        if (free.Key is null) return;
        var trainer = free.Key;
        free.Value.Assigned = s.Id;
        _training[s.Id] = trainer;
        var decision = _freshAttempts.Remove((s.Id, s.Cycle, s.Attempt)) ? Decision.None : ExperimentDecisions.StartAttempt(s);
        PersistThen(decision, () =>
        {
            _freshAttempts.Remove((s.Id, s.Cycle, _state.Find(s.Id)!.Attempt));
            var now = _state.Find(s.Id)!;
            var training = _traces.Phase(s.Id);
            training?.SetTag(S4alTelemetry.Tags.Attempt, now.Attempt);
            training.Event("sent to trainer", ("s4al.trainer", free.Value.Node), (S4alTelemetry.Tags.Attempt, now.Attempt),
                (S4alTelemetry.Tags.ResumedFrom, now.LastCheckpoint?.Sha256));
            _log.Info(training, "experiment {0} cycle {1} attempt {2}: training on {3}{4}", s.Id, now.Cycle, now.Attempt, free.Value.Node,
                now.LastCheckpoint is { } c ? $" from checkpoint of epoch {c.EpochsDone}" : "");
            trainer.Tell(new TrainCycle(now.Plan, now.Cycle, now.Attempt, now.LabeledSet(), now.LastCheckpoint, S4alTelemetry.TraceParentOf(training)));
        });
    }

    void SendShards(ExperimentState s)
    {
        var labeled = s.Acquired;
        var scoring = _traces.Phase(s.Id);
        scoring?.SetTag(S4alTelemetry.Tags.Shards, s.Shards().Length);
        var traceParent = S4alTelemetry.TraceParentOf(scoring);
        foreach (var shard in s.MissingShards())
        {
            var key = (s.Id, s.Cycle, shard.Index);
            if (_shardsInFlight.ContainsKey(key)) continue;
            var images = shard.Images.ToHashSet();
            var order = new ScoreShard(s.Id, s.Plan.Definition, s.Cycle, shard.Index, shard.Images.ToArray(),
                labeled.Where(r => images.Contains(r.Image)).ToArray(), s.Model!, traceParent);
            _scorers.Tell(order);
            _shardsInFlight[key] = DateTime.UtcNow;
        }
    }

    void ResendOverdueShards()
    {
        var now = DateTime.UtcNow;
        foreach (var (key, sent) in _shardsInFlight.ToList())
            if (now - sent > _options.ShardTimeout)
            {
                _traces.Phase(key.Experiment).Event("shard re-sent", (S4alTelemetry.Tags.Shard, key.Shard));
                _log.Warning(_traces.Phase(key.Experiment), "experiment {0} cycle {1}: shard {2} unanswered after {3:0}s; sending it again", key.Experiment, key.Cycle, key.Shard, (now - sent).TotalSeconds);
                _shardsInFlight.Remove(key);
            }
    }

    void OnTerminated(IActorRef actor)
    {
        foreach (var set in _subscribers.Values) set.Remove(actor);
        if (_trainers.Remove(actor, out var slot))
        {
            _log.Warning(slot.Assigned is { } lost ? _traces.Phase(lost) : null, "trainer {0} is gone", slot.Node);
            if (slot.Assigned is { } id && _training.TryGetValue(id, out var t) && t.Equals(actor))
            {
                _traces.Phase(id).Event("trainer lost", ("s4al.trainer", slot.Node));
                _training.Remove(id);
                var ended = _state.Find(id) is { } s ? ExperimentDecisions.AttemptFailed(s, s.Cycle, s.Attempt, $"the trainer {slot.Node} left the cluster") : Decision.None;
                PersistThen(ended, () => Advance(id));
            }
        }
    }

    void Release(ExperimentId id)
    {
        if (_training.Remove(id, out var trainer) && _trainers.TryGetValue(trainer, out var slot)) slot.Assigned = null;
        foreach (var slot2 in _trainers.Values.Where(v => v.Assigned == id)) slot2.Assigned = null;
    }

    void Fail(ExperimentId id, int cycle, string error)
    {
        _log.Error(_traces.Phase(id), null, "experiment {0} cycle {1} stopped: {2}", id, cycle, error);
        _traces.Failed(id, error);
        _failed[id] = error;
        Publish(id, new ExperimentFailed(id, cycle, error));
    }

    void WriteReports(ExperimentId id)
    {
        var s = _state.Find(id)!;
        try
        {
            RunFolderReport.Write(s, _data.Get(s.Plan.Definition, $"experiment {id}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Results are derived from the journal and rewritten after the next cycle; a full disk must not stop the experiment.
            _log.Warning(null, "experiment {0}: could not write the results to {1}: {2}", id, s.Plan.RunDirectory, e.Message);
        }
    }

    /// <summary>Persists the decision's events, applies each, tells subscribers, then runs <paramref name="then"/>.</summary>
    void PersistThen(Decision decision, Action then)
    {
        if (decision.Events.IsEmpty)
        {
            then();
            return;
        }
        int left = decision.Events.Length;
        long persisting = System.Diagnostics.Stopwatch.GetTimestamp();
        PersistAll(decision.Events, e =>
        {
            S4alMetrics.PersistenceLatency.Record(System.Diagnostics.Stopwatch.GetElapsedTime(persisting).TotalMilliseconds);
            _state = _state.Apply(e);
            if (e is ExperimentEvents.CycleStarted started) _freshAttempts.Add((started.Experiment, started.Cycle, started.Attempt));
            Publish(e.Experiment, e);
            if (LastSequenceNr % _options.SnapshotEvery == 0) SaveSnapshot(_state.ToSnapshot());
            if (--left == 0) then();
        });
    }

    void Publish(ExperimentId id, object message)
    {
        if (_subscribers.TryGetValue(id, out var set))
            foreach (var subscriber in set) subscriber.Tell(message);
    }

    ExperimentStatus Status(ExperimentId id)
    {
        if (_state.Find(id) is not { } s) return ExperimentStatus.Unknown(id);
        var trainer = _training.TryGetValue(id, out var t) && _trainers.TryGetValue(t, out var slot) ? slot.Node : null;
        return ExperimentStatus.Of(s, trainer);
    }

    public static Props Props(CoordinatorOptions options, IActorRef scorers, ExperimentDataCache data) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(options, scorers, data));
}
