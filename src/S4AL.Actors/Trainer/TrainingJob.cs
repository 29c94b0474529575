using System.Diagnostics;
using Akka.Actor;
using S4AL.Actors.Replay;
using S4AL.Actors.Workspace;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.ActiveLearning;
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
    readonly ExperimentDataCache _data;
    readonly TrainerOptions _options;
    readonly Device _device;
    readonly ManualResetEventSlim _running = new(true);
    readonly CancellationTokenSource _cancel = new();

    public TrainingJob(TrainCycle order, IActorRef trainer, IActorRef replay, ExperimentDataCache data, TrainerOptions options, Device device)
    {
        _order = order;
        _trainer = trainer;
        _replay = replay;
        _data = data;
        _options = options;
        _device = device;
    }

    public ExperimentId Experiment => _order.Plan.Id;
    public int Cycle => _order.Cycle;
    public volatile int Epoch;
    public long Step;
    public bool Paused => !_running.IsSet;

    public void Pause() => _running.Reset();
    public void Resume() => _running.Set();
    public void Cancel() { _cancel.Cancel(); _running.Set(); }

    public Task Start() => Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    void Run()
    {
        try
        {
            var cancel = _cancel.Token;
            var data = _data.Get(_order.Plan.Definition, $"experiment {Experiment}");
            var labeled = data.LabeledSet(_order.Labeled);
            var watch = Stopwatch.StartNew();
            var session = $"{Experiment}/{Cycle}/{_order.Attempt}/{Guid.NewGuid():N}";
            var replay = new RemoteReplayExchange(_replay, Experiment, session, _options.ReplayTimeout);
            int lastCycle = _order.Plan.LastCycle;
            using var run = _order.ResumeFrom is { } from
                ? CycleTrainingRun.Resume(from.Path, from.Sha256, data.Pool, data.Settings, _device, Cycle, lastCycle, labeled, replay)
                : new CycleTrainingRun(data.Pool, data.Settings, _device, Cycle, lastCycle, labeled, replay);
            Epoch = run.EpochsDone;
            var progress = new Progress(this);
            var sinceCheckpoint = Stopwatch.StartNew();
            int lastCheckpointEpoch = run.EpochsDone;
            while (!run.IsFinished)
            {
                run.RunEpoch(progress, cancel, () => { _running.Wait(cancel); Interlocked.Increment(ref Step); });
                Epoch = run.EpochsDone;
                if (!run.IsFinished && run.EpochsDone - lastCheckpointEpoch >= _options.CheckpointEveryEpochs && sinceCheckpoint.Elapsed >= _options.CheckpointInterval)
                {
                    _trainer.Tell(new CheckpointWritten(Save(run, $"cycle-{Cycle}-epoch-{run.EpochsDone}", cancel)));
                    lastCheckpointEpoch = run.EpochsDone;
                    sinceCheckpoint.Restart();
                }
            }
            var model = Save(run, $"cycle-{Cycle}-final", cancel);
            var confusion = run.EvaluateStudent(data.Validation, cancel);
            var evaluation = new CycleEvaluation(confusion.NumClasses, Flatten(confusion.ToArray()), labeled.LabeledPixelShare(), watch.Elapsed.TotalSeconds);
            _trainer.Tell(new Finished(model, evaluation));
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            _trainer.Tell(new Cancelled());
        }
        catch (Exception e)
        {
            _trainer.Tell(new Failed(e));
        }
    }

    CheckpointRef Save(CycleTrainingRun run, string name, CancellationToken cancel)
    {
        var path = CheckpointPath(_order.Plan.RunDirectory, name);
        var info = run.SaveCheckpoint(path, cancel);
        return new CheckpointRef(info.Path, info.Id, Cycle, run.EpochsDone, run.Trainer.StepCount);
    }

    public static string CheckpointPath(string runDirectory, string name) =>
        Path.Combine(runDirectory, "checkpoints", name + Learning.Checkpoints.CheckpointFile.Extension);

    static long[] Flatten(long[,] counts)
    {
        var flat = new long[counts.Length];
        int n = counts.GetLength(1), i = 0;
        for (int r = 0; r < counts.GetLength(0); r++)
            for (int c = 0; c < n; c++) flat[i++] = counts[r, c];
        return flat;
    }

    /// <summary>Turns the engine's progress into protocol messages; steps are throttled to a few per second.</summary>
    sealed class Progress(TrainingJob job) : IProgress<ActiveLearningProgress>
    {
        long _lastStepTicks;

        public void Report(ActiveLearningProgress value)
        {
            switch (value)
            {
                case ActiveLearningProgress.StepCompleted s:
                    long now = Stopwatch.GetTimestamp();
                    if (s.Step + 1 < s.StepsPerEpoch && Stopwatch.GetElapsedTime(_lastStepTicks, now) < TimeSpan.FromMilliseconds(250)) return;
                    _lastStepTicks = now;
                    job._trainer.Tell(new Progressed(new StepProgress(job.Experiment, s.Cycle, s.Epoch, s.Step, s.StepsPerEpoch, s.Loss)));
                    break;
                case ActiveLearningProgress.EpochCompleted e:
                    job._trainer.Tell(new Progressed(new EpochProgress(job.Experiment, e.Cycle, e.Epoch, e.Epochs, e.LearningRate,
                        e.Losses.Total, e.Losses.Supervised, e.Losses.Unsupervised, e.Losses.Replay, e.Seconds)));
                    break;
            }
        }
    }
}
