namespace S4AL.Domain.Metrics;

/// <summary>
/// C x C pixel counts, rows = ground truth, columns = prediction, as the authors' fast_hist
/// builds it (the engine counts batches on the device and adds them here). The one form of an
/// evaluation: the journal keeps its <see cref="Counts"/>, and every metric comes from
/// <see cref="ToMetrics"/>. A mutable accumulator: not thread-safe; give each thread or shard
/// its own and <see cref="Merge"/> them.
/// </summary>
public sealed class ConfusionMatrix
{
    readonly long[] _counts;

    public ConfusionMatrix(int numClasses)
    {
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), $"number of classes must be positive, got {numClasses}");
        NumClasses = numClasses;
        _counts = new long[numClasses * numClasses];
    }

    public int NumClasses { get; }

    /// <summary>Pixels of class <paramref name="truth"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int truth, int predicted]
    {
        get
        {
            if ((uint)truth >= (uint)NumClasses || (uint)predicted >= (uint)NumClasses)
                throw new ArgumentOutOfRangeException(nameof(truth), $"[{truth},{predicted}] is outside the {NumClasses}x{NumClasses} matrix");
            return _counts[truth * NumClasses + predicted];
        }
    }

    /// <summary>All counted pixels.</summary>
    public long Total => _counts.Sum();

    /// <summary>Correctly classified pixels of class c (the diagonal).</summary>
    public long TruePositives(int c) => this[c, c];
    /// <summary>Pixels whose truth is c (row sum).</summary>
    public long TruthCount(int c) { CheckClass(c); long s = 0; for (int p = 0; p < NumClasses; p++) s += _counts[c * NumClasses + p]; return s; }
    /// <summary>Pixels predicted as c (column sum).</summary>
    public long PredictedCount(int c) { CheckClass(c); long s = 0; for (int t = 0; t < NumClasses; t++) s += _counts[t * NumClasses + c]; return s; }

    /// <summary>The counts, row-major [truth * C + predicted] (the journal's form); read-only view.</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>A matrix of <paramref name="numClasses"/> classes with the given row-major counts (as journaled).</summary>
    public static ConfusionMatrix FromCounts(int numClasses, IReadOnlyList<long> counts)
    {
        if (counts.Count != (long)numClasses * numClasses)
            throw new InvalidDataException($"a confusion matrix of {numClasses} classes has {numClasses}x{numClasses} counts, not {counts.Count}");
        var m = new ConfusionMatrix(numClasses);
        m.Add(counts);
        return m;
    }

    /// <summary>Adds row-major counts (a batch counted elsewhere, e.g. on the device).</summary>
    public void Add(IReadOnlyList<long> counts)
    {
        if (counts.Count != _counts.Length)
            throw new ArgumentException($"{counts.Count} counts for a {NumClasses}x{NumClasses} confusion matrix", nameof(counts));
        for (int i = 0; i < _counts.Length; i++)
        {
            if (counts[i] < 0) throw new ArgumentException($"count [{i / NumClasses},{i % NumClasses}] is negative ({counts[i]})", nameof(counts));
            _counts[i] += counts[i];
        }
    }

    /// <summary>Adds another matrix's counts (e.g. of another shard of the evaluation set).</summary>
    public void Add(ConfusionMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.NumClasses != NumClasses)
            throw new ArgumentException($"cannot add a {other.NumClasses}-class confusion matrix to a {NumClasses}-class one", nameof(other));
        for (int i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
    }

    /// <summary>The sum of several matrices of the same class count.</summary>
    public static ConfusionMatrix Merge(IEnumerable<ConfusionMatrix> matrices)
    {
        ArgumentNullException.ThrowIfNull(matrices);
        ConfusionMatrix? sum = null;
        foreach (var m in matrices)
        {
            ArgumentNullException.ThrowIfNull(m, nameof(matrices));
            sum ??= new ConfusionMatrix(m.NumClasses);
            sum.Add(m);
        }
        return sum ?? throw new ArgumentException("no confusion matrices to merge", nameof(matrices));
    }

    /// <summary>Metrics of the counts so far.</summary>
    public SegmentationMetrics ToMetrics(IReadOnlyList<string>? classNames = null) => SegmentationMetrics.From(this, classNames);

    void CheckClass(int c)
    {
        if ((uint)c >= (uint)NumClasses) throw new ArgumentOutOfRangeException(nameof(c), $"class {c} is outside [0, {NumClasses})");
    }
}
