using Akka.Actor;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Node.Annotation;

/// <summary>
/// Keeps the annotation page's copy of the experiment people label: picks the experiment (the one
/// waiting for labels; the coordinator may know several), subscribes to it, applies its events
/// and hands every new state to <see cref="CoordinatorRounds"/>. It polls the coordinator too: a
/// status ahead of the copy (a missed event, a fail-over) means subscribing again, and an
/// experiment that no longer waits may give way to one that does.
/// </summary>
public sealed class AnnotationFollowerActor : ReceiveActor, IWithTimers
{
    sealed record Poll : INoSerializationVerificationNeeded { public static readonly Poll Instance = new(); }

    readonly IActorRef _coordinator;
    readonly CoordinatorRounds _rounds;
    ExperimentMirror? _mirror;

    public AnnotationFollowerActor(IActorRef coordinator, CoordinatorRounds rounds, TimeSpan pollInterval)
    {
        _coordinator = coordinator;
        _rounds = rounds;
        PollInterval = pollInterval;
        Receive<ExperimentList>(OnList);
        Receive<Subscribed>(s =>
        {
            if (_mirror is null || s.Experiment != _mirror.Experiment) return;
            _mirror.Reset(s.State);
            Publish();
        });
        Receive<IExperimentEvent>(e =>
        {
            if (_mirror is null) return;
            if (!_mirror.TryApply(e)) { Subscribe(); return; }
            Publish();
        });
        Receive<ExperimentStatus>(s =>
        {
            if (_mirror is not null && s.Experiment == _mirror.Experiment && _mirror.IsBehind(s)) Subscribe();
        });
        Receive<ExperimentFailed>(f => _rounds.Update(null, $"experiment {f.Experiment} stopped in cycle {f.Cycle}: {f.Error}; nothing to label until it runs again"));
        Receive<Poll>(_ =>
        {
            // While the copy waits for labels, only check it; otherwise look for an experiment that does.
            if (_mirror?.State is { AwaitsLabels: true } s) _coordinator.Tell(new GetStatus(s.Id));
            else _coordinator.Tell(new ListExperiments());
        });
        // Training progress and the like: nothing the page shows.
        ReceiveAny(_ => { });
    }

    public TimeSpan PollInterval { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        _coordinator.Tell(new ListExperiments());
        Timers.StartPeriodicTimer("poll", Poll.Instance, PollInterval);
    }

    void OnList(ExperimentList list)
    {
        var human = list.Experiments.Where(e => e.Found && e.Annotator == AnnotatorMode.Human).OrderBy(e => e.Experiment.Value, StringComparer.Ordinal).ToList();
        var chosen = human.FirstOrDefault(e => e.Phase == CyclePhase.Annotating && e.RegionsLabeled < e.RegionsQueried)
                     ?? human.FirstOrDefault(e => e.Phase != CyclePhase.Done)
                     ?? human.FirstOrDefault();
        if (chosen is null)
        {
            _rounds.Update(null, list.Experiments.Any(e => e.Found)
                ? "the coordinator's experiments are labeled by the oracle; nothing to label here"
                : "the coordinator knows no experiment yet");
            return;
        }
        if (_mirror?.Experiment == chosen.Experiment)
        {
            if (_mirror.IsBehind(chosen)) Subscribe();
            return;
        }
        _mirror = new ExperimentMirror(chosen.Experiment);
        Subscribe();
    }

    void Subscribe() => _coordinator.Tell(new Subscribe(_mirror!.Experiment, EventsOnly: true));

    void Publish()
    {
        if (_mirror?.State is { } s) _rounds.Update(s, RoundWords.Situation(s));
    }

    public static Props Props(IActorRef coordinator, CoordinatorRounds rounds, TimeSpan pollInterval) =>
        Akka.Actor.Props.Create(() => new AnnotationFollowerActor(coordinator, rounds, pollInterval));
}
