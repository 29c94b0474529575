using S4AL.Learning.Data.Batches;

namespace S4AL.Learning.Tests.Data;

public class IndexSamplerTests
{
    static readonly int[] Population = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20];

    [Fact]
    public void Each_epoch_is_a_permutation_and_epochs_differ()
    {
        var sampler = new IndexSampler(Population, seed: 1);
        var e0 = sampler.NextBatch(10);
        var e1 = sampler.NextBatch(10);
        Assert.Equal(Population, e0.Order());
        Assert.Equal(Population, e1.Order());
        Assert.NotEqual(e0, e1);
        Assert.Equal(20, sampler.Position);
    }

    [Fact]
    public void Same_seed_same_stream_other_seed_other_stream()
    {
        var a = new IndexSampler(Population, seed: 3).NextBatch(30);
        Assert.Equal(a, new IndexSampler(Population, seed: 3).NextBatch(30));
        Assert.NotEqual(a, new IndexSampler(Population, seed: 4).NextBatch(30));
    }

    [Fact]
    public void Resuming_from_a_position_continues_the_stream()
    {
        var full = new IndexSampler(Population, seed: 5).NextBatch(37);
        var resumed = new IndexSampler(Population, seed: 5, position: 23);
        Assert.Equal(23, resumed.Position);
        Assert.Equal(full[23..], resumed.NextBatch(14));
    }

    [Fact]
    public void Batches_larger_than_the_population_span_epochs()
    {
        var sampler = new IndexSampler([7, 9], seed: 1);
        var batch = sampler.NextBatch(5);
        Assert.Equal(new[] { 7, 9 }, batch[..2].Order());
        Assert.Equal(new[] { 7, 9 }, batch[2..4].Order());
        Assert.Throws<ArgumentException>(() => new IndexSampler([], 1));
    }
}
