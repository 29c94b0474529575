using S4AL.Domain.Acquisition;
using S4AL.Domain;
using S4AL.Learning.Acquisition;
using S4AL.Learning.Data.Regions;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Acquisition;

public class RegionScorerTests
{
    const int H = 16, W = 24, Classes = 4;
    static readonly RegionGrid Grid = new(H, W, 8); // 2x3 regions

    /// <summary>Region scores of one image computed the slow, obvious way: one image, pixel by pixel, cell by cell.</summary>
    static float[] ManualRegionScores(TinyTestNetwork net, TestPool pool, int image, AcquisitionMetric metric, LabeledRegionSet labeled)
    {
        using var scope = NewDisposeScope();
        using var batch = pool.Batch([image]);
        net.eval();
        float[] probs;
        using (no_grad()) probs = nn.functional.softmax(net.call(batch.Images), 1).data<float>().ToArray();
        var mask = labeled.PixelMask(image);
        var result = new float[Grid.RegionCount];
        for (int r = 0; r < Grid.RegionCount; r++)
        {
            var (top, bottom, left, right) = Grid.Bounds(r);
            double sum = 0;
            for (int y = top; y < bottom; y++)
                for (int x = left; x < right; x++)
                {
                    var p = Enumerable.Range(0, Classes).Select(c => (double)probs[(c * H + y) * W + x]).OrderDescending().ToArray();
                    double score = metric switch
                    {
                        AcquisitionMetric.Entropy => -p.Sum(v => v > 0 ? v * Math.Log(v) : 0),
                        AcquisitionMetric.LeastConfidence => 1 - p[0],
                        AcquisitionMetric.Margin => -(p[0] - p[1]),
                        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
                    };
                    sum += mask[y * W + x] ? PixelScores.LabeledPixelValue(metric) : score;
                }
            result[r] = (float)(sum / ((bottom - top) * (right - left)));
        }
        return result;
    }

    [Theory]
    [InlineData(AcquisitionMetric.Entropy)]
    [InlineData(AcquisitionMetric.LeastConfidence)]
    [InlineData(AcquisitionMetric.Margin)]
    public void Region_scores_match_a_pixel_by_pixel_computation(AcquisitionMetric metric)
    {
        var net = new TinyTestNetwork(Classes, seed: 1);
        var pool = new TestPool(H, W, Classes);
        // Image 1 has a labeled region: its pixels take the metric's floor, and the region itself is no candidate.
        var labeled = LabeledRegionSet.Empty(3, Grid).WithRegions([new RegionId(1, 4)]);
        var scorer = new RegionScorer(net, new RegionScoringSettings(metric, BatchSize: 2));
        var all = scorer.ScoreAllRegions(0, [0, 1, 2], labeled, pool.Batch);

        Assert.Equal(3 * Grid.RegionCount - 1, all.Count);
        Assert.DoesNotContain(all, s => s.Image == 1 && s.Region == 4);
        for (int image = 0; image < 3; image++)
        {
            var expected = ManualRegionScores(net, pool, image, metric, labeled);
            foreach (var s in all.Where(s => s.Image == image))
                Assert.Equal(expected[s.Region], s.Score, 4);
        }
        Assert.Equal(all.OrderBy(s => s, RegionSelection.Order), all);
    }

    [Fact]
    public void Scores_in_eval_and_inference_mode_and_restores_training_mode()
    {
        var net = new TinyTestNetwork(Classes, seed: 2);
        net.train();
        // A part kept in eval mode on purpose (as a trainer may freeze batch norm) stays so.
        var frozen = net.named_modules().Single(m => m.name == "conv1").module;
        frozen.eval();
        var pool = new TestPool(H, W, Classes);
        var scorer = new RegionScorer(net, new RegionScoringSettings());
        scorer.ScoreShard(0, [0, 1], LabeledRegionSet.Empty(2, Grid), pool.Batch);
        Assert.False(net.LastForwardTraining);
        Assert.True(net.LastForwardInference);
        Assert.True(net.training);
        Assert.False(frozen.training);
        Assert.True(net.named_modules().Single(m => m.name == "classifier").module.training);

        net.eval();
        scorer.ScoreShard(0, [0], LabeledRegionSet.Empty(2, Grid), pool.Batch);
        Assert.False(net.training);
    }

