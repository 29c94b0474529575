using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Scenes;
using S4AL.Learning.Networks;
using S4AL.Learning.Pretraining;
using S4AL.Learning.Tests.Data;
using S4AL.Learning.Tests.Networks;

namespace S4AL.Learning.Tests.Pretraining;

public sealed class FashionMnistPretrainerTests
{
    sealed class Collect : IProgress<PretrainProgress>
    {
        public List<PretrainProgress> Reports { get; } = [];
        public void Report(PretrainProgress value) => Reports.Add(value);
    }

    [Fact]
    public void Training_reduces_the_loss_and_reports_every_epoch()
    {
        using var threads = new SingleThread();
        using var data = new TinyFashion(trainPerClass: 8, testPerClass: 4);
        var progress = new Collect();
        // Batch 16: with 8, BatchNorm's batch statistics are too noisy for a from-scratch MobileNetV2 to learn in 24 steps.
        using var pretrainer = new FashionMnistPretrainer(data.Settings(epochs: 3, iterations: 8) with { ImageSize = 24, BatchSize = 16, ReportEvery = 3 });
        var result = pretrainer.Train(progress);

        Assert.Equal([3, 6, 8, 3, 6, 8, 3, 6, 8], progress.Reports.Select(r => r.Iteration));
        var epochEnds = progress.Reports.Where(r => r.EpochCompleted).ToList();
        Assert.Equal([1, 2, 3], epochEnds.Select(r => r.Epoch));
        Assert.True(epochEnds[1].Loss < epochEnds[0].Loss && epochEnds[2].Loss < 0.6 * epochEnds[0].Loss,
            $"mean losses per epoch {string.Join(", ", epochEnds.Select(r => r.Loss.ToString("0.000")))} do not fall clearly");
        Assert.True(epochEnds[2].Accuracy > epochEnds[0].Accuracy, "training accuracy did not rise");
        Assert.Equal(epochEnds[2].Loss, result.TrainLoss);
        Assert.Equal(epochEnds[2].Accuracy, result.TrainAccuracy);
        Assert.Equal(data.TestCount, result.TestItems);
        Assert.Equal(result.TestAccuracy, pretrainer.Evaluate());
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_and_another_seed_other_weights()
    {
        using var threads = new SingleThread();
        using var data = new TinyFashion();
        Dictionary<string, TorchSharp.torch.Tensor> Weights(int seed)
        {
            using var pretrainer = new FashionMnistPretrainer(data.Settings(iterations: 2) with { Seed = seed, TestItems = 1 });
            pretrainer.Train();
            return pretrainer.Network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        }
        var a = Weights(3);
        var b = Weights(3);
        var c = Weights(4);
        Assert.All(a, kv => Assert.True(kv.Value.Identical(b[kv.Key]), $"{kv.Key} differs between two runs with seed 3"));
        Assert.Contains(a, kv => !kv.Value.Identical(c[kv.Key]));
        foreach (var t in a.Values.Concat(b.Values).Concat(c.Values)) t.Dispose();
    }

    [Fact]
    public void A_missing_dataset_names_the_file_and_the_debian_package()
    {
        using var folder = new TempFolder();
        var missing = folder["nothing-here"];
        var e = Assert.Throws<FileNotFoundException>(() => new FashionMnistPretrainer(new PretrainSettings { DataDirectory = missing }));
        Assert.Contains(FashionMnist.ImageFile(missing, FashionMnistSplit.Train), e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [Theory]
    [InlineData(nameof(PretrainSettings.Network))]
    [InlineData(nameof(PretrainSettings.ImageSize))]
    [InlineData(nameof(PretrainSettings.Epochs))]
    [InlineData(nameof(PretrainSettings.IterationsPerEpoch))]
    [InlineData(nameof(PretrainSettings.BatchSize))]
    [InlineData(nameof(PretrainSettings.LearningRate))]
    [InlineData(nameof(PretrainSettings.Momentum))]
    [InlineData(nameof(PretrainSettings.WeightDecay))]
    [InlineData(nameof(PretrainSettings.WarmupShare))]
    [InlineData(nameof(PretrainSettings.TestItems))]
    [InlineData(nameof(PretrainSettings.ReportEvery))]
    public void A_bad_setting_is_named(string setting)
    {
        var s = new PretrainSettings();
        var bad = setting switch
        {
            nameof(PretrainSettings.Network) => s with { Network = NetworkKind.Tiny },
            nameof(PretrainSettings.ImageSize) => s with { ImageSize = 8 },
            nameof(PretrainSettings.Epochs) => s with { Epochs = 0 },
            nameof(PretrainSettings.IterationsPerEpoch) => s with { IterationsPerEpoch = 0 },
            nameof(PretrainSettings.BatchSize) => s with { BatchSize = 1 },
            nameof(PretrainSettings.LearningRate) => s with { LearningRate = double.NaN },
            nameof(PretrainSettings.Momentum) => s with { Momentum = 1 },
            nameof(PretrainSettings.WeightDecay) => s with { WeightDecay = -1e-4 },
            nameof(PretrainSettings.WarmupShare) => s with { WarmupShare = 1 },
            nameof(PretrainSettings.TestItems) => s with { TestItems = 0 },
            _ => s with { ReportEvery = 0 },
        };
        var e = Assert.Throws<ArgumentException>(() => bad.Validate());
        Assert.Equal(setting, e.ParamName);
        Assert.StartsWith(setting + " ", e.Message);
        s.Validate();
    }

    [Fact]
    public void More_test_items_than_the_split_holds_is_named()
    {
        using var data = new TinyFashion(testPerClass: 2);
        var e = Assert.Throws<ArgumentException>(() => new FashionMnistPretrainer(data.Settings() with { TestItems = 9 }));
        Assert.Contains("TestItems 9", e.Message);
        Assert.Contains("8 items", e.Message);
    }

    [Fact]
    public void Saving_onto_a_folder_names_it_and_a_pretrainer_trains_only_once()
    {
        using var threads = new SingleThread();
        using var data = new TinyFashion();
        using var folder = new TempFolder();
        using var pretrainer = new FashionMnistPretrainer(data.Settings(iterations: 1) with { TestItems = 1 });
        var result = pretrainer.Train();
        var e = Assert.Throws<IOException>(() => pretrainer.Save(folder.Path, result));
        Assert.Contains(folder.Path, e.Message);
        Assert.Throws<InvalidOperationException>(() => pretrainer.Train());
        Assert.Throws<ArgumentOutOfRangeException>(() => pretrainer.Evaluate(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => pretrainer.Evaluate(data.TestCount + 1));
    }

    [Fact]
    public void The_learning_rate_warms_up_linearly_then_decays_by_a_cosine()
    {
        const double peak = 0.1;
        const int total = 100;
        var rates = Enumerable.Range(0, total).Select(i => FashionMnistPretrainer.LearningRateAt(peak, i, total, warmupShare: 0.1)).ToArray();
        Assert.Equal(peak * 1 / 10, rates[0], 12);
        Assert.Equal(peak * 5 / 10, rates[4], 12);
        Assert.Equal(peak, rates[10], 12);
        Assert.Equal(peak * 0.01, rates[^1], 12);
        Assert.Equal(peak * (0.01 + 0.99 * 0.5), rates[10 + 89 / 2] + (rates[10 + 89 / 2 + 1] - rates[10 + 89 / 2]) / 2, 3);
        for (int i = 1; i < 10; i++) Assert.True(rates[i] > rates[i - 1]);
        for (int i = 11; i < total; i++) Assert.True(rates[i] < rates[i - 1]);
        Assert.Equal(peak, FashionMnistPretrainer.LearningRateAt(peak, 0, total, warmupShare: 0), 12);
        Assert.Equal(peak, FashionMnistPretrainer.LearningRateAt(peak, 0, 1, warmupShare: 0), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => FashionMnistPretrainer.LearningRateAt(peak, total, total, 0.1));
    }
}
