using Akka.Actor;
using Akka.Cluster;
using S4AL.Actors.Hosting;
using S4AL.Actors.Telemetry;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using static Akka.Cluster.ClusterEvent;
using static S4AL.Domain.Experiments.ExperimentEvents;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.ReporterProtocol;
using static S4AL.Domain.Protocols.TrainerProtocol;

namespace S4AL.Actors.Coordinator;

/// <summary>
/// Advances every experiment through its cycles (a cluster singleton on role
/// <c>coordinator</c>, event-sourced). It only coordinates and persists: decisions come from
/// <see cref="ExperimentDecisions"/>, events are persisted before anything is acknowledged or
/// sent (<see cref="CoordinatorJournal"/>), trainers are kept by <see cref="TrainerPool"/> and
/// given to experiments in the order of <see cref="TrainingQueue"/> (first come, first served),
/// scoring orders by <see cref="ShardDispatch"/>, and the run folder's results are written by
/// the experiment's reporter, which subscribes like any client. It opens no dataset and renders
/// no file, so its node needs no data. After a restart it resumes each experiment in the phase
/// its journal shows: training again from the last reported checkpoint, only the shards
/// without a persisted result, never a cycle's acquisition twice.
/// </summary>
public sealed partial class CoordinatorActor : CoordinatorJournal, IWithTimers
{
    sealed record Tick : INoSerializationVerificationNeeded { public static readonly Tick Instance = new(); }

    /// <summary>Time for sharding to hand a lost node's shards to the others before their orders are re-sent.</summary>
    static readonly TimeSpan ResendAfterNodeLoss = TimeSpan.FromSeconds(5);

