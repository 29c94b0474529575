using S4AL.Domain.Experiments;
using S4AL.Domain.Metrics;
using System.Diagnostics;
using System.Text.Json;
using S4AL.Learning.Checkpoints;
using S4AL.Learning.Data.Batches;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Regions;
using S4AL.Learning.Evaluation;
using S4AL.Learning.Networks;
using S4AL.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.ActiveLearning;

/// <summary>
/// The training of one active-learning cycle, epoch by epoch, with checkpoints that capture
/// every random stream (network, augmentation generator, replay buffer, batch samplers), so a
/// run resumed from a checkpoint continues exactly as the uninterrupted one. Used by the
/// in-process driver and by the trainer actor alike, so both train identically.
/// </summary>
public sealed class CycleTrainingRun : IDisposable
{
    /// <summary>Checkpoint part with the run's position (<see cref="RunPosition"/> as JSON).</summary>
    public const string PositionPart = "run-position";
    /// <summary><see cref="CheckpointMetadata.Kind"/> of cycle-training checkpoints.</summary>
    public const string CheckpointKind = "s4al-cycle-training";

    readonly ISegmentationDataset _pool;
    readonly ActiveLearningSettings _settings;
    readonly Device _device;
    readonly LabeledRegionSet _labeled;
    readonly IReplayExchange _replay;
    readonly int[] _supervisedImages;
    BatchPrefetcher? _labeledBatches;
    BatchPrefetcher? _poolBatches;
    long _labeledBatchesTaken;
    long _poolBatchesTaken;
    readonly List<TrainingCurvePoint> _curve = [];
    bool _disposed;

    /// <summary>Where a run stands, saved in each checkpoint.</summary>
    /// <param name="Curve">Evaluations made while training (<see cref="ActiveLearningSettings.Convergence"/>); null in checkpoints of runs without.</param>
    public sealed record RunPosition(int Cycle, int Epochs, int EpochsDone, long Steps, long LabeledBatches, long PoolBatches, string SettingsHash,
        IReadOnlyList<TrainingCurvePoint>? Curve = null);

    /// <param name="replay">The cycle's replay buffer; null: held here (<see cref="LocalReplayExchange"/>).</param>
    public CycleTrainingRun(ISegmentationDataset pool, ActiveLearningSettings settings, Device device, int cycle, int lastCycle, LabeledRegionSet labeled, IReplayExchange? replay = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(labeled);
        if (labeled.ImageCount != pool.Count)
            throw new ArgumentException($"the labeled set covers {labeled.ImageCount} images, the pool '{pool.Name}' has {pool.Count}", nameof(labeled));
        if (cycle < 0 || cycle > lastCycle) throw new ArgumentOutOfRangeException(nameof(cycle), $"cycle {cycle} is outside 0..{lastCycle}");
        _pool = pool;
        _settings = settings;
        _device = device;
        _labeled = labeled;
        _replay = replay ?? new LocalReplayExchange();
        Cycle = cycle;
        Epochs = settings.EpochsOfCycle(cycle, lastCycle);
        _supervisedImages = SupervisedImages(pool.Count, settings, labeled);
        if (_supervisedImages.Length == 0) throw new ArgumentException($"cycle {cycle} has no labeled image to train on", nameof(labeled));
        Trainer = CreateTrainer(pool, settings, device, cycle, labeled);
        _replay.Reset(cycle, Trainer.Replay.GetState());
    }

    public int Cycle { get; }
    /// <summary>Epochs of this cycle (the last cycle trains longer).</summary>
    public int Epochs { get; }
    public int EpochsDone { get; private set; }
    /// <summary>All epochs trained, or (with <see cref="ActiveLearningSettings.Convergence"/>) validation mIoU stopped rising.</summary>
    public bool IsFinished => EpochsDone >= Epochs || (_settings.Convergence is { } rule && rule.HasConverged(_curve));
    /// <summary>Evaluations so far (<see cref="RecordEvaluation"/>), in order; kept in checkpoints.</summary>
    public IReadOnlyList<TrainingCurvePoint> Curve => _curve;
    /// <summary>Whether the convergence rule wants the student evaluated now (and it was not yet at this epoch).</summary>
    public bool EvaluationDue => _settings.Convergence is { } rule && rule.IsDue(EpochsDone) && (_curve.Count == 0 || _curve[^1].EpochsDone < EpochsDone);
    public SslTrainer Trainer { get; }
    public int StepsPerEpoch => _settings.IterationsPerEpoch;

