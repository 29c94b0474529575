namespace S4AL.Annotation.Web;

/// <summary>
/// Which annotator works on which region of the current round, in memory: a region handed to a
/// session is leased to it for <see cref="Duration"/>, so two people never get the same region
/// unless a lease runs out (someone walked away). A session holds one region at a time and gets
/// it again on a reload. Skipping puts the region behind every other one for that session only;
/// a submitted region is out of the queue even before the journal's copy shows its label. All
/// of it is forgotten with a new round or a restart of the node, which is harmless: the journal
/// says what is labeled, and a lost lease only means two people might meet on one region.
/// </summary>
public sealed class LeaseBook(TimeSpan duration, TimeProvider time)
{
    readonly record struct Lease(string Session, DateTimeOffset Until);

    readonly object _gate = new();
    readonly Dictionary<RegionKey, Lease> _leases = new();
    readonly HashSet<RegionKey> _submitted = new();
    readonly Dictionary<string, Dictionary<RegionKey, long>> _skipped = new(StringComparer.Ordinal);
    string? _round;
    long _skips;

    public TimeSpan Duration => duration;

    /// <summary>
    /// The region <paramref name="session"/> should label next, leased to it: the one it holds, or
    /// the first open region nobody else holds (regions it skipped last); null when none is left for it.
    /// </summary>
    public RoundRegion? Next(AnnotationRound round, string session)
    {
        lock (_gate)
        {
            Align(round);
            var now = time.GetUtcNow();
            var held = _leases.FirstOrDefault(l => l.Value.Session == session && l.Value.Until > now && IsOpen(round, l.Key));
            if (held.Value.Session is not null)
            {
                _leases[held.Key] = new Lease(session, now + duration);
                return round.Find(held.Key);
            }
            var skipped = _skipped.GetValueOrDefault(session);
            var next = round.Regions
                .Select((r, order) => (Region: r, Order: order))
                .Where(x => IsOpen(round, x.Region.Key) && !HeldByOther(x.Region.Key, session, now))
                .OrderBy(x => skipped is not null && skipped.TryGetValue(x.Region.Key, out var when) ? when : 0)
                .ThenBy(x => x.Order)
                .Select(x => x.Region)
                .FirstOrDefault();
            if (next is not null) _leases[next.Key] = new Lease(session, now + duration);
            return next;
        }
    }

    /// <summary>The session passes on the region: its lease ends and it comes back to this session after every other.</summary>
    public void Skip(AnnotationRound round, string session, RegionKey region)
    {
        lock (_gate)
        {
            Align(round);
            if (_leases.TryGetValue(region, out var lease) && lease.Session == session) _leases.Remove(region);
            if (!_skipped.TryGetValue(session, out var mine)) _skipped[session] = mine = new Dictionary<RegionKey, long>();
            mine[region] = ++_skips;
        }
    }

    /// <summary>Whether another session holds a running lease on the region (a submission from this one is then refused).</summary>
    public bool IsHeldByOther(AnnotationRound round, string session, RegionKey region)
    {
        lock (_gate)
        {
            Align(round);
            return HeldByOther(region, session, time.GetUtcNow());
        }
    }

    /// <summary>The region's label is recorded: it leaves the queue and its lease ends.</summary>
    public void Submitted(AnnotationRound round, RegionKey region)
    {
        lock (_gate)
        {
            Align(round);
            _submitted.Add(region);
            _leases.Remove(region);
        }
    }

    /// <summary>Regions of the round that are open and leased right now (people are working on them).</summary>
    public int InProgress(AnnotationRound round)
    {
        lock (_gate)
        {
            Align(round);
            var now = time.GetUtcNow();
            return _leases.Count(l => l.Value.Until > now && IsOpen(round, l.Key));
        }
    }

    bool IsOpen(AnnotationRound round, RegionKey region) => !round.Labels.ContainsKey(region) && !_submitted.Contains(region);

    bool HeldByOther(RegionKey region, string session, DateTimeOffset now) =>
        _leases.TryGetValue(region, out var lease) && lease.Session != session && lease.Until > now;

    /// <summary>A new round (next cycle, another experiment) starts with no leases.</summary>
    void Align(AnnotationRound round)
    {
        if (_round == round.Key) return;
        _round = round.Key;
        _leases.Clear();
        _submitted.Clear();
        _skipped.Clear();
    }
}