    readonly CycleTelemetry _telemetry = new(((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString(), ActorLogger.For(Context, typeof(CoordinatorActor)));
    readonly CoordinatorOptions _options;
    readonly IActorRef _scorers, _reporters;
    readonly TrainerPool _trainers = new();
    readonly TrainingQueue _queue = new();
    // Until then (after a recovery) no training is given out: see CoordinatorOptions.TrainerRejoin.
    DateTime _trainersRejoinUntil = DateTime.MinValue;
    readonly ShardDispatch _shards;
    readonly Subscribers _subscribers = new();
    readonly TrainingAttempts _attempts = new();
    // Experiments stopped by an error, until they are submitted again; not persisted, so a restart retries them.
    readonly Dictionary<ExperimentId, string> _failed = new();

    public CoordinatorActor(CoordinatorOptions options, IActorRef scorers, IActorRef reporters) : base(options.SnapshotEvery)
    {
        (_options, _scorers, _reporters, _shards) = (options, scorers, reporters, new ShardDispatch(options.ShardTimeout));
        Command<SubmitExperiment>(OnSubmit);
        Command<GetStatus>(g => Sender.Tell(Status(g.Experiment)));
        Command<ListExperiments>(_ => Sender.Tell(new ExperimentList(State.Experiments.Values.Select(s => Status(s.Id)).ToArray())));
        Command<Subscribe>(s =>
        {
            if (_subscribers.Add(s.Experiment, Sender, !s.EventsOnly, State.Find(s.Experiment), _failed.GetValueOrDefault(s.Experiment))) Context.Watch(Sender);
        });
        Command<Handshake>(h => Sender.Tell(Compatibility.Of(Context.System).Answer(h, _telemetry.NodeRefused)));
        Command<RegisterTrainer>(OnRegisterTrainer);
        Command<Terminated>(t => OnTerminated(t.ActorRef));
        Command<ReportCheckpoint>(r =>
        {
            var replyTo = Sender;
            Decide(r.Experiment, s => ExperimentDecisions.Checkpoint(s, r.Checkpoint), () => replyTo.Tell(new CheckpointAccepted(r.Experiment, r.Checkpoint.Cycle, r.Checkpoint.Step)));
        });
        Command<ReportTrained>(OnTrained);
        Command<ReportTrainingFailed>(OnTrainingFailed);
        Command<TrainingCancelled>(c =>
        {
            _trainers.Release(c.Experiment);
            Dispatch();
        });
        Command<TrainerBusy>(OnTrainerBusy);
        Command<ReportShardScored>(OnShardScored);
        CommandAnnotation();
        Command<ReportShardFailed>(f => { _shards.Answered(f.Experiment, f.Cycle, f.Shard); Fail(f.Experiment, f.Cycle, $"scoring shard {f.Shard} failed: {f.Error}"); });
        Command<StepProgress>(p => _subscribers.PublishProgress(p.Experiment, p));
        Command<EpochProgress>(p => _subscribers.PublishProgress(p.Experiment, p));
        Command<Tick>(_ =>
        {
            foreach (var (experiment, cycle, shard, waited) in _shards.TakeOverdue()) _telemetry.ShardResent(experiment, cycle, shard, waited);
            AdvanceAll();
        });
        // A node left or was downed: sharding moves its scorers; once it has, every unanswered order goes out again (results are idempotent).
        Command<MemberRemoved>(m => { if (_shards.NodeLeft(ResendAfterNodeLoss) is var n and > 0) _telemetry.NodeLeft(m.Member.Address.ToString(), n, ResendAfterNodeLoss); });
        Command<IMemberEvent>(_ => { });
    }

    public override string PersistenceId => _options.PersistenceId;
    public ITimerScheduler Timers { get; set; } = null!;

    protected override void OnRecovered()
    {
        foreach (var s in State.Experiments.Values)
        {
            _telemetry.Recovered(s);
            if (!s.IsDone) _reporters.Tell(new StartReporting(s.Id));
        }
        // A cycle that was given to a trainer may still be training there: wait for the trainers to say so before giving out work.
        if (State.Experiments.Values.Any(s => s.Phase == CyclePhase.Training && s.Attempt >= 1))
        {
            _trainersRejoinUntil = DateTime.UtcNow + _options.TrainerRejoin;
            Timers.StartSingleTimer("trainers-rejoined", Tick.Instance, _options.TrainerRejoin);
        }
        Timers.StartPeriodicTimer("tick", Tick.Instance, _options.TickInterval);
        Self.Tell(Tick.Instance);
        if (Context.System.Settings.ProviderClass.Contains("Cluster"))
            Cluster.Get(Context.System).Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsEvents, typeof(IMemberEvent));
    }

    /// <summary>Every persisted event goes to the log (milestones) and the experiment's subscribers; a finished cycle also to its reporter.</summary>
    protected override void OnPersisted(IExperimentEvent e)
    {
        _telemetry.Persisted(e);
        if (e is CycleStarted c) _attempts.Started(c.Experiment, c.Cycle, c.Attempt);
        // The reporter subscribes on its own; this revives it if its node was lost.
        bool done = e is CycleTrained && State.Find(e.Experiment)!.IsDone;
        if (e is RegionsAnnotated || done) _reporters.Tell(new StartReporting(e.Experiment));
        _subscribers.Publish(e.Experiment, e);
        // Experiments that start from this one's labeled set can start now.
        if (done)
            foreach (var waiting in State.Experiments.Values.Where(w => w.Phase == CyclePhase.Waiting && w.Plan.LabeledSetFrom == e.Experiment).Select(w => w.Id).ToList())
                Advance(waiting);
    }

    void OnSubmit(SubmitExperiment submit)
    {
        var id = submit.Plan.Id;
        var decision = ExperimentDecisions.Submit(State.Find(id), submit.Plan);
        if (decision.IsRefused) { Sender.Tell(new SubmitRefused(id, decision.Refusal!)); return; }
        bool known = decision.Events.IsEmpty;
        _failed.Remove(id);
        _attempts.Reset(id);
        var replyTo = Sender;
        PersistThen(decision, () =>
        {
            _telemetry.Submitted(id, known);
            replyTo.Tell(new SubmitAccepted(id, known, Status(id)));
            _reporters.Tell(new StartReporting(id));
            Advance(id);
        });
    }

    void OnRegisterTrainer(RegisterTrainer r)
    {
        if (_trainers.Register(Sender, r.Node, r.Device))
        {
            Context.Watch(Sender);
            _telemetry.TrainerRegistered(r.Node, r.Device);
        }
        if (r.Training is { } training && State.Find(training) is { Phase: CyclePhase.Training }) _trainers.StillTraining(Sender, training);
        Sender.Tell(new TrainerRegistered());
        AdvanceAll();
    }

    void OnTrained(ReportTrained report)
    {
        if (State.Find(report.Experiment) is not { } s) return;
        var decision = ExperimentDecisions.Trained(s, report.Cycle, report.Model, report.Evaluation);
        // A duplicate of a persisted report is confirmed again, so the trainer stops re-sending it; a stale one is not.
        bool stale = decision.Events.IsEmpty && s.Cycle == report.Cycle && s.Phase == CyclePhase.Training;
        if (!decision.Events.IsEmpty) _telemetry.Trained(report.Experiment, report.Evaluation, report.Model);
        var replyTo = Sender;
        PersistThen(decision, () =>
        {
            if (!stale) replyTo.Tell(new TrainedAccepted(report.Experiment, report.Cycle));
            if (_trainers.Trains(replyTo, report.Experiment)) _trainers.Release(report.Experiment);
            Advance(report.Experiment);
            Dispatch();
        });
    }

    void OnTrainerBusy(TrainerBusy busy)
    {
        // The order reached a trainer still working for another experiment (assigned before a fail-over): the refused one lost no turn.
        bool refused = _trainers.Trains(Sender, busy.Experiment);
        _trainers.Busy(Sender, busy.Experiment, busy.BusyWith);
        if (refused) _queue.Return(busy.Experiment);
        Dispatch();
    }

    void OnTrainingFailed(ReportTrainingFailed f)
    {
        _trainers.Release(f.Experiment);
        if (State.Find(f.Experiment) is not { } s) { Dispatch(); return; }
        var decision = ExperimentDecisions.AttemptFailed(s, f.Cycle, f.Attempt, f.Error);
        // A late report of an attempt already ended (or of another cycle) changes nothing.
        if (decision.Events.IsEmpty) { Dispatch(); return; }
        int failures = _attempts.Failed(f.Experiment, f.Cycle), attempt = s.Attempt;
        _telemetry.AttemptFailed(f.Experiment, f.Cycle, attempt, f.Error, failures, _options.MaxTrainingAttempts);
        PersistThen(decision, () =>
        {
            if (failures >= _options.MaxTrainingAttempts) Fail(f.Experiment, f.Cycle, $"training failed: {f.Error}");
            else Advance(f.Experiment);
            Dispatch();
        });
    }

    void OnShardScored(ReportShardScored r)
    {
        _shards.Answered(r.Experiment, r.Cycle, r.Shard);
        Decide(r.Experiment, s => ExperimentDecisions.ShardDone(s, r.Cycle, r.Shard, r.Candidates, r.Seconds), () => Advance(r.Experiment),
            refusal => Fail(r.Experiment, r.Cycle, $"shard {r.Shard} from {r.Node}: {refusal}"));
    }

    void OnTerminated(IActorRef actor)
    {
        _subscribers.Remove(actor);
        if (_trainers.Remove(actor) is not { } removed) return;
        var (node, lost) = removed;
        _telemetry.TrainerGone(node, lost);
        if (lost is not { } id) return;
        // The experiment queues again like one whose attempt failed.
        Decide(id, s => ExperimentDecisions.AttemptFailed(s, s.Cycle, s.Attempt, $"the trainer {node} left the cluster"), () => Advance(id));
    }

    /// <summary>Decides a command on the experiment's state, persists, then runs <paramref name="then"/> (nothing for an unknown experiment).</summary>
    void Decide(ExperimentId id, Func<ExperimentState, Decision> decide, Action then, Action<string>? refused = null)
    {
        if (State.Find(id) is not { } s) return;
        var decision = decide(s);
        if (decision.IsRefused && refused is not null) refused(decision.Refusal!);
        else PersistThen(decision, then);
    }

    void AdvanceAll()
    {
        // Those ready to train at this moment join together before any gets a trainer: rounds that had
        // begun (an attempt started: they resume from a checkpoint) first, then in id order.
        _queue.Join(State.Experiments.Values.Where(WaitsForTrainer).Select(s => s.Id), id => State.Find(id) is { Attempt: > 0 });
        foreach (var id in State.Experiments.Values.Select(s => s.Id).ToList()) Advance(id);
        Dispatch();
    }

    bool WaitsForTrainer(ExperimentState s) =>
        !_failed.ContainsKey(s.Id) && ExperimentDecisions.Next(s) == NextAction.Train && !_trainers.IsTraining(s.Id);

    /// <summary>Gives every free trainer to the experiment at the head of the queue.</summary>
    void Dispatch()
    {
        if (DateTime.UtcNow < _trainersRejoinUntil) return;
        while (_trainers.HasFree && _queue.Next(id => State.Find(id) is { } s && WaitsForTrainer(s)) is { } next)
            StartTraining(State.Find(next)!);
    }

    /// <summary>Does the next thing the experiment's state asks for, if it is not under way already.</summary>
    void Advance(ExperimentId id)
    {
        if (State.Find(id) is not { } s || _failed.ContainsKey(id)) return;
        if (_telemetry.Sync(s) is { } traceParent) PersistThen(ExperimentDecisions.Traced(s, traceParent), () => { });
        switch (ExperimentDecisions.Next(s))
        {
            case NextAction.Train:
                if (_trainers.IsTraining(id)) return;
                _queue.Join(id);
                Dispatch();
                return;
            case NextAction.Score:
                foreach (var order in _shards.Orders(s, _telemetry.Scoring(s))) _scorers.Tell(order);
                return;
            case NextAction.Inherit:
                // Nothing to do until the other experiment is done (then this is advanced again).
                var inherit = ExperimentDecisions.Inherit(s, State.Find(s.Plan.LabeledSetFrom!.Value));
                if (inherit.IsRefused) Fail(id, 0, inherit.Refusal!);
                else if (!inherit.Events.IsEmpty) PersistThen(inherit, () => Advance(id));
                return;
        }
        var progress = ExperimentDecisions.Progress(s);
        if (progress.IsRefused) Fail(id, s.Cycle, progress.Refusal!);
        else if (!progress.Events.IsEmpty)
        {
            _telemetry.Progress(s, progress);
            PersistThen(progress, () => Advance(id));
        }
    }

    void StartTraining(ExperimentState s)
    {
        if (_trainers.Assign(s.Id) is not { } assigned) return;
        var (trainer, node) = assigned;
        var decision = _attempts.TakeFresh(s.Id, s.Cycle, s.Attempt) ? Decision.None : ExperimentDecisions.StartAttempt(s);
        PersistThen(decision, () =>
        {
            var now = State.Find(s.Id)!;
            _attempts.TakeFresh(s.Id, now.Cycle, now.Attempt);
            trainer.Tell(new TrainCycle(now.Plan, now.Cycle, now.Attempt, now.LabeledSet(), now.LastCheckpoint, _telemetry.SentToTrainer(now, node)));
        });
    }

    void Fail(ExperimentId id, int cycle, string error)
    {
        _telemetry.Failed(id, cycle, error);
        _failed[id] = error;
        _queue.Leave(id);
        _subscribers.Publish(id, new ExperimentFailed(id, cycle, error));
    }

    ExperimentStatus Status(ExperimentId id) =>
        State.Find(id) is { } s ? ExperimentStatus.Of(s, _trainers.NodeOf(id)) with { Error = _failed.GetValueOrDefault(id) } : ExperimentStatus.Unknown(id);

    protected override void PostStop()
    {
        if (Context.System.Settings.ProviderClass.Contains("Cluster")) Cluster.Get(Context.System).Unsubscribe(Self);
        _telemetry.StopAll("the coordinator stopped (fail-over or shutdown); the cycle continues in a new, linked trace");
        base.PostStop();
    }

    protected override void OnRejected(IExperimentEvent e, string reason) => Fail(e.Experiment, State.Find(e.Experiment)?.Cycle ?? 0, reason);
}
