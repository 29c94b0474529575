using System.Diagnostics;
using Akka.Actor;
using S4AL.Actors.Replay;
using S4AL.Actors.Telemetry;
using S4AL.Actors.Workspace;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Regions;
using S4AL.Learning.Networks;
using static S4AL.Domain.Protocols.TrainerProtocol;
using static TorchSharp.torch;

namespace S4AL.Actors.Trainer;

/// <summary>
/// One cycle's training on a background thread: it never touches actor state, it only tells
/// the trainer actor what happened (progress, checkpoints, the end), so the actor's mailbox
/// stays free for status, pause and cancel.
/// </summary>
sealed class TrainingJob
{
    internal sealed record Progressed(object Message) : INoSerializationVerificationNeeded;
    internal sealed record CheckpointWritten(CheckpointRef Checkpoint) : INoSerializationVerificationNeeded;
    internal sealed record Finished(CheckpointRef Model, CycleEvaluation Evaluation) : INoSerializationVerificationNeeded;
    internal sealed record Failed(Exception Error) : INoSerializationVerificationNeeded;
    internal sealed record Cancelled : INoSerializationVerificationNeeded;

    readonly TrainCycle _order;
    readonly IActorRef _trainer;
    readonly IActorRef _replay;
    readonly DatasetCache _data;
    readonly TrainerOptions _options;
    readonly Device _device;
    readonly string _node;
    readonly string _trainerName;
    readonly ActorLogger _log;
    readonly ManualResetEventSlim _running = new(true);
    readonly CancellationTokenSource _cancel = new();

    /// <param name="node">The node's address.</param>
    /// <param name="trainerName">The trainer as the coordinator knows it (the address, with the actor's name when the node has several).</param>
    public TrainingJob(TrainCycle order, IActorRef trainer, IActorRef replay, DatasetCache data, TrainerOptions options, Device device, string node, string trainerName, ActorLogger log)
    {
        _node = node;
        _trainerName = trainerName;
        _log = log;
        _order = order;
        _trainer = trainer;
        _replay = replay;
        _data = data;
        _options = options;
        _device = device;
    }

    public ExperimentId Experiment => _order.Plan.Id;
    public int Cycle => _order.Cycle;
    public int Attempt => _order.Attempt;
    public volatile int Epoch;
    public long Step;
    public bool Paused => !_running.IsSet;
    /// <summary>The job's span ("train cycle"), for the trainer actor's log lines; null when tracing is off.</summary>
    public Activity? Span { get; private set; }

    public void Pause() => _running.Reset();
    public void Resume() => _running.Set();
    public void Cancel() { _cancel.Cancel(); _running.Set(); }

    public Task Start() => Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    // The "train cycle" span ends before the outcome leaves: once the coordinator has the report, it may end the cycle's trace.
    void Run() => _trainer.Tell(Train());

