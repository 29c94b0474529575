using S4AL.Learning.Storage;
using System.Diagnostics;
using System.Text.Json;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Scenes;
using S4AL.Learning.Evaluation;
using S4AL.Learning.Networks;
using S4AL.Learning.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace S4AL.Learning.Pretraining;

/// <summary>
/// Pretrains a segmentation backbone (MobileNetV2 or ResNet-50, as DeepLabv3+ builds them) on
/// Fashion-MNIST classification, standing in for the ImageNet weights every segmentation run
/// starts from in practice and that cannot be downloaded here. The network is a
/// <see cref="BackboneClassifier"/>; items are resized, coloured and flipped on the fly
/// (<see cref="FashionMnistImageBatcher"/>); SGD with momentum, linear warm-up then cosine decay
/// per iteration. <see cref="Save"/> writes a PyTorch state dict with torchvision's key names,
/// which <see cref="SegmentationNetwork.LoadBackboneStateDict"/> loads into the DeepLab backbone
/// (the classification head is skipped), plus a JSON sidecar describing the run.
/// Deterministic for a seed on one machine: the initial weights come from the global torch
/// generator seeded just before the network is built; the item order, flips and colours from
/// the pretrainer's own generators. Not thread-safe.
/// </summary>
public sealed class FashionMnistPretrainer : IDisposable
{
    /// <summary>Images per forward pass when measuring the test accuracy.</summary>
    public const int EvaluationBatchSize = 200;

    // The test items are coloured the same way for every run (whatever its seed), so accuracies compare.
    const ulong TestColourSeed = 0x7E57_C010_0125;
    const ulong OrderSalt = 0x0D0E_5EED_F00D;
    static readonly object GlobalSeedLock = new();

    readonly FashionMnistImageBatcher _train;
    readonly FashionMnistImageBatcher _test;
    readonly SGD _optimizer;
    readonly Generator _generator;
    readonly DeterministicRandom _order;
    readonly int[] _permutation;
    int _cursor;
    bool _trained;
    bool _disposed;

    /// <summary>
    /// Loads both Fashion-MNIST splits from <see cref="PretrainSettings.DataDirectory"/> and builds
    /// the classifier on <paramref name="device"/> (CPU when null). Throws
    /// <see cref="FileNotFoundException"/> naming the missing file (and the Debian package that
    /// provides it) and <see cref="ArgumentException"/> naming a setting that is out of range.
    /// </summary>
    public FashionMnistPretrainer(PretrainSettings settings, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings.Validate();
        Device = device ?? CPU;
        var trainItems = FashionMnist.Load(FashionMnistSplit.Train, settings.DataDirectory);
        var testItems = FashionMnist.Load(FashionMnistSplit.Test, settings.DataDirectory);
        if (trainItems.Count < 2)
            throw new InvalidDataException($"The Fashion-MNIST training split in '{FashionMnist.ImageFile(settings.DataDirectory ?? FashionMnist.DefaultDirectory, FashionMnistSplit.Train)}' holds {trainItems.Count} item; pretraining needs at least 2.");
        if (settings.TestItems > testItems.Count)
            throw new ArgumentException($"{nameof(PretrainSettings.TestItems)} {settings.TestItems}: the test split holds only {testItems.Count} items", nameof(PretrainSettings.TestItems));
        TestItems = settings.TestItems ?? testItems.Count;
        IterationsPerEpoch = settings.IterationsPerEpoch ?? (trainItems.Count + settings.BatchSize - 1) / settings.BatchSize;
        TotalIterations = (long)IterationsPerEpoch * settings.Epochs;

        try {
            _train = new FashionMnistImageBatcher(trainItems, settings.ImageSize, Device);
            _test = new FashionMnistImageBatcher(testItems, settings.ImageSize, Device);
            lock (GlobalSeedLock) {
                torch.manual_seed(settings.Seed);
                Network = BackboneClassifier.Create(settings.Network, FashionMnist.ClassNames.Count);
            }
            if (settings.ChannelsLast) Network.ToChannelsLast();
            Network.to(Device);
            _optimizer = optim.SGD(Network.parameters(), settings.LearningRate, settings.Momentum, weight_decay: settings.WeightDecay);
            _generator = new Generator(unchecked((ulong)settings.Seed), Device);
            _order = new DeterministicRandom(unchecked((ulong)settings.Seed) ^ OrderSalt);
            _permutation = Enumerable.Range(0, trainItems.Count).ToArray();
            _cursor = _permutation.Length; // shuffled before the first draw
        } catch {
            Dispose();
            throw;
        }
    }

