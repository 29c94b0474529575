using S4AL.Learning.Data.Batches;
using S4AL.Learning.Data.Regions;
using S4AL.Learning.Data.Scenes;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Data;

public class BatchPrefetcherTests
{
    static SegmentationBatch Tiny(int id) =>
        new(zeros(1, 3, 2, 2), zeros(1, 2, 2, dtype: ScalarType.Int64), ones(1, 2, 2, dtype: ScalarType.Bool), [id]);

    /// <summary>Polls until the producer got there; the bound only ends a test that would wait forever.</summary>
    static void Await(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 60 s: {what}");
            Thread.Sleep(10);
        }
    }

    [Fact]
    public void Batches_arrive_in_production_order()
    {
        int next = 0;
        using var prefetcher = new BatchPrefetcher(_ => Tiny(next++), capacity: 2);
        for (int i = 0; i < 10; i++)
        {
            using var batch = prefetcher.Next();
            Assert.Equal(i, batch.Indices[0]);
        }
    }

    [Fact]
    public async Task Async_consumer_gets_the_same_order()
    {
        int next = 0;
        using var prefetcher = new BatchPrefetcher(_ => Tiny(next++));
        for (int i = 0; i < 5; i++)
        {
            using var batch = await prefetcher.NextAsync();
            Assert.Equal(i, batch.Indices[0]);
        }
    }

    [Fact]
    public void Producer_runs_at_most_capacity_ahead()
    {
        int produced = 0;
        using var prefetcher = new BatchPrefetcher(_ => Tiny(Interlocked.Increment(ref produced)), capacity: 3);
        prefetcher.Next().Dispose();
        // capacity queued + one held by the producer while it waits + the one consumed; and no more.
        Await(() => Volatile.Read(ref produced) >= 3 + 1 + 1, "the producer fills the queue");
        Thread.Sleep(100);
        Assert.Equal(3 + 1 + 1, Volatile.Read(ref produced));
    }

    [Fact]
    public void Dispose_stops_the_producer_and_disposes_queued_batches_only()
    {
        var made = new List<SegmentationBatch>();
        var prefetcher = new BatchPrefetcher(_ =>
        {
            var b = Tiny(made.Count);
            lock (made) made.Add(b);
            return b;
        }, capacity: 3);
        var taken = prefetcher.Next();
        Await(() => { lock (made) return made.Count >= 4; }, "the producer queues batches");
        prefetcher.Dispose();
        int count;
        lock (made) count = made.Count;
        Thread.Sleep(100);
        lock (made) Assert.Equal(count, made.Count); // nothing produced after Dispose returned
        Assert.False(taken.Images.IsInvalid);
        lock (made)
            foreach (var b in made.Where(b => b != taken)) Assert.True(b.Images.IsInvalid, $"batch {b.Indices[0]} was not disposed");
        taken.Dispose();
        Assert.Throws<ObjectDisposedException>(() => prefetcher.Next());
        prefetcher.Dispose(); // idempotent
    }

    [Fact]
    public void Producer_exception_surfaces_on_the_consumer_after_earlier_batches()
    {
        int next = 0;
        using var prefetcher = new BatchPrefetcher(_ => next == 2 ? throw new InvalidDataException("mask 'x.png' is broken") : Tiny(next++));
        prefetcher.Next().Dispose();
        prefetcher.Next().Dispose();
        var e = Assert.Throws<InvalidDataException>(() => prefetcher.Next());
        Assert.Equal("mask 'x.png' is broken", e.Message);
        Assert.Throws<InvalidDataException>(() => prefetcher.Next());
    }

    [Fact]
    public void Dataset_prefetcher_draws_each_epoch_as_a_shuffle_of_the_population()
    {
        var ds = new SyntheticSceneDataset(8, seed: 1, height: 16, width: 16);
        var sampler = new IndexSampler([1, 3, 5], seed: 9);
        var labeled = LabeledRegionSet.Empty(8, new RegionGrid(16, 16, 8)).WithFullyLabeled([1, 3, 5]);
        using var prefetcher = BatchPrefetcher.ForDataset(ds, sampler, batchSize: 3, labeled, CPU, capacity: 2);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            using var batch = prefetcher.Next();
            Assert.Equal(new[] { 1, 3, 5 }, batch.Indices.Order());
            Assert.True(batch.Annotated.all().item<bool>());
        }
    }
}
