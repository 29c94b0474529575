using Akka.Actor;
using S4AL.Actors.Coordinator;
using S4AL.Actors.Reports;
using S4AL.Actors.Workspace;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.ActiveLearning;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.TrainerProtocol;

namespace S4AL.Node.Runs;

/// <summary>How a watched experiment ended (for the command's exit code).</summary>
public abstract record RunOutcome
{
    public sealed record Completed(ExperimentState State) : RunOutcome;
    public sealed record Failed(string Error) : RunOutcome;
}

/// <summary>
/// The command line's agent in the cluster: submits the experiment, subscribes to it, keeps a
/// mirror of its state from the events, turns them into progress for the display and
/// completes when the experiment is done or stopped. It polls the coordinator too, so a
/// fail-over or a missed event never leaves it waiting.
/// </summary>
public sealed class RunClientActor : ReceiveActor, IWithTimers
{
    sealed record Poll : INoSerializationVerificationNeeded { public static readonly Poll Instance = new(); }

    readonly IActorRef _coordinator;
    readonly ExperimentPlan _plan;
    readonly OpenedDatasets _data;
    readonly IProgress<ActiveLearningProgress> _progress;
    readonly TaskCompletionSource<RunOutcome> _done;
    readonly TimeSpan _answerTimeout;
    ExperimentState? _mirror;
    DateTime _lastAnswer = DateTime.UtcNow;
    bool _accepted;

