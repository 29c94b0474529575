using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Dispatch;
using S4AL.Actors.Telemetry;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.ReporterProtocol;

namespace S4AL.Actors.Reports;

/// <summary>Writes an experiment's run-folder results from its state (the default: <see cref="RunFolderReport"/>).</summary>
public interface IRunFolderWriter
{
    void Write(ExperimentState state);
}

/// <summary>
/// The reporter of one experiment (a sharded entity on scorer nodes, which read the data): it
/// subscribes to the coordinator, keeps a copy of the experiment's state from its events and
/// rewrites the run folder's results whenever a cycle finishes. Rendering plots and reading pool
/// images happen here, on a thread of their own, never in the coordinator's mailbox. A reporter
/// that restarts (its node left) subscribes again and writes from the full state, so the files
/// are always those of the journal.
/// </summary>
public sealed class ReporterActor : ReceiveActor, IWithTimers
{
    sealed record Poll : INoSerializationVerificationNeeded { public static readonly Poll Instance = new(); }

    readonly ActorLogger _log = ActorLogger.For(Context, typeof(ReporterActor));
    readonly IActorRef _coordinator;
    readonly IRunFolderWriter _writer;
    readonly TimeSpan _pollInterval;
    readonly List<(IActorRef ReplyTo, int Cycles)> _waiting = new();
    ExperimentMirror? _mirror;
    int _written = -1;
    string? _error;

    public ReporterActor(IActorRef coordinator, IRunFolderWriter writer, TimeSpan pollInterval)
    {
        _coordinator = coordinator;
        _writer = writer;
        _pollInterval = pollInterval;
        Receive<StartReporting>(s => Follow(s.Experiment));
        Receive<FlushReports>(f =>
        {
            Follow(f.Experiment);
            _waiting.Add((Sender, f.Cycles));
            AnswerWaiting();
        });
        Receive<Subscribed>(OnSubscribed);
        Receive<IExperimentEvent>(OnEvent);
        Receive<ExperimentStatus>(s =>
        {
            if (_mirror is not null && _mirror.IsBehind(s)) Subscribe();
        });
        Receive<ExperimentFailed>(_ => { });
        Receive<Poll>(_ => { if (_mirror is not null) _coordinator.Tell(new GetStatus(_mirror.Experiment)); });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    void Follow(ExperimentId experiment)
    {
        if (_mirror is not null) return;
        _mirror = new ExperimentMirror(experiment);
        Subscribe();
        // A coordinator fail-over drops subscriptions; the status shows what the copy missed.
        Timers.StartPeriodicTimer("poll", Poll.Instance, _pollInterval);
    }

    void Subscribe() => _coordinator.Tell(new Subscribe(_mirror!.Experiment, EventsOnly: true));

    void OnSubscribed(Subscribed s)
    {
        if (_mirror is null || s.Experiment != _mirror.Experiment) return;
        _mirror.Reset(s.State);
        // A fresh copy: the files may be those of an older state (or of nothing), write them all.
        _written = -1;
        WriteIfNew();
    }

    void OnEvent(IExperimentEvent e)
    {
        if (_mirror is null) return;
        if (!_mirror.TryApply(e)) { Subscribe(); return; }
        WriteIfNew();
    }

    /// <summary>Rewrites the results when the copy has finished cycles the files do not have yet.</summary>
    void WriteIfNew()
    {
        var state = _mirror?.State;
        if (state is null || state.History.Count == 0 || state.History.Count == _written) return;
        try
        {
            _writer.Write(state);
            _written = state.History.Count;
            _error = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            // A full disk or a missing mount must not stop the experiment: the next cycle (or a restart) writes again.
            _error = e.Message;
            _log.Warning(null, "experiment {0}: could not write the results to {1}: {2}", state.Id, state.Plan.RunDirectory, e.Message);
        }
        AnswerWaiting();
    }

    void AnswerWaiting()
    {
        var experiment = _mirror!.Experiment;
        _waiting.RemoveAll(w =>
        {
            if (_written < w.Cycles && _error is null) return false;
            w.ReplyTo.Tell(new ReportsWritten(experiment, Math.Max(_written, 0), _error));
            return true;
        });
    }

    /// <summary>A reporter runs on the blocking-IO dispatcher: writing files and rendering plots block.</summary>
    public const string Dispatcher = Dispatchers.DefaultBlockingDispatcherId;

    /// <summary>How often a reporter asks the coordinator whether it missed an event.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);
}

/// <summary>Routes a reporter message to the entity of its experiment.</summary>
public sealed class ReporterMessageExtractor(int maxShards = 32) : HashCodeMessageExtractor(maxShards)
{
    public override string EntityId(object message) => message switch
    {
        StartReporting m => m.Experiment.Value,
        FlushReports m => m.Experiment.Value,
        _ => throw new ArgumentException($"{message.GetType().Name} is not a reporter message", nameof(message)),
    };
}