    [Fact]
    public void Per_image_budget_returns_k_unlabeled_regions_of_every_image_and_skips_fully_labeled_ones()
    {
        var net = new TinyTestNetwork(Classes, seed: 3);
        var pool = new TestPool(H, W, Classes);
        var labeled = LabeledRegionSet.Empty(6, Grid)
            .WithFullyLabeled([2])
            .WithRegions([new RegionId(0, 0), new RegionId(0, 1), new RegionId(0, 2), new RegionId(4, 5)]);
        var progress = new List<int>();
        var scorer = new RegionScorer(net, new RegionScoringSettings(Budget: SelectionBudget.PerImage(4), BatchSize: 2));
        var selected = scorer.ScoreShard(0, [0, 1, 2, 3, 4, 5], labeled, pool.Batch, progress.Add);

        Assert.Equal(3, selected.Count(s => s.Image == 0)); // only 3 regions left
        foreach (int image in new[] { 1, 3, 4, 5 }) Assert.Equal(4, selected.Count(s => s.Image == image));
        Assert.DoesNotContain(selected, s => s.Image == 2);
        Assert.All(selected, s => Assert.False(labeled.IsLabeled(s.Image, s.Region)));
        // The fully labeled image is never even loaded.
        Assert.DoesNotContain(pool.Requests, r => r.Contains(2));
        Assert.Equal([[0, 1], [3, 4], [5]], pool.Requests);
        Assert.Equal(6, progress[^1]);
        Assert.Equal(progress.Order(), progress);

        // The per-image top-k is the k best of that image's candidates.
        var all = scorer.ScoreAllRegions(0, [0, 1, 2, 3, 4, 5], labeled, pool.Batch);
        foreach (int image in new[] { 0, 1, 3, 4, 5 })
            Assert.Equal(all.Where(s => s.Image == image).Take(4), selected.Where(s => s.Image == image));
    }

    [Theory]
    [InlineData(AcquisitionMetric.Entropy, 7)]
    [InlineData(AcquisitionMetric.Margin, 12)]
    [InlineData(AcquisitionMetric.LeastConfidence, 1)]
    public void Merged_shard_results_equal_one_unsharded_pass(AcquisitionMetric metric, int budget)
    {
        var net = new TinyTestNetwork(Classes, seed: 4);
        var pool = new TestPool(H, W, Classes);
        var labeled = LabeledRegionSet.Empty(10, Grid)
            .WithFullyLabeled([7])
            .WithRegions([new RegionId(1, 3), new RegionId(4, 0), new RegionId(4, 1)]);
        var images = Enumerable.Range(0, 10).ToArray();
        var global = SelectionBudget.Global(budget);
        var whole = new RegionScorer(net, new RegionScoringSettings(metric, global, BatchSize: 4))
            .ScoreShard(0, images, labeled, pool.Batch);
        Assert.Equal(budget, whole.Count);

        // Shards of uneven size, listed out of order, so batches are composed differently and some are short.
        int[][] shards = [[9, 0, 5], [2, 8], [1, 3, 4, 6, 7]];
        var shardScorer = new RegionScorer(net, new RegionScoringSettings(metric, global, BatchSize: 4));
        var results = shards.Select(s => shardScorer.ScoreShard(0, s, labeled, pool.Batch)).ToList();
        Assert.All(results, r => Assert.True(r.Count <= budget));
        Assert.Equal(whole, RegionSelection.Merge(results, global));

        // The same holds for the per-image budget.
        var perImage = SelectionBudget.PerImage(2);
        var wholePerImage = new RegionScorer(net, new RegionScoringSettings(metric, perImage, BatchSize: 4)).ScoreShard(0, images, labeled, pool.Batch);
        var perImageScorer = new RegionScorer(net, new RegionScoringSettings(metric, perImage, BatchSize: 4));
        Assert.Equal(wholePerImage, RegionSelection.Merge(shards.Select(s => perImageScorer.ScoreShard(0, s, labeled, pool.Batch)), perImage));
    }

    [Fact]
    public void Bad_requests_are_rejected_with_clear_errors()
    {
        var net = new TinyTestNetwork(Classes, seed: 5);
        var pool = new TestPool(H, W, Classes);
        var labeled = LabeledRegionSet.Empty(4, Grid);
        var scorer = new RegionScorer(net, new RegionScoringSettings());

        Assert.Contains("image 9", Assert.Throws<ArgumentOutOfRangeException>(() => scorer.ScoreShard(0, [9], labeled, pool.Batch)).Message);
        Assert.Contains("image 1", Assert.Throws<ArgumentException>(() => scorer.ScoreShard(0, [1, 1], labeled, pool.Batch)).Message);
        var wrongImages = Assert.Throws<InvalidOperationException>(() =>
            scorer.ScoreShard(0, [0, 1], labeled, ids => pool.Batch(ids.Reverse().ToArray())));
        Assert.Contains("[1,0]", wrongImages.Message);
        var wrongSize = new TestPool(H, W + 8, Classes);
        Assert.Contains("16x32", Assert.Throws<InvalidOperationException>(() => scorer.ScoreShard(0, [0], labeled, wrongSize.Batch)).Message);
        Assert.Throws<ArgumentNullException>(() => new RegionScorer(null, new RegionScoringSettings(AcquisitionMetric.Entropy)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RegionScorer(net, new RegionScoringSettings(BatchSize: 0)));
    }

    [Fact]
    public void Scoring_stops_when_cancelled()
    {
        var net = new TinyTestNetwork(Classes, seed: 6);
        var pool = new TestPool(H, W, Classes);
        using var cts = new CancellationTokenSource();
        var scorer = new RegionScorer(net, new RegionScoringSettings(BatchSize: 1));
        Assert.ThrowsAny<OperationCanceledException>(() =>
            scorer.ScoreShard(0, [0, 1, 2], LabeledRegionSet.Empty(3, Grid), pool.Batch, done => { if (done == 1) cts.Cancel(); }, cts.Token));
        Assert.Single(pool.Requests);
    }
}
