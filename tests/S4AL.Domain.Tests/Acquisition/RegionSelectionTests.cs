using S4AL.Domain.Acquisition;
using S4AL.Domain;



namespace S4AL.Domain.Tests.Acquisition;

public class RegionSelectionTests
{
    const int RegionsPerImage = 6;

    /// <summary>Scores with many exact ties (quantized to 0.1), to exercise tie-breaking.</summary>
    static List<RegionCandidate> RandomCandidates(int images, int regions, int seed)
    {
        var rng = new Random(seed);
        var list = new List<RegionCandidate>();
        for (int i = 0; i < images; i++)
            for (int r = 0; r < regions; r++)
                list.Add(new RegionCandidate(i, r, rng.Next(0, 10) / 10f));
        return list;
    }

    static List<RegionCandidate> Shuffled(IEnumerable<RegionCandidate> items, int seed)
    {
        var list = items.ToList();
        new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        return list;
    }

    [Fact]
    public void Per_image_selection_keeps_the_k_best_of_every_image()
    {
        var candidates = new List<RegionCandidate>
        {
            new(0, 0, 0.1f), new(0, 1, 0.9f), new(0, 2, 0.5f), new(0, 3, 0.7f),
            new(1, 0, 0.3f), new(1, 1, 0.2f),
            new(2, 4, 0.05f),
        };
        var selected = RegionSelection.Select(candidates, SelectionBudget.PerImage(2));
        Assert.Equal(
            [new(0, 1, 0.9f), new(0, 3, 0.7f), new(1, 0, 0.3f), new(1, 1, 0.2f), new(2, 4, 0.05f)],
            selected);
    }

    [Fact]
    public void Global_selection_keeps_the_B_best_of_the_pool()
    {
        var candidates = RandomCandidates(10, 6, seed: 1);
        var selected = RegionSelection.Select(candidates, SelectionBudget.Global(7));
        Assert.Equal(7, selected.Count);
        double worstKept = selected.Min(s => s.Score);
        Assert.All(candidates.Except(selected), c => Assert.True(c.Score <= worstKept));
    }

    [Fact]
    public void Ties_are_broken_by_image_then_region()
    {
        var candidates = new List<RegionCandidate> { new(3, 1, 0.5f), new(1, 5, 0.5f), new(1, 2, 0.5f), new(2, 0, 0.5f), new(0, 0, 0.4f) };
        Assert.Equal([new(1, 2, 0.5f), new(1, 5, 0.5f), new(2, 0, 0.5f)], RegionSelection.Select(candidates, SelectionBudget.Global(3)));
        // The order of the input does not matter.
        for (int seed = 0; seed < 5; seed++)
            Assert.Equal(RegionSelection.Select(candidates, SelectionBudget.Global(3)),
                RegionSelection.Select(Shuffled(candidates, seed), SelectionBudget.Global(3)));
    }

    [Fact]
    public void Labeled_regions_are_never_selected_even_with_the_highest_scores()
    {
        // Image 2 fully labeled, three regions of images 0 and 1 acquired.
        var acquired = new HashSet<RegionId> { new(0, 0), new(0, 1), new(1, 5) };
        bool IsLabeled(RegionId r) => r.Image == 2 || acquired.Contains(r);
        var candidates = new List<RegionCandidate>();
        for (int i = 0; i < 3; i++)
            for (int r = 0; r < RegionsPerImage; r++)
                candidates.Add(new RegionCandidate(i, r, IsLabeled(new(i, r)) ? 100f : r / 10f));

        foreach (var budget in new[] { SelectionBudget.PerImage(4), SelectionBudget.Global(5), SelectionBudget.Global(100) })
        {
            var selected = RegionSelection.Select(candidates, budget, IsLabeled);
            Assert.NotEmpty(selected);
            Assert.All(selected, s => Assert.False(IsLabeled(s.Id)));
        }
        // Image 0 has 4 unlabeled regions left, image 1 five, image 2 none.
        var perImage = RegionSelection.Select(candidates, SelectionBudget.PerImage(5), IsLabeled);
        Assert.Equal(4, perImage.Count(s => s.Image == 0));
        Assert.Equal(5, perImage.Count(s => s.Image == 1));
        Assert.DoesNotContain(perImage, s => s.Image == 2);
        // All unlabeled regions fit in the budget: every one of them, and nothing else.
        Assert.Equal(9, RegionSelection.Select(candidates, SelectionBudget.Global(100), IsLabeled).Count);
    }

    [Fact]
    public void Duplicate_candidates_and_nan_scores_are_rejected()
    {
        var dup = Assert.Throws<ArgumentException>(() =>
            RegionSelection.Select([new(1, 2, 0.5f), new(1, 2, 0.4f)], SelectionBudget.Global(1)));
        Assert.Contains("region 2 of image 1", dup.Message);
        Assert.Throws<ArgumentException>(() => RegionSelection.Select([new(0, 0, float.NaN)], SelectionBudget.Global(1)));
        Assert.Throws<ArgumentException>(() =>
            RegionSelection.Merge([[new(0, 0, 0.5f)], [new(0, 0, 0.5f)]], SelectionBudget.Global(3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SelectionBudget.Global(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SelectionBudget.PerImage(-1));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(3, 17)]
    [InlineData(4, 40)]
    [InlineData(5, 500)]  // more than the pool: everything
    public void Merging_shard_selections_equals_selecting_over_the_whole_pool(int seed, int budget)
    {
        var candidates = RandomCandidates(40, 6, seed);
        var rng = new Random(seed);
        foreach (var b in new[] { SelectionBudget.Global(budget), SelectionBudget.PerImage(Math.Min(budget, 7)) })
        {
            var whole = RegionSelection.Select(candidates, b);
            foreach (int shardCount in new[] { 1, 2, 3, 7 })
            {
                // Images assigned to shards at random, each shard scored in a random order.
                var shardOf = Enumerable.Range(0, 40).Select(_ => rng.Next(shardCount)).ToArray();
                var shardResults = Enumerable.Range(0, shardCount)
                    .Select(s => RegionSelection.Select(Shuffled(candidates.Where(c => shardOf[c.Image] == s), seed + s), b))
                    .ToList();
                Assert.Equal(whole, RegionSelection.Merge(shardResults, b));
            }
        }
    }
}
