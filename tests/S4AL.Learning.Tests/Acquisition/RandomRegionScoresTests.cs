using S4AL.Domain.Acquisition;
using S4AL.Domain;
using S4AL.Learning.Acquisition;
using S4AL.Learning.Data.Batches;
using S4AL.Learning.Data.Regions;

namespace S4AL.Learning.Tests.Acquisition;

public class RandomRegionScoresTests
{
    [Fact]
    public void Score_is_a_pure_function_of_seed_cycle_image_and_region()
    {
        Assert.Equal(RandomRegionScores.Score(42, 1, 7, 3), RandomRegionScores.Score(42, 1, 7, 3));
        var variants = new[]
        {
            RandomRegionScores.Score(42, 1, 7, 3), RandomRegionScores.Score(43, 1, 7, 3), RandomRegionScores.Score(42, 2, 7, 3),
            RandomRegionScores.Score(42, 1, 8, 3), RandomRegionScores.Score(42, 1, 7, 4), RandomRegionScores.Score(42, 1, 3, 7),
        };
        Assert.Equal(variants.Length, variants.Distinct().Count());
    }

    [Fact]
    public void Scores_are_uniform_in_the_unit_interval()
    {
        var scores = new List<float>();
        for (int image = 0; image < 100; image++)
            for (int region = 0; region < 100; region++)
                scores.Add(RandomRegionScores.Score(5, 0, image, region));
        Assert.All(scores, s => Assert.InRange(s, 0f, 0.99999995f));
        Assert.InRange(scores.Average(), 0.49, 0.51);
        // Each tenth of [0,1) holds about a tenth of the scores.
        foreach (var bucket in scores.GroupBy(s => (int)(s * 10)))
            Assert.InRange(bucket.Count(), 900, 1100);
        Assert.True(scores.Distinct().Count() > 9990);
    }

    [Fact]
    public void Random_ranking_does_not_depend_on_sharding_or_batching_and_changes_with_the_cycle()
    {
        var grid = new RegionGrid(16, 24, 8);
        var labeled = LabeledRegionSet.Empty(20, grid).WithFullyLabeled([3]).WithRegions([new RegionId(5, 2)]);
        var images = Enumerable.Range(0, 20).ToArray();
        var budget = SelectionBudget.Global(9);
        Func<IReadOnlyList<int>, SegmentationBatch> noBatches = _ => throw new InvalidOperationException("random scoring needs no images");

        var scorer = new RegionScorer(null, new RegionScoringSettings(AcquisitionMetric.Random, budget, BatchSize: 3, Seed: 11));
        var whole = scorer.ScoreShard(1, images, labeled, noBatches);
        Assert.Equal(9, whole.Count);
        Assert.All(whole, s => Assert.False(labeled.IsLabeled(s.Image, s.Region)));

        var other = new RegionScorer(null, new RegionScoringSettings(AcquisitionMetric.Random, budget, BatchSize: 1, Seed: 11));
        var shards = new[] { images.Where(i => i % 3 == 0), images.Where(i => i % 3 == 1), images.Where(i => i % 3 == 2) }
            .Select(s => other.ScoreShard(1, s.Reverse().ToArray(), labeled, noBatches))
            .ToList();
        Assert.Equal(whole, RegionSelection.Merge(shards, budget));

        Assert.NotEqual(whole, scorer.ScoreShard(2, images, labeled, noBatches));
        var reseeded = new RegionScorer(null, new RegionScoringSettings(AcquisitionMetric.Random, budget, Seed: 12));
        Assert.NotEqual(whole, reseeded.ScoreShard(1, images, labeled, noBatches));
    }
}
