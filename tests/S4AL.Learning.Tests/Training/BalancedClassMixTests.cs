using S4AL.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Training;

public class BalancedClassMixTests
{
    // Approximate pixel shares of the 19 Cityscapes training classes (in %).
    static readonly double[] CityscapesShares =
        [36.9, 6.1, 22.8, 0.66, 0.88, 1.2, 0.2, 0.55, 15.9, 1.16, 4.0, 1.2, 0.14, 7.0, 0.27, 0.24, 0.23, 0.1, 0.4];

    [Fact]
    public void Head_and_tail_from_class_counts_reproduce_the_authors_cityscapes_lists()
    {
        var counts = CityscapesShares.Select(s => (long)(s * 1e6)).ToArray();
        using var sampler = new BalancedClassSampler(counts, new SslSettings { BalancedTailClasses = 3 }, CPU);
        // generate_class_mask_biased, cityscapes: labels_head = [0,1,2,8,10,13]
        Assert.Equal(new[] { 0, 1, 2, 8, 10, 13 }, sampler.HeadClasses);
        Assert.Equal(13, sampler.TailClasses.Count);
        Assert.Equal((3, 3), (sampler.HeadDraws, sampler.TailDraws));
    }

    [Fact]
    public void Draw_counts_are_capped_at_half_of_the_classes_tail_first()
    {
        using var sampler = new BalancedClassSampler([1000, 500, 50, 10], new SslSettings(), CPU);
        Assert.Equal(new[] { 0, 1 }, sampler.HeadClasses);
        Assert.Equal(new[] { 2, 3 }, sampler.TailClasses);
        Assert.Equal((0, 2), (sampler.HeadDraws, sampler.TailDraws));
    }

    [Fact]
    public void Sampling_favours_rare_labeled_classes()
    {
        using var scope = NewDisposeScope();
        long[] counts = [100_000, 40_000, 20_000, 3_000, 500, 50];
        using var sampler = new BalancedClassSampler(counts, new SslSettings(), CPU);
        using var g = new Generator(17);
        int rows = 4000;
        var selection = sampler.SampleSelection(rows, g);
        Assert.True(selection.narrow(1, 6, 250).any().item<bool>() == false, "a value outside the classes was selected");
        var perRow = selection.sum(1).data<long>().ToArray();
        Assert.All(perRow, n => Assert.Equal(sampler.HeadDraws + sampler.TailDraws, n));
        var frequency = selection.narrow(1, 0, 6).sum(dim: 0).to(ScalarType.Float64).div(rows).data<double>().ToArray();

        // The rarest class is drawn far more often than the most frequent one ...
        Assert.True(frequency[5] > frequency[0] + 0.3, $"rarest {frequency[5]:F3} vs most frequent {frequency[0]:F3}");
        // ... and within the tail, rarer means likelier (w = f^-0.5).
        foreach (var (rare, common) in PairsByRarity(sampler.TailClasses, counts))
            Assert.True(frequency[rare] > frequency[common] + 0.02, $"class {rare} ({frequency[rare]:F3}) should beat class {common} ({frequency[common]:F3})");
        // Compared with uniform ClassMix over the same classes, the labeled-pixel share of the
        // pasted classes moves towards the tail: the expected pasted share of the top class drops.
        double pastedHeadShare = frequency[0] / frequency.Sum();
        Assert.True(pastedHeadShare < 1.0 / 6, $"class 0 makes up {pastedHeadShare:F3} of the draws, uniform would be 0.167");
    }

    [Fact]
    public void Zero_tail_bias_draws_uniformly_within_each_group()
    {
        using var scope = NewDisposeScope();
        long[] counts = [100_000, 40_000, 20_000, 3_000, 500, 50];
        using var sampler = new BalancedClassSampler(counts, new SslSettings { TailBias = 0 }, CPU);
        using var g = new Generator(23);
        var frequency = sampler.SampleSelection(4000, g).narrow(1, 0, 6).sum(dim: 0).to(ScalarType.Float64).div(4000).data<double>().ToArray();
        foreach (var group in new[] { sampler.HeadClasses, sampler.TailClasses })
        {
            var values = group.Select(c => frequency[c]).ToArray();
            Assert.True(values.Max() - values.Min() < 0.05, $"group [{string.Join(",", group)}] frequencies {string.Join(",", values.Select(v => v.ToString("F3")))}");
        }
    }

    static IEnumerable<(int Rare, int Common)> PairsByRarity(IReadOnlyList<int> classes, long[] counts)
    {
        var sorted = classes.OrderBy(c => counts[c]).ToArray();
        for (int i = 0; i + 1 < sorted.Length; i++) yield return (sorted[i], sorted[i + 1]);
    }

    [Fact]
    public void Balanced_class_mix_pastes_whole_replay_classes_and_keeps_batch_size()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(31);
        var settings = new SslSettings();
        using var aug = new BatchAugmentations(settings, g, CPU);
        using var sampler = new BalancedClassSampler([5000, 3000, 1000, 200, 100, 50, 10, 5], settings, CPU);
        int b = 4, r = 3, h = 6, w = 8;
        var rng = new Random(2);
        var replayLabelData = Enumerable.Range(0, r * h * w).Select(_ => (long)rng.Next(8)).ToArray();
        var currentLabelData = Enumerable.Range(0, b * h * w).Select(_ => (long)rng.Next(8)).ToArray();
        var current = new PseudoLabeledBatch(zeros(b, 3, h, w), tensor(currentLabelData, [b, h, w]), full([b, h, w], 0.25f));
        var replay = new PseudoLabeledBatch(ones(r, 3, h, w), tensor(replayLabelData, [r, h, w]), full([r, h, w], 0.75f));

        var mixed = aug.BalancedClassMix(current, replay, sampler);

        Assert.Equal(new long[] { b, 3, h, w }, mixed.Images.shape);
        var img = mixed.Images[.., 0].contiguous().data<float>().ToArray();
        var lab = mixed.Labels.data<long>().ToArray();
        var conf = mixed.Confidence.data<float>().ToArray();
        int pastedTotal = 0;
        for (int n = 0; n < b; n++)
        {
            int source = n % r;
            var pasted = new HashSet<long>();
            var notPasted = new HashSet<long>();
            for (int p = 0; p < h * w; p++)
            {
                int i = n * h * w + p;
                long replayLabel = replayLabelData[source * h * w + p];
                bool fromReplay = img[i] == 1f;
                Assert.Equal(fromReplay ? replayLabel : currentLabelData[i], lab[i]);
                Assert.Equal(fromReplay ? 0.75f : 0.25f, conf[i]);
                (fromReplay ? pasted : notPasted).Add(replayLabel);
                if (fromReplay) pastedTotal++;
            }
            Assert.Empty(pasted.Intersect(notPasted)); // whole classes of the replay image
            Assert.True(pasted.Count <= sampler.HeadDraws + sampler.TailDraws);
        }
        Assert.True(pastedTotal > 0);
    }
}