    /// <summary>Trains the cycle; returns what the trainer actor is told at the end (Finished, Cancelled or Failed), logged here while the span is current.</summary>
    object Train()
    {
        // libtorch's intra-op thread count is per thread (OpenMP): set here, on the job's own thread, it
        // holds for this job alone, so the node's trainers share its thread budget instead of each taking all of it.
        if (_options.ThreadsPerJob is { } threads) set_num_threads(threads);
        // A child of the coordinator's "training" span (its traceparent came with the order); current on this
        // dedicated thread, so the epoch and checkpoint spans and the engine's log lines belong to it.
        using var span = S4alTelemetry.Source.StartActivity("train cycle", ActivityKind.Consumer, S4alTelemetry.ContextOf(_order.TraceParent), new KeyValuePair<string, object?>[]
        {
            new(S4alTelemetry.Tags.Experiment, Experiment.Value), new(S4alTelemetry.Tags.Cycle, Cycle), new(S4alTelemetry.Tags.Attempt, _order.Attempt),
            new(S4alTelemetry.Tags.ResumedFrom, _order.ResumeFrom?.Sha256),
            new(S4alTelemetry.Tags.NodeAddress, _node), new(S4alTelemetry.Tags.NodeRole, "trainer"), new(S4alTelemetry.Tags.Device, _options.Device),
            new(S4alTelemetry.Tags.Trainer, _trainerName), new(S4alTelemetry.Tags.Threads, get_num_threads()),
        });
        Span = span;
        try
        {
            var cancel = _cancel.Token;
            var data = _data.Get(_order.Plan.Definition, $"experiment {Experiment}");
            var labeled = data.LabeledSet(_order.Labeled);
            var watch = Stopwatch.StartNew();
            var session = $"{Experiment}/{Cycle}/{_order.Attempt}/{Guid.NewGuid():N}";
            var replay = new RemoteReplayExchange(_replay, Experiment, session, _options.ReplayTimeout);
            int lastCycle = _order.Plan.LastCycle;
            var pool = data.LabeledPool(_order.Plan.RunDirectory);
            using var run = _order.ResumeFrom is { } from
                ? CycleTrainingRun.Resume(from.Path, from.Sha256, pool, data.Settings, _device, Cycle, lastCycle, labeled, replay)
                : new CycleTrainingRun(pool, data.Settings, _device, Cycle, lastCycle, labeled, replay);
            Epoch = run.EpochsDone;
            span?.SetTag(S4alTelemetry.Tags.Images, data.Pool.Count);
            span?.SetTag(S4alTelemetry.Tags.LabeledRegions, _order.Labeled.Acquired().Count());
            span?.SetTag(S4alTelemetry.Tags.LabeledPixelShare, labeled.LabeledPixelShare());
            span?.SetTag(S4alTelemetry.Tags.Epochs, run.Epochs);
            var progress = new Progress(this);
            var sinceCheckpoint = Stopwatch.StartNew();
            int lastCheckpointEpoch = run.EpochsDone;
            while (!run.IsFinished)
            {
                using (var epoch = S4alTelemetry.Source.StartActivity("epoch"))
                {
                    epoch?.SetTag(S4alTelemetry.Tags.Epoch, run.EpochsDone + 1);
                    run.RunEpoch(progress, cancel, () => { _running.Wait(cancel); Interlocked.Increment(ref Step); });
                }
                Epoch = run.EpochsDone;
                bool evaluated = false;
                if (run.EvaluationDue)
                {
                    // Full supervision trained to convergence: the curve decides when the round ends.
                    var point = run.RecordEvaluation(Evaluate(run.Trainer.Student, data, labeled, watch).MeanIoU());
                    var best = ConvergenceRule.Best(run.Curve);
                    if (best == point) Save(run, BestName, cancel);
                    _log.Info(span, "experiment {0} cycle {1}: validation mIoU {2:0.0000} after epoch {3} (best {4:0.0000} after epoch {5}){6}", Experiment, Cycle,
                        point.MeanIoU, point.EpochsDone, best.MeanIoU, best.EpochsDone, run.IsFinished && run.EpochsDone < run.Epochs ? "; converged" : "");
                    evaluated = true;
                }
                // A checkpoint after each evaluation keeps the curve: a resumed round decides exactly as this one would have.
                if (!run.IsFinished && (evaluated || run.EpochsDone - lastCheckpointEpoch >= _options.CheckpointEveryEpochs && sinceCheckpoint.Elapsed >= _options.CheckpointInterval))
                {
                    _trainer.Tell(new CheckpointWritten(Save(run, $"cycle-{Cycle}-epoch-{run.EpochsDone}", cancel)));
                    lastCheckpointEpoch = run.EpochsDone;
                    sinceCheckpoint.Restart();
                }
            }
            CheckpointRef model;
            CycleEvaluation evaluation;
            if (run.Curve.Count > 0)
            {
                // The round reports its best evaluation, the model that made it, and the whole curve.
                // The best model is evaluated again from its file: after a resume its confusion
                // matrix is known only from there.
                var best = ConvergenceRule.Best(run.Curve);
                var path = CheckpointPath(_order.Plan.RunDirectory, BestName);
                using var file = Learning.Checkpoints.CheckpointFile.Open(path);
                model = new CheckpointRef(path, file.Id, Cycle, best.EpochsDone, best.Steps);
                using var student = CycleTrainingRun.LoadNetwork(path, file.Id, data.Settings, data.Pool.NumClasses, ScoringNetwork.Student, _device);
                evaluation = Evaluate(student, data, labeled, watch) with { Curve = [.. run.Curve] };
            }
            else
            {
                model = Save(run, $"cycle-{Cycle}-final", cancel);
                evaluation = Evaluate(run.Trainer.Student, data, labeled, watch);
            }
            if (evaluation.Measured) span?.SetTag(S4alTelemetry.Tags.MeanIoU, evaluation.MeanIoU());
            span?.SetTag(S4alTelemetry.Tags.Steps, run.Trainer.StepCount);
            _log.Info(span, "experiment {0} cycle {1}: trained; model {2}", Experiment, Cycle, model.Path);
            return new Finished(model, evaluation);
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            span.Event("cancelled");
            _log.Info(span, "experiment {0} cycle {1}: training cancelled", Experiment, Cycle);
            return new Cancelled();
        }
        catch (Exception e)
        {
            span.Fail(e);
            _log.Error(span, e, "experiment {0} cycle {1}: training failed", Experiment, Cycle);
            return new Failed(e);
        }
    }

    string BestName => $"cycle-{Cycle}-best";