    public RunClientActor(IActorRef coordinator, ExperimentPlan plan, OpenedDatasets data, IProgress<ActiveLearningProgress> progress, TaskCompletionSource<RunOutcome> done, TimeSpan answerTimeout)
    {
        _coordinator = coordinator;
        _plan = plan;
        _data = data;
        _progress = progress;
        _done = done;
        _answerTimeout = answerTimeout;

        Receive<SubmitAccepted>(a =>
        {
            Answered();
            if (_accepted) return;
            _accepted = true;
            _coordinator.Tell(new Subscribe(_plan.Id));
        });
        Receive<SubmitRefused>(r => Finish(new RunOutcome.Failed(r.Reason)));
        Receive<Subscribed>(s =>
        {
            Answered();
            if (s.State is null) return;
            bool first = _mirror is null;
            _mirror = s.State.ToState();
            if (first) ReportWhereItStands(_mirror);
            CheckDone();
        });
        Receive<ExperimentStatus>(s =>
        {
            Answered();
            // A status that is ahead of the mirror means events were missed (e.g. a fail-over): subscribe again.
            if (_mirror is null || s.Phase != _mirror.Phase || s.Cycle != _mirror.Cycle || s.ShardsScored != _mirror.ScoredShards.Count)
                _coordinator.Tell(new Subscribe(_plan.Id));
        });
        Receive<IExperimentEvent>(OnEvent);
        Receive<StepProgress>(p => _progress.Report(new ActiveLearningProgress.StepCompleted(p.Cycle, p.Epoch, p.Step, p.StepsPerEpoch, p.Loss)));
        Receive<EpochProgress>(p => _progress.Report(new ActiveLearningProgress.EpochCompleted(p.Cycle, p.Epoch, p.Epochs, p.LearningRate,
            new LossSummary(p.Loss, p.SupervisedLoss, p.UnsupervisedLoss, p.ReplayLoss), p.Seconds)));
        Receive<ExperimentFailed>(f => Finish(new RunOutcome.Failed($"cycle {f.Cycle}: {f.Error}")));
        Receive<CoordinatorRecoveryFailed>(f => Finish(new RunOutcome.Failed($"the journal cannot be read: {f.Reason}")));
        Receive<Poll>(_ =>
        {
            if (DateTime.UtcNow - _lastAnswer > _answerTimeout)
            {
                Finish(new RunOutcome.Failed($"the coordinator has not answered for {_answerTimeout.TotalSeconds:0}s"));
                return;
            }
            _coordinator.Tell(_accepted ? new GetStatus(_plan.Id) : new SubmitExperiment(_plan));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(CoordinatorRecoveryFailed));
        _coordinator.Tell(new SubmitExperiment(_plan));
        Timers.StartPeriodicTimer("poll", Poll.Instance, TimeSpan.FromSeconds(3));
    }

    void Answered() => _lastAnswer = DateTime.UtcNow;

    void OnEvent(IExperimentEvent e)
    {
        Answered();
        if (_mirror is null || e.Experiment != _plan.Id) return;
        try { _mirror = _mirror.Apply(e); }
        catch (InvalidOperationException)
        {
            // Out of order with the mirror (it was taken after this event): take a fresh copy.
            _coordinator.Tell(new Subscribe(_plan.Id));
            return;
        }
        var s = _mirror;
        switch (e)
        {
            case ExperimentEvents.CycleStarted c when c.Attempt == 1:
                var labeled = _data.LabeledSet(s);
                _progress.Report(new ActiveLearningProgress.CycleStarted(c.Cycle, s.Plan.LastCycle, _data.Settings.EpochsOfCycle(c.Cycle, s.Plan.LastCycle), labeled, labeled.LabeledPixelShare()));
                break;
            case ExperimentEvents.CycleStarted c:
                _progress.Report(new ActiveLearningProgress.Resumed(c.Cycle, "training", $"attempt {c.Attempt}, {TrainingRestart(s)}"));
                break;
            case ExperimentEvents.CycleTrained t:
                _progress.Report(new ActiveLearningProgress.Evaluated(t.Cycle, RunFolderReport.Metrics(t.Evaluation, _data.Pool.ClassNames)));
                if (s.IsDone) _progress.Report(new ActiveLearningProgress.CycleCompleted(RunFolderReport.CycleResults(s, _data)[^1]));
                break;
            case ExperimentEvents.ShardScored:
                _progress.Report(new ActiveLearningProgress.ShardsScored(s.Cycle, s.ScoredShards.Count, s.Shards().Length));
                break;
            case ExperimentEvents.RegionsAcquired a:
                var after = _data.LabeledSet(s);
                _progress.Report(new ActiveLearningProgress.Acquired(a.Cycle, a.Regions.Select(r => new RegionId(r.Image, r.Region)).ToList(), after, after.LabeledPixelShare()));
                if (s.AwaitsLabels) ReportAnnotating(s);
                break;
            case ExperimentEvents.RegionLabeled:
                ReportAnnotating(s);
                break;
            case ExperimentEvents.RegionsAnnotated:
                _progress.Report(new ActiveLearningProgress.CycleCompleted(RunFolderReport.CycleResults(s, _data)[^1]));
                break;
        }
        CheckDone();
    }

    void ReportWhereItStands(ExperimentState s)
    {
        if (s.IsInitialRound)
        {
            ReportAnnotating(s);
            return;
        }
        if (s.Cycle == 0 && s.Attempt <= 1 && s.Phase == CyclePhase.Training && s.LastCheckpoint is null && s.History.IsEmpty)
        {
            var labeled = _data.LabeledSet(s);
            _progress.Report(new ActiveLearningProgress.CycleStarted(0, s.Plan.LastCycle, _data.Settings.EpochsOfCycle(0, s.Plan.LastCycle), labeled, labeled.LabeledPixelShare()));
            return;
        }
        var detail = s.Phase switch
        {
            CyclePhase.Training => TrainingRestart(s),
            CyclePhase.Scoring => $"{s.ScoredShards.Count} of {s.Shards().Length} shards already scored",
            CyclePhase.Done => "the experiment is already complete",
            CyclePhase.Waiting => $"waiting for experiment {s.Plan.LabeledSetFrom} to finish: it starts from that one's labeled set",
            _ => "acquisition already decided",
        };
        _progress.Report(new ActiveLearningProgress.Resumed(s.Cycle, s.Phase.ToString().ToLowerInvariant(), $"{s.History.Count} cycles done; {detail}"));
        if (s.AwaitsLabels) ReportAnnotating(s);
    }

    void ReportAnnotating(ExperimentState s) =>
        _progress.Report(new ActiveLearningProgress.Annotating(s.Cycle, s.CycleLabels.Count, s.CycleAcquisition.Length, s.Plan.RunDirectory));

    static string TrainingRestart(ExperimentState s) =>
        s.LastCheckpoint is { } c ? $"training goes on from the checkpoint after epoch {c.EpochsDone}" : "training starts again from the beginning of the cycle";

    void CheckDone()
    {
        if (_mirror is { IsDone: true } done) Finish(new RunOutcome.Completed(done));
    }

    void Finish(RunOutcome outcome)
    {
        _done.TrySetResult(outcome);
        Context.Stop(Self);
    }

    public static Props Props(IActorRef coordinator, ExperimentPlan plan, OpenedDatasets data, IProgress<ActiveLearningProgress> progress, TaskCompletionSource<RunOutcome> done, TimeSpan answerTimeout) =>
        Akka.Actor.Props.Create(() => new RunClientActor(coordinator, plan, data, progress, done, answerTimeout));
}
