namespace S4AL.Domain.Acquisition;

/// <summary>
/// Picks the regions to annotate from scored candidates, and merges the results of pool
/// shards scored separately. Every result is ordered by <see cref="Order"/> (score
/// descending, then image, then region), a total order on distinct regions, which is what
/// makes selection deterministic and shard merging exact: a region in the global top-B is
/// beaten by fewer than B regions overall, hence by fewer than B of its own shard, so it is
/// in its shard's top-B.
/// </summary>
public static class RegionSelection
{
    /// <summary>Best first: higher score, then lower image index, then lower region index.</summary>
    public static IComparer<RegionCandidate> Order { get; } = Comparer<RegionCandidate>.Create(CompareBestFirst);

    /// <summary>
    /// Applies a budget to candidates: drops regions that <paramref name="isLabeled"/> says are
    /// labeled, then keeps the top-k of every image or the top-B overall.
    /// </summary>
    /// <exception cref="ArgumentException">A candidate appears twice or has a NaN score.</exception>
    public static IReadOnlyList<RegionCandidate> Select(IEnumerable<RegionCandidate> candidates, SelectionBudget budget, Func<RegionId, bool>? isLabeled = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(budget);
        var selector = new TopSelector(budget);
        var seen = new HashSet<RegionId>();
        foreach (var c in candidates)
        {
            if (!seen.Add(c.Id))
                throw new ArgumentException($"region {c.Region} of image {c.Image} appears more than once among the candidates", nameof(candidates));
            if (isLabeled is not null && isLabeled(c.Id)) continue;
            selector.Add(c);
        }
        return selector.Result();
    }

    /// <summary>
    /// Merges the results of disjoint pool shards, each already reduced to its own best
    /// candidates under the same <paramref name="budget"/>, into exactly the selection a single
    /// pass over the whole pool gives.
    /// </summary>
    /// <exception cref="ArgumentException">Shards overlap (a region appears twice) or a score is NaN.</exception>
    public static IReadOnlyList<RegionCandidate> Merge(IEnumerable<IReadOnlyList<RegionCandidate>> shardResults, SelectionBudget budget)
    {
        ArgumentNullException.ThrowIfNull(shardResults);
        return Select(shardResults.SelectMany(s => s ?? throw new ArgumentException("a shard result is null", nameof(shardResults))), budget);
    }

    static int CompareBestFirst(RegionCandidate a, RegionCandidate b)
    {
        int c = b.Score.CompareTo(a.Score);
        if (c != 0) return c;
        c = a.Image.CompareTo(b.Image);
        return c != 0 ? c : a.Region.CompareTo(b.Region);
    }

    /// <summary>
    /// Streaming top-k per image or top-B overall with bounded memory: heaps whose root is the
    /// worst kept candidate, so a pool of any size is reduced in one pass.
    /// </summary>
    public sealed class TopSelector
    {
        static readonly IComparer<RegionCandidate> WorstFirst = Comparer<RegionCandidate>.Create((a, b) => CompareBestFirst(b, a));

        readonly SelectionBudget _budget;
        readonly PriorityQueue<RegionCandidate, RegionCandidate> _global = new(WorstFirst);
        readonly Dictionary<int, PriorityQueue<RegionCandidate, RegionCandidate>> _perImage = new();

        public TopSelector(SelectionBudget budget) => _budget = budget;

        public void Add(RegionCandidate candidate)
        {
            if (double.IsNaN(candidate.Score))
                throw new ArgumentException($"region {candidate.Region} of image {candidate.Image} has a NaN score");
            PriorityQueue<RegionCandidate, RegionCandidate> heap;
            if (_budget.Scope == BudgetScope.Global) heap = _global;
            else if (!_perImage.TryGetValue(candidate.Image, out heap!))
                _perImage[candidate.Image] = heap = new PriorityQueue<RegionCandidate, RegionCandidate>(WorstFirst);

            if (heap.Count < _budget.Count) heap.Enqueue(candidate, candidate);
            else if (CompareBestFirst(candidate, heap.Peek()) < 0) heap.DequeueEnqueue(candidate, candidate);
        }

        public IReadOnlyList<RegionCandidate> Result()
        {
            var all = _budget.Scope == BudgetScope.Global
                ? _global.UnorderedItems.Select(i => i.Element).ToList()
                : _perImage.Values.SelectMany(h => h.UnorderedItems.Select(i => i.Element)).ToList();
            all.Sort(Order);
            return all;
        }
    }
}
