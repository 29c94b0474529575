using S4AL.Domain.Acquisition;
using S4AL.Domain.Experiments;
using System.CommandLine;
using System.Text.Json.Serialization;
using S4AL.Learning.Acquisition;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Networks;
using static TorchSharp.torch;

namespace S4AL.Node.Commands;

/// <summary>A fully resolved experiment: data, algorithm settings, device and run folder.</summary>
public sealed record RunRequest(DatasetOptions Data, ActiveLearningSettings Settings, string DeviceName, string RunDir, int Threads, string? LabeledFrom = null,
    int ShardSize = RunOptions.DefaultShardSize, AnnotatorMode Annotator = AnnotatorMode.Oracle, string? StartLabels = null)
{
    /// <summary>The definition every node opens the experiment from.</summary>
    [JsonIgnore] public ExperimentDefinition Definition => new(Data, Settings, Annotator);

    [JsonIgnore] public Device Device => DeviceParser.Parse(DeviceName);
}

/// <summary>The command-line options that define an experiment, shared by the commands that start one.</summary>
public sealed class RunOptions
{
    static readonly ActiveLearningSettings D = new();
    public const int DefaultShardSize = 50;

    readonly Option<string> _dataset = new("--dataset") { Description = "synthetic (built in), fashion-mnist (scenes from Debian's dataset-fashion-mnist), camvid, cityscapes or folder", DefaultValueFactory = _ => "synthetic" };
    readonly Option<string?> _dataRoot = new("--data-root") { Description = "Dataset folder (camvid, cityscapes, folder), or the Fashion-MNIST folder" };
    readonly Option<string?> _classes = new("--classes") { Description = "Class names, comma-separated (camvid/folder layouts with other classes); default: classes.txt beside the data, else the dataset's own" };
    readonly Option<int> _height = new("--height") { Description = "Image height (images are resized or generated at this size)", DefaultValueFactory = _ => 64 };
    readonly Option<int> _width = new("--width") { Description = "Image width", DefaultValueFactory = _ => 96 };
    readonly Option<int> _poolSize = new("--pool-size") { Description = "Pool images to generate (synthetic, fashion-mnist)", DefaultValueFactory = _ => 200 };
    readonly Option<int> _valSize = new("--val-size") { Description = "Validation images to generate (synthetic, fashion-mnist)", DefaultValueFactory = _ => 50 };
    readonly Option<string> _net = new("--net") { Description = "mbv2 (DeepLabv3+ MobileNetV2), resnet50 (DeepLabv3+ ResNet-50) or tiny", DefaultValueFactory = _ => "mbv2" };
    readonly Option<string?> _backbone = new("--backbone-weights") { Description = "PyTorch ImageNet state dict (.pt/.pth) for the backbone" };
    readonly Option<string> _metric = new("--metric") { Description = "entropy, margin, least-confidence or random", DefaultValueFactory = _ => "entropy" };
    readonly Option<int> _regionSize = new("--region-size") { Description = "Side of a square annotation region, pixels", DefaultValueFactory = _ => D.RegionSize };
    readonly Option<string> _budget = new("--budget") { Description = "per-image (k best regions of every image) or global (B best of the pool)", DefaultValueFactory = _ => "per-image" };
    readonly Option<int> _regionsPerImage = new("--regions-per-image") { Description = "k for --budget per-image", DefaultValueFactory = _ => 4 };
    readonly Option<int> _globalBudget = new("--global-budget") { Description = "B for --budget global", DefaultValueFactory = _ => 200 };
    readonly Option<double> _initialShare = new("--initial-share") { Description = "Share of pool images fully labeled at the start", DefaultValueFactory = _ => D.InitialLabeledShare };
    readonly Option<int> _cycles = new("--cycles") { Description = "Acquisition cycles (training runs cycles + 1 times)", DefaultValueFactory = _ => D.Cycles };
    readonly Option<int> _epochs = new("--epochs") { Description = "Epochs per cycle (the last cycle trains twice as long)", DefaultValueFactory = _ => D.EpochsPerCycle };
    readonly Option<int> _iters = new("--iters") { Description = "Iterations per epoch", DefaultValueFactory = _ => D.IterationsPerEpoch };
    readonly Option<int> _batch = new("--batch") { Description = "Batch size", DefaultValueFactory = _ => D.BatchSize };
    readonly Option<string> _mode = new("--mode") { Description = "s4al, supervised (labeled pixels only) or full (every pixel labeled, no acquisition)", DefaultValueFactory = _ => "s4al" };
    readonly Option<string> _scorer = new("--scorer") { Description = "Network that scores the pool: student (authors' code) or teacher (paper)", DefaultValueFactory = _ => "student" };
    readonly Option<bool> _supOnRegions = new("--sup-on-regions") { Description = "true (default): the supervised loss draws its batches from every image with an annotated pixel, acquired regions included, as --mode supervised does; false: only the fully labeled images (the authors' code)", DefaultValueFactory = _ => D.SupervisedOnAcquiredRegions };
    readonly Option<string?> _preset = new("--preset") { Description = "authors: the authors' code and CamVid command line (acquired regions only in the unsupervised loss, 100 epochs of 50 iterations, 30-pixel regions, 4 per image); options given explicitly win" };
    readonly Option<int?> _coldStart = new("--cold-start-epochs") { Description = "Epochs of each cycle with the supervised loss only (default: 10% of --epochs, as the authors' 10 of 100)" };
    readonly Option<int?> _replayWarmup = new("--replay-warmup-epochs") { Description = "Epoch of a cycle from which balanced ClassMix with replay runs (default: 30% of --epochs, as the authors' 30 of 100)" };
    readonly Option<int?> _evalEvery = new("--eval-every") { Description = "With --mode full or supervised: evaluate on the validation split every K epochs and stop once validation mIoU no longer rises (--patience); --epochs (doubled, as the last round's) is then the maximum. The round reports its best evaluation and model" };
    readonly Option<int> _patience = new("--patience") { Description = "With --eval-every: evaluations in a row without a gain after which training stops", DefaultValueFactory = _ => 3 };
    readonly Option<int> _seed = new("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 1 };
    readonly Option<string> _device = new("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
    readonly Option<int> _threads = new("--threads") { Description = "CPU threads for tensor operations", DefaultValueFactory = _ => Environment.ProcessorCount };
    readonly Option<string?> _labeledFrom = new("--labeled-from") { Description = "Start from this labeled set (a run folder's labeled.json) instead of a random initial set" };
    readonly Option<string?> _runDir = new("--run-dir") { Description = "Folder for settings, journal, checkpoints and results (default: runs/<time>); an unfinished run in it is resumed" };
    readonly Option<string> _annotator = new("--annotator")
    {
        Description = "oracle: the dataset's masks label the queried regions at once (benchmarks); human: people label them (s4al export/import, s4al annotate); required when pool images have no masks, whose masks are then never read",
        DefaultValueFactory = _ => "oracle",
    };
    readonly Option<string?> _startLabels = new("--start-labels")
    {
        Description = "With --annotator human: a folder of masks <image id>.png (class index per pixel, 255 = not labeled) of pool images already labeled in full; they are the initial labeled set, and no first round queries them",
    };
    readonly Option<int> _shardSize = new("--shard-size") { Description = "Pool images per scoring shard (the unit of work of a scorer)", DefaultValueFactory = _ => DefaultShardSize };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _dataset, _dataRoot, _classes, _height, _width, _poolSize, _valSize, _net, _backbone, _metric, _regionSize,
                     _budget, _regionsPerImage, _globalBudget, _initialShare, _cycles, _epochs, _iters, _batch, _mode, _scorer, _supOnRegions, _preset,
                     _coldStart, _replayWarmup, _evalEvery, _patience, _seed, _device, _threads, _labeledFrom, _runDir, _shardSize, _annotator, _startLabels })
            command.Options.Add(option);
    }

    public RunRequest Read(ParseResult p)
    {
        var seed = p.GetValue(_seed);
        var data = new DatasetOptions
        {
            Kind = Named("--dataset", p.GetValue(_dataset)!, DatasetOptions.ParseKind),
            Root = p.GetValue(_dataRoot),
            Classes = p.GetValue(_classes)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            Height = p.GetValue(_height),
            Width = p.GetValue(_width),
            PoolSize = p.GetValue(_poolSize),
            ValidationSize = p.GetValue(_valSize),
            Seed = seed,
        };
        // A preset replaces the defaults; an option given on the command line wins over both.
        var preset = p.GetValue(_preset) is { } name ? Preset(name) : D;
        T Given<T>(Option<T> option, T fromPreset) => p.GetResult(option) is { Implicit: false } ? p.GetValue(option)! : fromPreset;
        bool budgetGiven = new Option[] { _budget, _regionsPerImage, _globalBudget }.Any(o => p.GetResult(o) is { Implicit: false });
        int epochs = Given(_epochs, preset.EpochsPerCycle);
        var settings = preset with
        {
            Cycles = Given(_cycles, preset.Cycles),
            EpochsPerCycle = epochs,
            IterationsPerEpoch = Given(_iters, preset.IterationsPerEpoch),
            BatchSize = Given(_batch, preset.BatchSize),
            InitialLabeledShare = Given(_initialShare, preset.InitialLabeledShare),
            RegionSize = Given(_regionSize, preset.RegionSize),
            Budget = !budgetGiven ? preset.Budget
                : Choice(p.GetValue(_budget)!, "--budget", ("per-image", false), ("global", true))
                    ? SelectionBudget.Global(Positive(p.GetValue(_globalBudget), "--global-budget"))
                    : SelectionBudget.PerImage(Positive(p.GetValue(_regionsPerImage), "--regions-per-image")),
            Metric = p.GetResult(_metric) is { Implicit: false } ? Named("--metric", p.GetValue(_metric)!, AcquisitionMetrics.Parse) : preset.Metric,
            Scorer = p.GetResult(_scorer) is { Implicit: false } ? Choice(p.GetValue(_scorer)!, "--scorer", ("student", ScoringNetwork.Student), ("teacher", ScoringNetwork.Teacher)) : preset.Scorer,
            Mode = Choice(p.GetValue(_mode)!, "--mode", ("s4al", TrainingMode.S4al), ("supervised", TrainingMode.SupervisedOnly), ("full", TrainingMode.FullySupervised)),
            SupervisedOnAcquiredRegions = Given(_supOnRegions, preset.SupervisedOnAcquiredRegions),
            Network = p.GetResult(_net) is { Implicit: false } ? Named("--net", p.GetValue(_net)!, NetworkFactory.ParseKind) : preset.Network,
            BackboneWeights = p.GetValue(_backbone),
            Ssl = preset.Ssl with
            {
                // The authors' schedule in proportion, so shorter runs keep its shape.
                ColdStartEpochs = p.GetValue(_coldStart) ?? (int)Math.Round(0.1 * epochs),
                ReplayWarmupEpochs = p.GetValue(_replayWarmup) ?? (int)Math.Round(0.3 * epochs),
            },
            Seed = seed,
            Convergence = Convergence(p),
        };
        if (settings.Convergence is not null && settings.Mode == TrainingMode.S4al)
            throw new UsageException("--eval-every: stopping at convergence is for --mode full or supervised (an S4AL round's length is part of the method)");
        settings.Validate();
        var deviceName = p.GetValue(_device)!;
        DeviceParser.Parse(deviceName);
        int threads = p.GetValue(_threads);
        if (threads < 1) throw new UsageException($"--threads {threads}: must be at least 1");
        var runDir = p.GetValue(_runDir) ?? Path.Combine("runs", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss"));
        var labeledFrom = p.GetValue(_labeledFrom);
        var annotator = Choice(p.GetValue(_annotator)!, "--annotator", ("oracle", AnnotatorMode.Oracle), ("human", AnnotatorMode.Human));
        var startLabels = p.GetValue(_startLabels);
        if (startLabels is not null && annotator != AnnotatorMode.Human) throw new UsageException("--start-labels needs --annotator human (with the oracle every pool mask is read anyway)");
        if (startLabels is not null && labeledFrom is not null) throw new UsageException("give --start-labels or --labeled-from, not both: each says which images start labeled");
        if (startLabels is not null && !Directory.Exists(startLabels)) throw new UsageException($"--start-labels {startLabels}: no such folder");
        if (labeledFrom is not null && !File.Exists(labeledFrom)) throw new UsageException($"--labeled-from {labeledFrom}: file not found");
        return new RunRequest(data, settings, deviceName, Path.GetFullPath(runDir), threads, labeledFrom is null ? null : Path.GetFullPath(labeledFrom),
            Positive(p.GetValue(_shardSize), "--shard-size"),
            annotator, startLabels is null ? null : Path.GetFullPath(startLabels));
    }

    ConvergenceRule? Convergence(ParseResult p)
    {
        int patience = Positive(p.GetValue(_patience), "--patience");
        if (p.GetValue(_evalEvery) is not { } every)
            return p.GetResult(_patience) is { Implicit: false } ? throw new UsageException("--patience goes with --eval-every K") : null;
        return new ConvergenceRule(Positive(every, "--eval-every"), patience);
    }

    /// <summary>
    /// Options given on the command line that define the experiment (not where or how it runs):
    /// when none is given, a run folder's existing experiment is resumed as it was defined.
    /// </summary>
    public IReadOnlyList<string> DefinitionOptionsGiven(ParseResult p) =>
        new Option[] { _dataset, _dataRoot, _classes, _height, _width, _poolSize, _valSize, _net, _backbone, _metric, _regionSize,
                _budget, _regionsPerImage, _globalBudget, _initialShare, _cycles, _epochs, _iters, _batch, _mode, _scorer, _supOnRegions, _preset,
                _coldStart, _replayWarmup, _evalEvery, _patience, _seed, _labeledFrom, _shardSize, _annotator, _startLabels }
            .Where(o => p.GetResult(o) is { Implicit: false })
            .Select(o => o.Name)
            .ToList();

    /// <summary>Parses with the engine's parser and puts the option's name in front of its message.</summary>
    public static T Named<T>(string option, string value, Func<string, T> parse)
    {
        try { return parse(value); }
        catch (ArgumentException e) { throw new UsageException($"{option} {value}: {CommandErrors.MessageOf(e)}"); }
    }

    /// <summary>The settings a --preset name stands for.</summary>
    public static ActiveLearningSettings Preset(string name) => name.Trim().ToLowerInvariant() switch
    {
        "authors" => ActiveLearningSettings.Authors,
        _ => throw new UsageException($"--preset {name}: expected authors"),
    };

    static int Positive(int value, string option) =>
        value >= 1 ? value : throw new UsageException($"{option} {value}: must be at least 1");

    static T Choice<T>(string value, string option, params (string Name, T Value)[] choices)
    {
        foreach (var (name, v) in choices)
            if (string.Equals(name, value, StringComparison.OrdinalIgnoreCase)) return v;
        throw new UsageException($"{option} {value}: expected one of {string.Join(", ", choices.Select(c => c.Name))}");
    }
}