    /// <summary>The settings, validated.</summary>
    public PretrainSettings Settings { get; }

    /// <summary>Where the network and batches live.</summary>
    public Device Device { get; }

    /// <summary>The classifier being trained; its state dict has torchvision's key names.</summary>
    public BackboneClassifier Network { get; } = null!;

    /// <summary>Iterations per epoch (the setting, or one pass over the training split).</summary>
    public int IterationsPerEpoch { get; }

    /// <summary>Iterations of the whole run.</summary>
    public long TotalIterations { get; }

    /// <summary>Test items the accuracy is measured on (the first ones of t10k).</summary>
    public int TestItems { get; }

    /// <summary>The command-line name of a pretrainable backbone: mbv2 or resnet50.</summary>
    public static string NetworkName(NetworkKind kind) => kind switch {
        NetworkKind.MobileNetV2 => "mbv2",
        NetworkKind.ResNet50 => "resnet50",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only MobileNetV2 and ResNet-50 backbones are pretrained."),
    };

    /// <summary>Where <see cref="Save"/> puts the JSON sidecar of a weights file: beside it, with ".json" appended.</summary>
    public static string SidecarPath(string weightsPath) => weightsPath + ".json";

    /// <summary>
    /// Learning rate of 0-based <paramref name="iteration"/> of <paramref name="total"/>: linear
    /// warm-up over the first <paramref name="warmupShare"/> of the iterations (from peak/warm-up
    /// length, never 0), then cosine decay from the peak to 1% of it at the last iteration.
    /// </summary>
    public static double LearningRateAt(double peak, long iteration, long total, double warmupShare)
    {
        if (total < 1) throw new ArgumentOutOfRangeException(nameof(total), total, "The run needs at least one iteration.");
        if (iteration < 0 || iteration >= total) throw new ArgumentOutOfRangeException(nameof(iteration), iteration, $"The iteration must be in [0, {total}).");
        var warmup = (long)Math.Ceiling(warmupShare * total);
        if (iteration < warmup) return peak * (iteration + 1) / warmup;
        var decaying = total - warmup;
        var progress = decaying <= 1 ? 0.0 : (double)(iteration - warmup) / (decaying - 1);
        // Ends at a small fraction of the peak rather than 0, so the last step still moves.
        const double floor = 0.01;
        return peak * (floor + (1 - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    /// <summary>
    /// Trains all epochs, reporting every <see cref="PretrainSettings.ReportEvery"/> iterations
    /// and at the end of each epoch, then measures the test accuracy. Runs once per pretrainer.
    /// Throws <see cref="InvalidOperationException"/> if the loss becomes NaN or infinite (lower
    /// the learning rate).
    /// </summary>
    public PretrainResult Train(IProgress<PretrainProgress>? progress = null, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_trained) throw new InvalidOperationException("This pretrainer has already trained; create a new one for another run.");
        _trained = true;
        var watch = Stopwatch.StartNew();
        double loss = double.NaN, accuracy = double.NaN;
        long step = 0;
        Network.train();
        for (int epoch = 1; epoch <= Settings.Epochs; epoch++) {
            // Running sums stay on the device and are read only when reported.
            using var lossSum = zeros(1, float64, Device);
            using var correct = zeros(1, int64, Device);
            double learningRate = 0;
            for (int i = 1; i <= IterationsPerEpoch; i++, step++) {
                cancellation.ThrowIfCancellationRequested();
                learningRate = LearningRateAt(Settings.LearningRate, step, TotalIterations, Settings.WarmupShare);
                Step(learningRate, lossSum, correct);
                bool epochEnd = i == IterationsPerEpoch;
                if (!epochEnd && i % Settings.ReportEvery != 0) continue;
                long seen = (long)i * Settings.BatchSize;
                loss = lossSum.item<double>() / seen;
                accuracy = (double)correct.item<long>() / seen;
                if (!double.IsFinite(loss))
                    throw new InvalidOperationException(
                        $"Pretraining diverged at epoch {epoch}, iteration {i}: the mean loss is {loss}; lower the learning rate (now {Settings.LearningRate}).");
                double? test = epochEnd && Settings.EvaluateEveryEpoch && epoch < Settings.Epochs ? Evaluate() : null;
                progress?.Report(new PretrainProgress(epoch, Settings.Epochs, i, IterationsPerEpoch, loss, accuracy, learningRate,
                    watch.Elapsed, epochEnd, test));
            }
        }
        var testAccuracy = Evaluate();
        return new PretrainResult(NetworkName(Settings.Network), Settings.ImageSize, Settings.Epochs, IterationsPerEpoch,
            Settings.BatchSize, Settings.LearningRate, Settings.ColourAugmentation, loss, accuracy, testAccuracy, TestItems,
            Settings.Seed, watch.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Top-1 accuracy of the network (in eval mode, BatchNorm on its running statistics) on the
    /// first <paramref name="items"/> test items (default <see cref="TestItems"/>), coloured by a
    /// fixed generator so every run and seed is measured on the same images; never flipped.
    /// </summary>
    public double Evaluate(int? items = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int count = items ?? TestItems;
        if (count < 1 || count > _test.Count)
            throw new ArgumentOutOfRangeException(nameof(items), count, $"The test split holds {_test.Count} items.");
        using var generator = new Generator(TestColourSeed, Device);
        using var evalMode = new EvalModeScope(Network);
        using var noGrad = no_grad();
        long correct = 0;
        for (int start = 0; start < count; start += EvaluationBatchSize) {
            using var scope = NewDisposeScope();
            var indices = Enumerable.Range(start, Math.Min(EvaluationBatchSize, count - start)).ToArray();
            var (images, labels) = _test.Build(indices, generator, Settings.ColourAugmentation, flip: false);
            correct += Network.call(images).argmax(1).eq(labels).sum().item<long>();
        }
        return (double)correct / count;
    }

    /// <summary>
    /// Writes the classifier's state dict (torchvision's key names: backbone and the
    /// classification head, which the DeepLab loader skips) to <paramref name="path"/> in PyTorch's
    /// format, then <paramref name="result"/> as JSON to <see cref="SidecarPath"/>; both written to a
    /// temporary name and renamed, so an interrupted save never leaves a truncated file.
    /// </summary>
    public void Save(string path, PretrainResult result)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(result);
        if (Directory.Exists(path))
            throw new IOException($"Cannot save the pretrained weights to '{path}': it is a folder; give a file name such as {Path.Combine(path, NetworkName(Settings.Network) + "-fmnist.pt")}.");
        PyTorchStateDict.Save(Network, path);
        var json = JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
        AtomicFile.WriteText(SidecarPath(path), json + Environment.NewLine);
    }

    void Step(double learningRate, Tensor lossSum, Tensor correct)
    {
        using var scope = NewDisposeScope();
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = learningRate;
        var (images, labels) = _train.Build(NextIndices(Settings.BatchSize), _generator, Settings.ColourAugmentation, flip: true);
        var logits = Network.call(images);
        var loss = cross_entropy(logits, labels);
        _optimizer.zero_grad();
        loss.backward();
        _optimizer.step();
        using var noGrad = no_grad();
        lossSum.add_(loss.detach().to_type(float64).mul_(labels.shape[0]));
        correct.add_(logits.argmax(1).eq(labels).sum());
    }

    // Walks a shuffled permutation and reshuffles when it runs out, so every item is seen once per
    // pass even when an epoch is shorter than a pass.
    int[] NextIndices(int count)
    {
        var indices = new int[count];
        for (int k = 0; k < count; k++) {
            if (_cursor == _permutation.Length) {
                _order.Shuffle(_permutation);
                _cursor = 0;
            }
            indices[k] = _permutation[_cursor++];
        }
        return indices;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _optimizer?.Dispose();
        Network?.Dispose();
        _generator?.Dispose();
        _train?.Dispose();
        _test?.Dispose();
    }
}
