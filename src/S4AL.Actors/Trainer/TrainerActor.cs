using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using S4AL.Actors.Telemetry;
using S4AL.Actors.Workspace;
using S4AL.Domain;
using S4AL.Domain.Protocols;
using S4AL.Learning;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.TrainerProtocol;
using static TorchSharp.torch;

namespace S4AL.Actors.Trainer;

/// <summary>
/// Trains cycles for the coordinator (role <c>trainer</c>). The SSL steps run on a
/// <see cref="TrainingJob"/> thread; this actor only relays what the job reports, so status,
/// pause and cancel are answered at once and cluster heartbeats never starve. It offers itself
/// to the coordinator periodically, which is how a coordinator that failed over finds it.
/// </summary>
public sealed class TrainerActor : ReceiveActor, IWithTimers
{
    sealed record RegisterTick : INoSerializationVerificationNeeded
    {
        public static readonly RegisterTick Instance = new();
    }

    sealed record RetryReport : INoSerializationVerificationNeeded
    {
        public static readonly RetryReport Instance = new();
    }

    readonly ActorLogger _log = ActorLogger.For(Context, typeof(TrainerActor));
    readonly IActorRef _coordinator;
    readonly IActorRef _replay;
    readonly DatasetCache _data;
    readonly TrainerOptions _options;
    readonly Device _device;
    readonly string _node;
    readonly string _name;
    TrainingJob? _job;
    Task? _jobTask;
    // The end-of-training report, sent until the coordinator confirms it persisted it.
    ReportTrained? _unconfirmed;