    /// <summary>A fresh student and teacher for the cycle (the authors re-initialize every cycle).</summary>
    public static SslTrainer CreateTrainer(ISegmentationDataset pool, ActiveLearningSettings settings, Device device, int cycle, LabeledRegionSet labeled)
    {
        var ssl = settings.Mode == TrainingMode.S4al
            ? settings.Ssl
            // Supervised baselines: an endless cold start at weight 1 is exactly "L_sup only".
            : settings.Ssl with { ColdStartEpochs = int.MaxValue, ColdStartSupervisedWeight = 1.0 };
        var trainer = new SslTrainer(() => CreateNetwork(settings, pool.NumClasses), pool.NumClasses, ssl, device, Seeds.Derive(settings.Seed, "cycle", cycle), cycle)
        {
            // The run feeds the buffer through its replay exchange, which may live in another actor.
            FillsReplayBuffer = false,
        };
        trainer.SetLabeledClassCounts(LabelStatistics.CountLabeledPixels(pool, labeled));
        return trainer;
    }

    /// <summary>An untrained network of the experiment's architecture (with the backbone weights, if any).</summary>
    public static SegmentationNetwork CreateNetwork(ActiveLearningSettings settings, int numClasses)
    {
        var net = NetworkFactory.Create(settings.Network, numClasses);
        if (settings.BackboneWeights is not null) net.LoadBackboneStateDict(settings.BackboneWeights);
        return net;
    }

    /// <summary>
    /// The images the supervised loss draws its batches from: every image with an annotated
    /// pixel for the supervised-only baseline and for S4AL with
    /// <see cref="ActiveLearningSettings.SupervisedOnAcquiredRegions"/>; otherwise the fully
    /// labeled ones (S4AL as the authors' code runs it, and full supervision).
    /// </summary>
    public static int[] SupervisedImages(int poolCount, ActiveLearningSettings settings, LabeledRegionSet labeled)
    {
        bool anyLabel = settings.Mode == TrainingMode.SupervisedOnly
            || (settings.Mode == TrainingMode.S4al && settings.SupervisedOnAcquiredRegions);
        return Enumerable.Range(0, poolCount)
            .Where(i => anyLabel ? labeled.HasAnyLabel(i) : labeled.IsFullyLabeled(i))
            .ToArray();
    }

