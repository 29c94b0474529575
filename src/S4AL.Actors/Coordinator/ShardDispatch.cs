using S4AL.Domain;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Protocols.ScorerProtocol;

namespace S4AL.Actors.Coordinator;

/// <summary>
/// Scoring orders in flight: which shard order went out when. A shard is ordered once until it is
/// answered or overdue (its scorer node may be gone); results are idempotent, so a late answer of
/// an order sent again is harmless. Not persisted: a new coordinator sends every missing shard.
/// </summary>
sealed class ShardDispatch(TimeSpan timeout)
{
    readonly Dictionary<(ExperimentId Experiment, int Cycle, int Shard), DateTime> _sent = new();

    /// <summary>Orders for the shards of the current cycle that have no result and are not in flight, marked as sent now.</summary>
    public IReadOnlyList<ScoreShard> Orders(ExperimentState s, string? traceParent)
    {
        var orders = new List<ScoreShard>();
        foreach (var shard in s.MissingShards())
        {
            var key = (s.Id, s.Cycle, shard.Index);
            if (_sent.ContainsKey(key)) continue;
            var images = shard.Images.ToHashSet();
            orders.Add(new ScoreShard(s.Id, s.Plan.Definition, s.Cycle, shard.Index, shard.Images.ToArray(),
                s.Acquired.Where(r => images.Contains(r.Image)).ToArray(), s.Model!, traceParent));
            _sent[key] = DateTime.UtcNow;
        }
        return orders;
    }

    public void Answered(ExperimentId experiment, int cycle, int shard) => _sent.Remove((experiment, cycle, shard));

    /// <summary>Orders unanswered for longer than the timeout, forgotten here so that they go out again.</summary>
    public IReadOnlyList<(ExperimentId Experiment, int Cycle, int Shard, TimeSpan Waited)> TakeOverdue()
    {
        var now = DateTime.UtcNow;
        var overdue = _sent.Where(x => now - x.Value > timeout).Select(x => (x.Key.Experiment, x.Key.Cycle, x.Key.Shard, now - x.Value)).ToList();
        foreach (var o in overdue) _sent.Remove((o.Experiment, o.Cycle, o.Shard));
        return overdue;
    }

    /// <summary>
    /// A node left: the orders it held are lost. Every unanswered order becomes overdue
    /// <paramref name="after"/> from now (time for sharding to move the lost node's entities).
    /// Returns how many orders are in flight.
    /// </summary>
    public int NodeLeft(TimeSpan after)
    {
        var due = DateTime.UtcNow - timeout + after;
        foreach (var key in _sent.Keys.ToList())
            if (_sent[key] > due) _sent[key] = due;
        return _sent.Count;
    }
}