    /// <param name="name">
    /// How the coordinator, its status and traces name this trainer: the node's address, followed by
    /// the actor's name when the node has several trainers (<see cref="NameOf"/>).
    /// </param>
    public TrainerActor(IActorRef coordinator, IActorRef replay, DatasetCache data, TrainerOptions options, string name)
    {
        _coordinator = coordinator;
        _replay = replay;
        _data = data;
        _options = options;
        _device = Devices.Parse(options.Device);
        _node = Cluster.Get(Context.System).SelfAddress.ToString();
        _name = name;

        Receive<RegisterTick>(_ => _coordinator.Tell(new RegisterTrainer(_name, _options.Device, _job?.Experiment)));
        Receive<TrainerRegistered>(_ => { });
        Receive<TrainCycle>(OnTrainCycle);
        Receive<GetTrainerStatus>(_ => Sender.Tell(Status()));
        Receive<PauseTraining>(_ => _job?.Pause());
        Receive<ResumeTraining>(_ => _job?.Resume());
        Receive<CancelTraining>(c =>
        {
            if (_job is { } job && job.Experiment == c.Experiment && job.Cycle == c.Cycle) job.Cancel();
        });
        Receive<TrainingJob.Progressed>(p => _coordinator.Tell(p.Message));
        Receive<TrainingJob.CheckpointWritten>(c =>
        {
            _log.Info(_job!.Span, "experiment {0} cycle {1}: checkpoint after epoch {2} ({3})", _job!.Experiment, c.Checkpoint.Cycle, c.Checkpoint.EpochsDone, c.Checkpoint.Path);
            var report = new ReportCheckpoint(_job!.Experiment, c.Checkpoint);
            _reported.Add(report);
            _coordinator.Tell(report);
        });
        Receive<CheckpointAccepted>(a => DeleteSupersededCheckpoints(a));
        Receive<TrainingJob.Finished>(f =>
        {
            var job = _job!;
            _unconfirmed = new ReportTrained(job.Experiment, job.Cycle, f.Model, f.Evaluation);
            _coordinator.Tell(_unconfirmed);
            Timers.StartPeriodicTimer("report", RetryReport.Instance, _options.ReportRetryInterval);
            _job = null;
        });
        Receive<RetryReport>(_ => { if (_unconfirmed is not null) _coordinator.Tell(_unconfirmed); });
        Receive<TrainedAccepted>(a =>
        {
            if (_unconfirmed is { } u && u.Experiment == a.Experiment && u.Cycle == a.Cycle)
            {
                _unconfirmed = null;
                Timers.Cancel("report");
                DeleteCycleCheckpoints(u);
            }
        });
        Receive<TrainingJob.Failed>(f =>
        {
            var job = _job!;
            _coordinator.Tell(new ReportTrainingFailed(job.Experiment, job.Cycle, Describe(f.Error), job.Attempt));
            _job = null;
        });
        Receive<TrainingJob.Cancelled>(_ =>
        {
            var job = _job!;
            _coordinator.Tell(new TrainingCancelled(job.Experiment, job.Cycle));
            _job = null;
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The actor name of trainer <paramref name="index"/> (from 1) of <paramref name="count"/> on a node: "trainer" when it is the only one, as before there could be several.</summary>
    public static string ActorName(int index, int count) => count == 1 ? "trainer" : $"trainer-{index}";

    /// <summary>The name a trainer reports: the node's address alone for a node's only trainer, else the address and the actor's name.</summary>
    public static string NameOf(string address, int index, int count) => count == 1 ? address : $"{address}/{ActorName(index, count)}";

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("register", RegisterTick.Instance, TimeSpan.Zero, _options.RegisterInterval);
    }

    protected override void PostStop()
    {
        // The node is going down: stop the training thread at its next step before the process
        // exits, so libtorch is not torn down under a running kernel.
        _job?.Cancel();
        _jobTask?.Wait(TimeSpan.FromSeconds(15));
    }

    void OnTrainCycle(TrainCycle order)
    {
        if (_job is { } running)
        {
            // The coordinator re-sends after a fail-over: the running job already does this work.
            if (running.Experiment == order.Plan.Id && running.Cycle == order.Cycle) return;
            Sender.Tell(new TrainerBusy(order.Plan.Id, order.Cycle, running.Experiment));
            return;
        }
        if (_unconfirmed is { } done && done.Experiment == order.Plan.Id && done.Cycle == order.Cycle)
        {
            // Already trained; the coordinator has not seen the report yet.
            _coordinator.Tell(done);
            return;
        }
        _log.Info(null, "experiment {0} cycle {1} attempt {2}: training {3}", order.Plan.Id, order.Cycle, order.Attempt,
            order.ResumeFrom is { } from ? $"from checkpoint {from.Path} (epoch {from.EpochsDone})" : "from scratch");
        _job = new TrainingJob(order, Self, _replay, _data, _options, _device, _node, _name, _log);
        _jobTask = _job.Start();
    }

    TrainerStatus Status() => _job is { } job
        ? new TrainerStatus(job.Paused ? "paused" : "training", job.Experiment, job.Cycle, job.Epoch, Interlocked.Read(ref job.Step), _options.Device)
        : new TrainerStatus("idle", null, 0, 0, 0, _options.Device);

    void DeleteSupersededCheckpoints(CheckpointAccepted accepted)
    {
        // Once the journal points at a newer checkpoint, older ones of the cycle are never read again.
        foreach (var old in _reported.Where(r => r.Experiment == accepted.Experiment && r.Checkpoint.Cycle == accepted.Cycle && r.Checkpoint.Step < accepted.Step).ToList())
        {
            TryDelete(old.Checkpoint.Path);
            _reported.Remove(old);
        }
    }

    void DeleteCycleCheckpoints(ReportTrained trained)
    {
        foreach (var old in _reported.Where(r => r.Experiment == trained.Experiment && r.Checkpoint.Cycle == trained.Cycle).ToList())
        {
            if (old.Checkpoint.Path != trained.Model.Path) TryDelete(old.Checkpoint.Path);
            _reported.Remove(old);
        }
    }

    // Checkpoints reported to the coordinator, deleted once superseded in its journal.
    readonly List<ReportCheckpoint> _reported = new();

    void TryDelete(string file)
    {
        try { File.Delete(file); }
        catch (IOException e) { _log.Warning(null, "could not delete superseded checkpoint {0}: {1}", file, e.Message); }
    }

    static string Describe(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerExceptions[0]),
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