    /// <summary>Trains the next epoch and returns its mean losses.</summary>
    public EpochOutcome RunEpoch(IProgress<ActiveLearningProgress>? progress = null, CancellationToken cancel = default, Action? betweenSteps = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsFinished) throw new InvalidOperationException($"cycle {Cycle} has already trained its {Epochs} epochs");
        int epoch = EpochsDone, b = _settings.BatchSize, n = _settings.IterationsPerEpoch;
        var watch = Stopwatch.StartNew();
        Trainer.SetEpoch(epoch, Epochs);
        bool needsPool = _settings.Mode == TrainingMode.S4al && !Trainer.Settings.IsColdStart(epoch);
        bool usesReplay = needsPool && Trainer.Settings.UsesReplay(Cycle, epoch);
        bool fillsReplay = needsPool && Trainer.Settings.FillsReplay(Cycle, epoch);
        var labeledBatches = _labeledBatches ??= BatchPrefetcher.ForDataset(_pool,
            new IndexSampler(_supervisedImages, Seeds.Derive(_settings.Seed, "labeled-sampler", Cycle), _labeledBatchesTaken * b), b, _labeled, _device);
        double total = 0, sup = 0, unsup = 0, rep = 0;
        bool drawPending = false;
        for (int step = 0; step < n; step++)
        {
            cancel.ThrowIfCancellationRequested();
            betweenSteps?.Invoke();
            using var lb = labeledBatches.Next(cancel);
            _labeledBatchesTaken++;
            using var ub = needsPool ? PoolBatches().Next(cancel) : null;
            if (ub is not null) _poolBatchesTaken++;
            int[]? replayIndices = null;
            if (usesReplay)
            {
                // The first step of an epoch asks for its draw itself; later steps took it with the previous step's exchange.
                if (!drawPending) _replay.Send(null, b);
                replayIndices = _replay.TakeDraw(cancel);
            }
            // Send this step's additions and the next step's draw now, so the answer is ready when the next step starts.
            bool nextDraws = usesReplay && step < n - 1;
            if (fillsReplay || nextDraws) _replay.Send(fillsReplay ? ub!.Indices : null, nextDraws ? b : 0);
            drawPending = nextDraws;
            using var rb = replayIndices is null ? null : BatchBuilder.Build(_pool, replayIndices, _labeled, _device, cancel);
            var r = Trainer.Step(lb, ub, rb, epoch);
            total += r.Total; sup += r.Supervised; unsup += r.Unsupervised; rep += r.Unsupervised2;
            progress?.Report(new ActiveLearningProgress.StepCompleted(Cycle, epoch, step, n, r.Total));
        }
        EpochsDone++;
        var outcome = new EpochOutcome(epoch, Trainer.LearningRate, new LossSummary(total / n, sup / n, unsup / n, rep / n), watch.Elapsed.TotalSeconds);
        progress?.Report(new ActiveLearningProgress.EpochCompleted(Cycle, epoch, Epochs, outcome.LearningRate, outcome.Losses, outcome.Seconds));
        return outcome;
    }

    BatchPrefetcher PoolBatches() => _poolBatches ??= BatchPrefetcher.ForDataset(_pool,
        new IndexSampler(Enumerable.Range(0, _pool.Count).ToArray(), Seeds.Derive(_settings.Seed, "pool-sampler", Cycle), _poolBatchesTaken * _settings.BatchSize),
        _settings.BatchSize, _labeled, _device);

    /// <summary>Adds the student's validation mIoU at the current position to <see cref="Curve"/>.</summary>
    public TrainingCurvePoint RecordEvaluation(double meanIoU)
    {
        if (!EvaluationDue) throw new InvalidOperationException($"no evaluation is due after epoch {EpochsDone} of cycle {Cycle}");
        var point = new TrainingCurvePoint(EpochsDone, Trainer.StepCount, meanIoU);
        _curve.Add(point);
        return point;
    }

    /// <summary>Trains every remaining epoch; with a convergence rule, evaluates on <paramref name="validation"/> when due and stops once converged.</summary>
    public void RunToEnd(IProgress<ActiveLearningProgress>? progress = null, CancellationToken cancel = default, ISegmentationDataset? validation = null)
    {
        if (_settings.Convergence is not null && validation is null)
            throw new ArgumentException("a run that stops at convergence needs the validation split", nameof(validation));
        while (!IsFinished)
        {
            RunEpoch(progress, cancel);
            if (EvaluationDue) RecordEvaluation(EvaluateStudent(validation!, cancel).ToMetrics().MeanIoU);
        }
    }

    /// <summary>The current position (for checkpoints and status).</summary>
    public RunPosition Position => new(Cycle, Epochs, EpochsDone, Trainer.StepCount, _labeledBatchesTaken, _poolBatchesTaken, SettingsHash(_settings),
        _settings.Convergence is null ? null : _curve.ToList());

    /// <summary>Writes the trainer's whole state and the run's position atomically (between epochs).</summary>
    public CheckpointInfo SaveCheckpoint(string path, CancellationToken cancel = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // The buffer may live in an actor: bring its state into the trainer so one file holds all.
        Trainer.Replay.Restore(_replay.GetState(cancel));
        var parts = Trainer.ExportState()
            .Select(p => CheckpointPart.FromBytes(p.Key, p.Value))
            .Append(CheckpointPart.FromBytes(PositionPart, JsonSerializer.SerializeToUtf8Bytes(Position)))
            .ToList();
        var metadata = new CheckpointMetadata { Cycle = Cycle, Step = Trainer.StepCount, Kind = CheckpointKind, SettingsHash = SettingsHash(_settings), CreatedUtc = DateTimeOffset.UtcNow };
        return CheckpointFile.Write(path, metadata, parts);
    }

    /// <summary>
    /// Continues the run saved in <paramref name="checkpointPath"/>. The file's SHA-256 must equal
    /// <paramref name="expectedId"/> (when given) and its settings, cycle and pool must match.
    /// </summary>
    public static CycleTrainingRun Resume(string checkpointPath, string? expectedId, ISegmentationDataset pool, ActiveLearningSettings settings, Device device, int cycle, int lastCycle, LabeledRegionSet labeled, IReplayExchange? replay = null)
    {
        using var checkpoint = CheckpointFile.Open(checkpointPath);
        if (expectedId is not null && !string.Equals(checkpoint.Id, expectedId, StringComparison.OrdinalIgnoreCase))
            throw new CheckpointCorruptException(checkpointPath, $"its SHA-256 is {checkpoint.Id}, the journal recorded {expectedId}");
        if (checkpoint.Metadata.Kind != CheckpointKind)
            throw new CheckpointException(checkpointPath, $"it is a '{checkpoint.Metadata.Kind}' checkpoint, not a cycle-training checkpoint");
        var position = JsonSerializer.Deserialize<RunPosition>(checkpoint.ReadPart(PositionPart))
            ?? throw new CheckpointCorruptException(checkpointPath, $"part '{PositionPart}' is empty");
        if (position.Cycle != cycle) throw new CheckpointException(checkpointPath, $"it was saved in cycle {position.Cycle}, not cycle {cycle}");
        if (position.SettingsHash != SettingsHash(settings)) throw new CheckpointException(checkpointPath, "it was saved with other experiment settings");
        var parts = checkpoint.PartNames.Where(p => p != PositionPart).ToDictionary(p => p, checkpoint.ReadPart);
        var run = new CycleTrainingRun(pool, settings, device, cycle, lastCycle, labeled, replay);
        try
        {
            run.Trainer.ImportState(parts);
            run._replay.Reset(cycle, run.Trainer.Replay.GetState());
            run.EpochsDone = position.EpochsDone;
            run._labeledBatchesTaken = position.LabeledBatches;
            run._poolBatchesTaken = position.PoolBatches;
            run._curve.AddRange(position.Curve ?? []);
            if (run.Trainer.StepCount != position.Steps)
                throw new CheckpointCorruptException(checkpointPath, $"the trainer state is at step {run.Trainer.StepCount}, the run position at {position.Steps}");
            return run;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    /// <summary>Loads one network (student or teacher) from a cycle-training checkpoint, verifying its SHA-256 when <paramref name="expectedId"/> is given.</summary>
    public static SegmentationNetwork LoadNetwork(string checkpointPath, string? expectedId, ActiveLearningSettings settings, int numClasses, ScoringNetwork which, Device device)
    {
        using var checkpoint = CheckpointFile.Open(checkpointPath);
        if (expectedId is not null && !string.Equals(checkpoint.Id, expectedId, StringComparison.OrdinalIgnoreCase))
            throw new CheckpointCorruptException(checkpointPath, $"its SHA-256 is {checkpoint.Id}, the journal recorded {expectedId}");
        var part = which == ScoringNetwork.Teacher ? SslTrainer.StateParts.Teacher : SslTrainer.StateParts.Student;
        var network = NetworkFactory.Create(settings.Network, numClasses);
        try
        {
            SslTrainer.LoadNetwork(checkpoint.ReadPart(part), part, network);
            network.to(device);
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The confusion matrix of the student on the validation split.</summary>
    public ConfusionMatrix EvaluateStudent(ISegmentationDataset validation, CancellationToken cancel = default) =>
        Evaluate(Trainer.Student, validation, _settings, _device, cancel);

    /// <summary>The confusion matrix of <paramref name="network"/> on the validation split (e.g. a round's best student, loaded from its checkpoint).</summary>
    public static ConfusionMatrix Evaluate(SegmentationNetwork network, ISegmentationDataset validation, ActiveLearningSettings settings, Device device, CancellationToken cancel = default) =>
        Evaluator.Accumulate(network, Enumerable.Range(0, validation.Count).ToArray(),
            indices => BatchBuilder.Build(validation, indices, null, device), settings.EvaluationBatchSize, device, cancellationToken: cancel);

    static string SettingsHash(ActiveLearningSettings settings) => CheckpointMetadata.ComputeSettingsHash(settings);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _labeledBatches?.Dispose();
        _poolBatches?.Dispose();
        Trainer.Dispose();
    }
}

/// <summary>The outcome of one epoch.</summary>
public sealed record EpochOutcome(int Epoch, double LearningRate, LossSummary Losses, double Seconds);
