using System.CommandLine;
using System.Globalization;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Scenes;
using S4AL.Learning.Networks;
using S4AL.Learning.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Node.Commands;

/// <summary>
/// `s4al pretrain`: pretrains a DeepLab backbone on Fashion-MNIST classification and saves it as
/// a PyTorch state dict with torchvision's key names, for `s4al run --backbone-weights FILE`.
/// </summary>
public static class PretrainCommand
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    static readonly PretrainSettings D = new();

    public static Command Create()
    {
        var net = new Option<string>("--net") { Description = "Backbone to pretrain: mbv2 (MobileNetV2) or resnet50", DefaultValueFactory = _ => "mbv2" };
        var output = new Option<string>("--out") { Description = "Weights file to write (PyTorch state dict, torchvision key names); a JSON sidecar FILE.json describes the run", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Epochs (the learning-rate schedule spans all of them)", DefaultValueFactory = _ => D.Epochs };
        var iters = new Option<int?>("--iters-per-epoch") { Description = "Iterations per epoch (default: one pass over the 60000 training items)" };
        var size = new Option<int>("--size") { Description = "Side of the square input the 28x28 items are resized to", DefaultValueFactory = _ => D.ImageSize };
        var batch = new Option<int>("--batch") { Description = "Images per iteration", DefaultValueFactory = _ => D.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (SGD with momentum 0.9; warm-up, then cosine decay)", DefaultValueFactory = _ => D.LearningRate };
        var testItems = new Option<int?>("--test-items") { Description = "Test (t10k) items to measure the accuracy on (default: all 10000)" };
        var evalEpochs = new Option<bool>("--eval-every-epoch") { Description = "Also measure the test accuracy after every epoch" };
        var gray = new Option<bool>("--gray") { Description = "Train on plain gray items (no colouring)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights, item order and augmentation", DefaultValueFactory = _ => D.Seed };
        var threads = new Option<int>("--threads") { Description = "CPU threads for tensor operations", DefaultValueFactory = _ => Environment.ProcessorCount };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var data = new Option<string?>("--data") { Description = $"Folder of the Fashion-MNIST .gz files (default: {FashionMnist.DefaultDirectory})" };

        var cmd = new Command("pretrain",
            "Pretrain a DeepLab backbone on Fashion-MNIST classification (coloured, resized items) and save it for `s4al run --backbone-weights`.");
        foreach (var o in new Option[] { net, output, epochs, iters, size, batch, lr, testItems, evalEpochs, gray, seed, threads, device, data })
            cmd.Options.Add(o);
        cmd.SetAction(p => CommandErrors.Guard(() =>
        {
            var settings = new PretrainSettings
            {
                Network = ParseNetwork(p.GetValue(net)!),
                Epochs = AtLeast(p.GetValue(epochs), 1, "--epochs"),
                IterationsPerEpoch = p.GetValue(iters) is { } n ? AtLeast(n, 1, "--iters-per-epoch") : null,
                ImageSize = InRange(p.GetValue(size), PretrainSettings.MinImageSize, PretrainSettings.MaxImageSize, "--size"),
                BatchSize = AtLeast(p.GetValue(batch), 2, "--batch"),
                LearningRate = Positive(p.GetValue(lr), "--lr"),
                TestItems = p.GetValue(testItems) is { } t ? AtLeast(t, 1, "--test-items") : null,
                EvaluateEveryEpoch = p.GetValue(evalEpochs),
                ColourAugmentation = !p.GetValue(gray),
                Seed = p.GetValue(seed),
                DataDirectory = p.GetValue(data),
            };
            int threadCount = AtLeast(p.GetValue(threads), 1, "--threads");
            var dev = DeviceParser.Parse(p.GetValue(device)!);
            return Run(settings, p.GetValue(output)!, threadCount, dev, Console.Out);
        }));
        return cmd;
    }

    /// <summary>Pretrains, prints progress and the test accuracy, and saves the weights and their sidecar.</summary>
    public static int Run(PretrainSettings settings, string outputPath, int threads, Device device, TextWriter output)
    {
        var path = Path.GetFullPath(outputPath);
        CheckWritable(path);
        if (settings.DataDirectory is { } dir && !Directory.Exists(dir))
            throw new DirectoryNotFoundException($"--data {dir}: the folder does not exist (it should hold the Fashion-MNIST .gz files; Debian's `apt-get install dataset-fashion-mnist` installs them in {FashionMnist.DefaultDirectory})");

        if (settings.TestItems is { } wanted && FashionMnist.Load(FashionMnistSplit.Test, settings.DataDirectory).Count is var available && wanted > available)
            throw new UsageException($"--test-items {wanted}: the test split holds only {available} items");

        torch.set_num_threads(threads);
        using var pretrainer = new FashionMnistPretrainer(settings, device);
        var s = pretrainer.Settings;
        output.WriteLine(string.Create(Inv,
            $"pretraining {FashionMnistPretrainer.NetworkName(s.Network)} on Fashion-MNIST: input {s.ImageSize}x{s.ImageSize}{(s.ColourAugmentation ? " coloured" : " gray")}, " +
            $"{s.Epochs} epochs x {pretrainer.IterationsPerEpoch} iterations of {s.BatchSize}, lr {s.LearningRate}, seed {s.Seed}, threads {torch.get_num_threads()}, device {device}"));
        var result = pretrainer.Train(new Lines(output));
        pretrainer.Save(path, result);
        output.WriteLine(string.Create(Inv,
            $"test accuracy {result.TestAccuracy:0.0000} on {result.TestItems} t10k items (train loss {result.TrainLoss:0.0000}, train accuracy {result.TrainAccuracy:0.0000}) in {result.Seconds:0.0}s"));
        output.WriteLine($"saved {path} and {FashionMnistPretrainer.SidecarPath(path)}");
        return 0;
    }

    // Training takes minutes to hours; find an unusable output path before, not after.
    static void CheckWritable(string path)
    {
        if (Directory.Exists(path))
            throw new UsageException($"--out {path}: is a folder; give a file name such as {Path.Combine(path, "mbv2-fmnist.pt")}");
        var folder = Path.GetDirectoryName(path)!;
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".s4al-write-test-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--out {path}: cannot write to folder {folder}: {e.Message}");
        }
    }

    static NetworkKind ParseNetwork(string name)
    {
        if (NetworkFactory.TryParseKind(name, out var kind) && kind is NetworkKind.MobileNetV2 or NetworkKind.ResNet50) return kind;
        throw new UsageException($"--net {name}: expected mbv2 or resnet50");
    }

    static int AtLeast(int value, int min, string option) =>
        value >= min ? value : throw new UsageException($"{option} {value}: must be at least {min}");

    static int InRange(int value, int min, int max, string option) =>
        value >= min && value <= max ? value : throw new UsageException($"{option} {value}: must be in [{min}, {max}]");

    static double Positive(double value, string option) =>
        value > 0 && double.IsFinite(value) ? value : throw new UsageException(string.Create(Inv, $"{option} {value}: must be a positive number"));

    /// <summary>Prints each report as one line, synchronously (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    sealed class Lines(TextWriter output) : IProgress<PretrainProgress>
    {
        public void Report(PretrainProgress p)
        {
            var test = p.TestAccuracy is { } t ? string.Create(Inv, $" test acc {t:0.0000}") : "";
            output.WriteLine(string.Create(Inv,
                $"epoch {p.Epoch}/{p.Epochs} iter {p.Iteration}/{p.IterationsPerEpoch} loss {p.Loss:0.0000} train acc {p.Accuracy:0.0000} lr {p.LearningRate:0.00000}{test} {p.Elapsed.TotalSeconds:0.0}s"));
        }
    }
}
