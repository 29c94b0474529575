using S4AL.Learning.Data.Scenes;

namespace S4AL.Learning.Data.Batches;

/// <summary>
/// An endless stream of indices: each epoch is a fresh shuffle of the population, fixed by
/// the seed and the epoch number, so a stream can be resumed from a saved <see cref="Position"/>.
/// Not thread-safe (one consumer, e.g. a prefetcher's producer).
/// </summary>
public sealed class IndexSampler
{
    readonly int[] _population;
    int[] _order;
    int _offset;

    /// <param name="population">Indices to draw from (e.g. the labeled images); at least one.</param>
    /// <param name="seed">Seed of the shuffles.</param>
    /// <param name="position">Number of indices already drawn by an earlier sampler with the same population and seed.</param>
    public IndexSampler(IReadOnlyList<int> population, int seed, long position = 0)
    {
        if (population.Count == 0) throw new ArgumentException("the sampler's population is empty", nameof(population));
        if (position < 0) throw new ArgumentOutOfRangeException(nameof(position), $"position {position} must not be negative");
        _population = population.ToArray();
        Seed = seed;
        Epoch = (int)(position / _population.Length);
        _offset = (int)(position % _population.Length);
        _order = Shuffle(Epoch);
    }

    public int Seed { get; }
    /// <summary>The epoch currently being drawn (0-based).</summary>
    public int Epoch { get; private set; }
    /// <summary>Number of indices drawn so far.</summary>
    public long Position => (long)Epoch * _population.Length + _offset;
    public int PopulationSize => _population.Length;

    public int Next()
    {
        if (_offset == _order.Length)
        {
            Epoch++;
            _order = Shuffle(Epoch);
            _offset = 0;
        }
        return _order[_offset++];
    }

    /// <summary>The next <paramref name="size"/> indices; a batch may span two epochs.</summary>
    public int[] NextBatch(int size)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), $"batch size {size} must be positive");
        var batch = new int[size];
        for (int i = 0; i < size; i++) batch[i] = Next();
        return batch;
    }

    int[] Shuffle(int epoch)
    {
        var order = (int[])_population.Clone();
        var rng = SceneRandom.For(Seed, epoch, salt: 0x5A3E1);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(0, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