    /// <summary>The student on the validation split, in an "evaluate" span.</summary>
    CycleEvaluation Evaluate(SegmentationNetwork student, OpenedDatasets data, LabeledRegionSet labeled, Stopwatch watch)
    {
        using var evaluate = S4alTelemetry.Source.StartActivity("evaluate");
        var confusion = CycleTrainingRun.Evaluate(student, data.Validation, data.Settings, _device, _cancel.Token);
        var evaluation = new CycleEvaluation(confusion.NumClasses, confusion.Counts.ToArray(), labeled.LabeledPixelShare(), watch.Elapsed.TotalSeconds);
        evaluate?.SetTag(S4alTelemetry.Tags.Images, data.Validation.Count);
        if (evaluation.Measured) evaluate?.SetTag(S4alTelemetry.Tags.MeanIoU, evaluation.MeanIoU());
        return evaluation;
    }

    CheckpointRef Save(CycleTrainingRun run, string name, CancellationToken cancel)
    {
        using var span = S4alTelemetry.Source.StartActivity("checkpoint");
        var path = CheckpointPath(_order.Plan.RunDirectory, name);
        var info = run.SaveCheckpoint(path, cancel);
        span?.SetTag(S4alTelemetry.Tags.Checkpoint, info.Id);
        span?.SetTag(S4alTelemetry.Tags.CheckpointPath, info.Path);
        span?.SetTag(S4alTelemetry.Tags.Epoch, run.EpochsDone);
        span?.SetTag(S4alTelemetry.Tags.Steps, run.Trainer.StepCount);
        return new CheckpointRef(info.Path, info.Id, Cycle, run.EpochsDone, run.Trainer.StepCount);
    }

    public static string CheckpointPath(string runDirectory, string name) =>
        Path.Combine(runDirectory, "checkpoints", name + Learning.Checkpoints.CheckpointFile.Extension);

    /// <summary>Turns the engine's progress into protocol messages; steps are throttled to a few per second.</summary>
    sealed class Progress(TrainingJob job) : IProgress<ActiveLearningProgress>
    {
        long _lastStepTicks;
        int _epochSteps;

        public void Report(ActiveLearningProgress value)
        {
            switch (value)
            {
                case ActiveLearningProgress.StepCompleted s:
                    _epochSteps++;
                    long now = Stopwatch.GetTimestamp();
                    if (s.Step + 1 < s.StepsPerEpoch && Stopwatch.GetElapsedTime(_lastStepTicks, now) < TimeSpan.FromMilliseconds(250)) return;
                    _lastStepTicks = now;
                    job._trainer.Tell(new Progressed(new StepProgress(job.Experiment, s.Cycle, s.Epoch, s.Step, s.StepsPerEpoch, s.Loss)));
                    break;
                case ActiveLearningProgress.EpochCompleted e:
                    Record(e);
                    job._trainer.Tell(new Progressed(new EpochProgress(job.Experiment, e.Cycle, e.Epoch, e.Epochs, e.LearningRate,
                        e.Losses.Total, e.Losses.Supervised, e.Losses.Unsupervised, e.Losses.Replay, e.Seconds)));
                    break;
            }
        }

        /// <summary>The epoch's losses on its span (current on this thread while the epoch runs) and in the metrics.</summary>
        void Record(ActiveLearningProgress.EpochCompleted e)
        {
            var experiment = S4alMetrics.Experiment(job.Experiment);
            if (System.Diagnostics.Activity.Current is { OperationName: "epoch" } span)
            {
                span.SetTag(S4alTelemetry.Tags.Loss, e.Losses.Total);
                span.SetTag(S4alTelemetry.Tags.SupervisedLoss, e.Losses.Supervised);
                span.SetTag(S4alTelemetry.Tags.UnsupervisedLoss, e.Losses.Unsupervised);
                span.SetTag(S4alTelemetry.Tags.ReplayLoss, e.Losses.Replay);
                span.SetTag(S4alTelemetry.Tags.LearningRate, e.LearningRate);
                span.SetTag(S4alTelemetry.Tags.Steps, _epochSteps);
            }
            S4alMetrics.TrainingSteps.Add(_epochSteps, experiment);
            if (e.Seconds > 0) S4alMetrics.TrainingStepsPerSecond.Record(_epochSteps / e.Seconds, experiment);
            foreach (var (component, loss) in new[] { ("total", e.Losses.Total), ("supervised", e.Losses.Supervised), ("unsupervised", e.Losses.Unsupervised), ("replay", e.Losses.Replay) })
                S4alMetrics.TrainingLoss.Record(loss, experiment, new KeyValuePair<string, object?>("component", component));
            _epochSteps = 0;
        }
    }
}
