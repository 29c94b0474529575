using S4AL.Domain.Acquisition;
using S4AL.Domain.Metrics;
using S4AL.Domain;
using System.Diagnostics;
using S4AL.Learning.Acquisition;
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
/// Runs a whole S4AL experiment in one process, without actors: the initial labeled set,
/// then per cycle a fresh network trained semi-supervised, evaluation, scoring of the pool,
/// acquisition of the best regions and their annotation by the oracle (the dataset's ground
/// truth). It is the reference the actor runtime is tested against, so every random choice
/// derives from <see cref="ActiveLearningSettings.Seed"/> and the cycle number.
/// </summary>
public sealed class ActiveLearningDriver
{
    readonly ISegmentationDataset _pool;
    readonly ISegmentationDataset _validation;
    readonly ActiveLearningSettings _settings;
    readonly Device _device;
    readonly RegionGrid _grid;

    public ActiveLearningDriver(ISegmentationDataset pool, ISegmentationDataset validation, ActiveLearningSettings settings, Device? device = null)
    {
        settings.Validate();
        if (pool.NumClasses != validation.NumClasses)
            throw new ArgumentException($"pool '{pool.Name}' has {pool.NumClasses} classes but validation '{validation.Name}' has {validation.NumClasses}");
        _pool = pool;
        _validation = validation;
        _settings = settings;
        _device = device ?? CPU;
        _grid = new RegionGrid(pool.Height, pool.Width, settings.RegionSize);
    }

    public RegionGrid Grid => _grid;

    /// <summary>The labeled set before the first cycle: a seeded random share of the pool, fully labeled (all of it in fully supervised mode).</summary>
    public LabeledRegionSet InitialLabeledSet()
    {
        var empty = LabeledRegionSet.Empty(_pool.Count, _grid);
        if (_settings.Mode == TrainingMode.FullySupervised)
            return empty.WithFullyLabeled(Enumerable.Range(0, _pool.Count));
        int count = Math.Max(_settings.BatchSize, (int)Math.Round(_settings.InitialLabeledShare * _pool.Count));
        count = Math.Min(count, _pool.Count);
        // The project's own generator: System.Random's seeded sequence may change between .NET versions.
        var order = Enumerable.Range(0, _pool.Count).ToList();
        new DeterministicRandom((ulong)Seeds.Derive(_settings.Seed, "initial-set")).Shuffle(order);
        return empty.WithFullyLabeled(order.Take(count));
    }

    /// <summary>
    /// Runs every cycle and returns their results; <paramref name="progress"/> sees each step of the way.
    /// <paramref name="start"/> replaces the random initial set (e.g. another run's final labeled set, to
    /// train a baseline on exactly the same pixels).
    /// </summary>
    public IReadOnlyList<CycleResult> Run(IProgress<ActiveLearningProgress>? progress = null, CancellationToken cancel = default, LabeledRegionSet? start = null)
    {
        if (start is not null && (start.Grid != _grid || start.ImageCount != _pool.Count))
            throw new ArgumentException($"the given labeled set covers {start.ImageCount} images on a {start.Grid.Rows}x{start.Grid.Columns} grid of {start.Grid.RegionSize}px regions, but this pool has {_pool.Count} images on a {_grid.Rows}x{_grid.Columns} grid of {_grid.RegionSize}px regions");
        var labeled = start ?? InitialLabeledSet();
        var results = new List<CycleResult>();
        int lastCycle = _settings.LastCycle();
        for (int cycle = 0; cycle <= lastCycle; cycle++)
        {
            var result = RunCycle(cycle, labeled, lastCycle, progress, cancel);
            results.Add(result);
            if (result.Acquired.Count > 0) labeled = labeled.WithRegions(result.Acquired);
        }
        return results;
    }

    /// <summary>One cycle on the given labeled set: train, evaluate and (unless it is the last) acquire.</summary>
    public CycleResult RunCycle(int cycle, LabeledRegionSet labeled, int lastCycle, IProgress<ActiveLearningProgress>? progress = null, CancellationToken cancel = default)
    {
        var share = labeled.LabeledPixelShare();
        int epochs = _settings.EpochsOfCycle(cycle, lastCycle);
        progress?.Report(new ActiveLearningProgress.CycleStarted(cycle, lastCycle, epochs, labeled, share));

        var trainWatch = Stopwatch.StartNew();
        using var run = new CycleTrainingRun(_pool, _settings, _device, cycle, lastCycle, labeled);
        run.RunToEnd(progress, cancel, _validation);
        var trainer = run.Trainer;
        trainWatch.Stop();

        var evaluation = Evaluate(trainer.Student);
        progress?.Report(new ActiveLearningProgress.Evaluated(cycle, evaluation));

        IReadOnlyList<RegionId> acquired = Array.Empty<RegionId>();
        var scoreWatch = Stopwatch.StartNew();
        if (cycle < lastCycle)
        {
            var scorer = _settings.Scorer == ScoringNetwork.Teacher ? trainer.Teacher : trainer.Student;
            acquired = Acquire(scorer, cycle, labeled, progress, cancel);
            var after = labeled.WithRegions(acquired);
            progress?.Report(new ActiveLearningProgress.Acquired(cycle, acquired, after, after.LabeledPixelShare()));
        }
        scoreWatch.Stop();

        var result = new CycleResult(cycle, share, labeled.AcquiredRegionCount, evaluation, acquired,
            trainWatch.Elapsed.TotalSeconds, scoreWatch.Elapsed.TotalSeconds, Steps: trainer.StepCount);
        progress?.Report(new ActiveLearningProgress.CycleCompleted(result));
        return result;
    }

    /// <summary>Scores the pool and returns the regions to annotate, in selection order.</summary>
    public IReadOnlyList<RegionId> Acquire(SegmentationNetwork scorer, int cycle, LabeledRegionSet labeled, IProgress<ActiveLearningProgress>? progress = null, CancellationToken cancel = default)
    {
        // Fully labeled images have nothing left to acquire.
        var candidates = Enumerable.Range(0, _pool.Count).Where(i => !labeled.IsFullyLabeled(i)).ToArray();
        var regionScorer = new RegionScorer(scorer, ScoringSettings(), _device);
        var shard = regionScorer.ScoreShard(cycle, candidates, labeled,
            indices => BatchBuilder.Build(_pool, indices, null, _device),
            done => progress?.Report(new ActiveLearningProgress.Scoring(cycle, done, candidates.Length)), cancel);
        return RegionSelection.Merge(new[] { shard }, _settings.Budget).Select(s => new RegionId(s.Image, s.Region)).ToList();
    }

    /// <summary>How the pool is scored; the same for every shard, so merged shard results equal one pass.</summary>
    public RegionScoringSettings ScoringSettings() => _settings.ScoringSettings();

    /// <summary>Confusion-matrix metrics of a network on the validation split.</summary>
    public SegmentationMetrics Evaluate(SegmentationNetwork network) =>
        Evaluator.Evaluate(network, _validation.Count,
            indices => BatchBuilder.Build(_validation, indices, null, _device),
            _settings.EvaluationBatchSize, _validation.ClassNames, _device);
}
