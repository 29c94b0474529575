using System.Diagnostics;
using S4AL.Actors.Telemetry;
using S4AL.Actors.Workspace;
using S4AL.Domain;
using S4AL.Learning;
using S4AL.Learning.Acquisition;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Batches;
using S4AL.Learning.Data.Regions;
using S4AL.Learning.Networks;
using static S4AL.Domain.Protocols.ScorerProtocol;
using static TorchSharp.torch;

namespace S4AL.Actors.Scorer;

/// <summary>A scored shard: its best candidate regions and the seconds scoring took.</summary>
public sealed record ShardScore(RegionCandidate[] Candidates, double Seconds);

/// <summary>Scores one pool shard order: the work a scorer entity hands off (a node service, so a host can decorate it).</summary>
public interface IShardScoring
{
    /// <summary>Scores the order's images with its checkpoint; blocks while the node's scoring slots are all taken. Thread-safe.</summary>
    ShardScore Score(ScoreShard order, Activity? span);
}

/// <summary>
/// The node's scoring: its datasets, its scoring slots (shards scored at the same time) and the
/// networks those slots have loaded, each kept until a shard of another checkpoint needs it, so a
/// checkpoint is loaded once per slot, not once per shard. Only the shard's best candidate
/// regions come back, never score maps.
/// </summary>
public sealed class ShardScoring : IShardScoring, IDisposable
{
    readonly DatasetCache _data;
    readonly Device _device;
    readonly SemaphoreSlim _slots;
    readonly int _slotCount;
    // Most recently used first; at most one per slot.
    readonly LinkedList<(string Id, SegmentationNetwork Network)> _idle = new();

    public ShardScoring(DatasetCache data, ScorerOptions options)
    {
        _data = data;
        _device = Devices.Parse(options.Device);
        _slotCount = Math.Max(1, options.ConcurrentShards);
        _slots = new SemaphoreSlim(_slotCount);
    }

    public ShardScore Score(ScoreShard order, Activity? span)
    {
        _slots.Wait();
        try
        {
            var watch = Stopwatch.StartNew();
            var data = _data.Get(order.Definition, $"experiment {order.Experiment}");
            var id = $"{order.Model.Sha256}/{data.Settings.Scorer}";
            var (network, loaded) = Take(id, () => CycleTrainingRun.LoadNetwork(order.Model.Path, order.Model.Sha256, data.Settings, data.Pool.NumClasses, data.Settings.Scorer, _device));
            try
            {
                span?.SetTag(S4alTelemetry.Tags.ModelLoaded, loaded);
                span?.SetTag(S4alTelemetry.Tags.Checkpoint, order.Model.Sha256);
                var labeled = LabeledRegionSet.Empty(data.Pool.Count, data.Grid).WithRegions(order.Labeled);
                var scorer = new RegionScorer(network, data.Settings.ScoringSettings(), _device);
                var candidates = scorer.ScoreShard(order.Cycle, order.Images, labeled, indices => BatchBuilder.Build(data.Pool, indices, null, _device)).ToArray();
                double seconds = watch.Elapsed.TotalSeconds;
                int regions = order.Images.Length * data.Grid.RegionCount - order.Labeled.Length;
                span?.SetTag(S4alTelemetry.Tags.Regions, regions);
                span?.SetTag(S4alTelemetry.Tags.Candidates, candidates.Length);
                var experiment = S4alMetrics.Experiment(order.Experiment);
                S4alMetrics.ShardDuration.Record(seconds, experiment);
                if (seconds > 0) S4alMetrics.ScoringRegionsPerSecond.Record(regions / seconds, experiment);
                return new ShardScore(candidates, seconds);
            }
            finally { Return(id, network); }
        }
        finally { _slots.Release(); }
    }

    /// <summary>An idle network of the checkpoint if a slot kept one, else a new one (the least recently used idle network makes room).</summary>
    (SegmentationNetwork Network, bool Loaded) Take(string id, Func<SegmentationNetwork> load)
    {
        lock (_idle)
        {
            for (var node = _idle.First; node is not null; node = node.Next)
                if (node.Value.Id == id)
                {
                    _idle.Remove(node);
                    return (node.Value.Network, false);
                }
            if (_idle.Count >= _slotCount)
            {
                _idle.Last!.Value.Network.Dispose();
                _idle.RemoveLast();
            }
        }
        return (load(), true);
    }

    void Return(string id, SegmentationNetwork network)
    {
        lock (_idle) _idle.AddFirst((id, network));
    }

    public void Dispose()
    {
        lock (_idle)
        {
            foreach (var (_, network) in _idle) network.Dispose();
            _idle.Clear();
        }
        _slots.Dispose();
    }
}
