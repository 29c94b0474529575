using S4AL.Domain.Acquisition;
using S4AL.Learning.Acquisition;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Scenes;
using S4AL.Learning.Networks;
using S4AL.Learning.Training;

namespace S4AL.Learning.Tests.ActiveLearning;

public class ActiveLearningDriverTests
{
    static ActiveLearningSettings Small(int seed = 3) => new()
    {
        Cycles = 2,
        EpochsPerCycle = 6,
        IterationsPerEpoch = 8,
        BatchSize = 4,
        InitialLabeledShare = 0.25,
        RegionSize = 8,
        Budget = SelectionBudget.PerImage(2),
        Network = NetworkKind.Tiny,
        Ssl = new SslSettings { ColdStartEpochs = 2, ReplayWarmupEpochs = 3 },
        EvaluationBatchSize = 8,
        Seed = seed,
    };

    static (ISegmentationDataset Pool, ISegmentationDataset Validation) Data() =>
        (new SyntheticSceneDataset(24, seed: 11, height: 32, width: 48), new SyntheticSceneDataset(12, seed: 12, height: 32, width: 48));

    [Fact]
    public void Labeled_share_grows_by_the_budget_each_cycle_and_miou_improves()
    {
        var (pool, validation) = Data();
        var settings = Small();
        var driver = new ActiveLearningDriver(pool, validation, settings);
        var results = driver.Run();

        Assert.Equal(settings.Cycles + 1, results.Count);
        var grid = driver.Grid;
        var labeled = driver.InitialLabeledSet();
        int unlabeledImages = pool.Count - labeled.FullyLabeledImages.Count;
        for (int c = 0; c < results.Count; c++)
        {
            Assert.Equal(labeled.LabeledPixelShare(), results[c].LabeledPixelShare, 9);
            if (c == results.Count - 1) { Assert.Empty(results[c].Acquired); break; }
            // Per-image budget: exactly k new regions on every image that is not fully labeled.
            Assert.Equal(unlabeledImages * settings.Budget.Count, results[c].Acquired.Count);
            Assert.All(results[c].Acquired.GroupBy(r => r.Image), g => Assert.Equal(settings.Budget.Count, g.Count()));
            double before = labeled.LabeledPixelShare();
            labeled = labeled.WithRegions(results[c].Acquired); // throws if a region was picked twice
            double expectedGain = (double)results[c].Acquired.Count * grid.RegionSize * grid.RegionSize / (pool.Count * pool.Height * pool.Width);
            Assert.Equal(before + expectedGain, labeled.LabeledPixelShare(), 6);
        }
        Assert.True(results[^1].Evaluation.MeanIoU > results[0].Evaluation.MeanIoU,
            $"mIoU did not improve: {string.Join(" -> ", results.Select(r => r.Evaluation.MeanIoU.ToString("0.000")))}");
    }

    [Fact]
    public void The_initial_set_is_a_fixed_function_of_the_seed_on_any_runtime()
    {
        // Expected values computed outside .NET (Python: SHA-256 seed derivation, xoshiro256**,
        // Fisher-Yates from the back), so a change of the .NET runtime cannot move them.
        var (pool, validation) = Data();
        ISet<int> Initial(int seed) => new ActiveLearningDriver(pool, validation, Small(seed)).InitialLabeledSet().FullyLabeledImages.ToHashSet();
        Assert.Equal([0, 3, 8, 9, 19, 21], Initial(1).Order());
        Assert.Equal([2, 15, 16, 18, 19, 22], Initial(2).Order());
    }

    [Fact]
    public void Same_seed_gives_the_same_acquisitions()
    {
        var (pool, validation) = Data();
        var settings = Small() with { Cycles = 1, EpochsPerCycle = 2, IterationsPerEpoch = 3 };
        var first = new ActiveLearningDriver(pool, validation, settings).Run();
        var second = new ActiveLearningDriver(pool, validation, settings).Run();
        Assert.Equal(first[0].Acquired, second[0].Acquired);
        Assert.Equal(first[^1].Evaluation.MeanIoU, second[^1].Evaluation.MeanIoU, 12);
    }

    [Fact]
    public void Global_budget_acquires_exactly_B_regions()
    {
        var (pool, validation) = Data();
        var settings = Small() with { Cycles = 1, EpochsPerCycle = 1, IterationsPerEpoch = 2, Budget = SelectionBudget.Global(7), Metric = AcquisitionMetric.Margin };
        var results = new ActiveLearningDriver(pool, validation, settings).Run();
        Assert.Equal(7, results[0].Acquired.Count);
        Assert.Equal(7, results[0].Acquired.Distinct().Count());
    }

    [Fact]
    public void Invalid_settings_name_the_setting()
    {
        var (pool, validation) = Data();
        var e = Assert.Throws<ArgumentException>(() => new ActiveLearningDriver(pool, validation, Small() with { BatchSize = 1 }));
        Assert.Contains("BatchSize", e.Message);
    }
}
