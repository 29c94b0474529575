using S4AL.Learning.Data;

namespace S4AL.Learning.Acquisition;

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
    public static IComparer<RegionScore> Order { get; } = Comparer<RegionScore>.Create(CompareBestFirst);

    /// <summary>
    /// Applies a budget to candidates: drops regions that <paramref name="labeled"/> marks as
    /// labeled, then keeps the top-k of every image or the top-B overall.
    /// </summary>
    /// <exception cref="ArgumentException">A candidate appears twice or has a NaN score.</exception>
    public static IReadOnlyList<RegionScore> Select(IEnumerable<RegionScore> candidates, SelectionBudget budget, LabeledRegionSet? labeled = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(budget);
        var selector = new TopSelector(budget);
        var seen = new HashSet<RegionRef>();
        foreach (var c in candidates)
        {
            if (!seen.Add(new RegionRef(c.Image, c.Region)))
                throw new ArgumentException($"region {c.Region} of image {c.Image} appears more than once among the candidates", nameof(candidates));
            if (labeled is not null && labeled.IsLabeled(c.Image, c.Region)) continue;
            selector.Add(c);
        }
        return selector.Result();
    }

    /// <summary>
    /// Merges the results of disjoint pool shards, each already reduced to its own best
    /// candidates under the same <paramref name="budget"/> (<see cref="RegionScorer.ScoreShard"/>),
    /// into exactly the selection a single pass over the whole pool gives.
    /// </summary>
    /// <exception cref="ArgumentException">Shards overlap (a region appears twice) or a score is NaN.</exception>
    public static IReadOnlyList<RegionScore> Merge(IEnumerable<IReadOnlyList<RegionScore>> shardResults, SelectionBudget budget)
    {
        ArgumentNullException.ThrowIfNull(shardResults);
        return Select(shardResults.SelectMany(s => s ?? throw new ArgumentException("a shard result is null", nameof(shardResults))), budget);
    }

    /// <summary>Merges shard results under a global budget of <paramref name="budget"/> regions.</summary>
    public static IReadOnlyList<RegionScore> Merge(IEnumerable<IReadOnlyList<RegionScore>> shardResults, int budget) =>
        Merge(shardResults, SelectionBudget.Global(budget));

    static int CompareBestFirst(RegionScore a, RegionScore b)
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
    internal sealed class TopSelector
    {
        static readonly IComparer<RegionScore> WorstFirst = Comparer<RegionScore>.Create((a, b) => CompareBestFirst(b, a));

        readonly SelectionBudget _budget;
        readonly PriorityQueue<RegionScore, RegionScore> _global = new(WorstFirst);
        readonly Dictionary<int, PriorityQueue<RegionScore, RegionScore>> _perImage = new();

        public TopSelector(SelectionBudget budget) => _budget = budget;

        public void Add(RegionScore candidate)
        {
            if (float.IsNaN(candidate.Score))
                throw new ArgumentException($"region {candidate.Region} of image {candidate.Image} has a NaN score");
            PriorityQueue<RegionScore, RegionScore> heap;
            if (_budget.Scope == BudgetScope.Global) heap = _global;
            else if (!_perImage.TryGetValue(candidate.Image, out heap!))
                _perImage[candidate.Image] = heap = new PriorityQueue<RegionScore, RegionScore>(WorstFirst);

            if (heap.Count < _budget.Count) heap.Enqueue(candidate, candidate);
            else if (CompareBestFirst(candidate, heap.Peek()) < 0) heap.DequeueEnqueue(candidate, candidate);
        }

        public IReadOnlyList<RegionScore> Result()
        {
            var all = _budget.Scope == BudgetScope.Global
                ? _global.UnorderedItems.Select(i => i.Element).ToList()
                : _perImage.Values.SelectMany(h => h.UnorderedItems.Select(i => i.Element)).ToList();
            all.Sort(Order);
            return all;
        }
    }
}
