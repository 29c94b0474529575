using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using S4AL.Actors.Telemetry;
using S4AL.Actors.Workspace;
using S4AL.Domain;
using S4AL.Learning.Acquisition;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data;
using S4AL.Learning.Networks;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.ScorerProtocol;
using static TorchSharp.torch;

namespace S4AL.Actors.Scorer;

/// <summary>
/// Scores one pool shard per order (a Cluster Sharding entity on role <c>scorer</c>). The
/// model is loaded once per checkpoint (cached by its SHA-256) and only the shard's best
/// candidate regions go back, never score maps. Orders that arrive while it scores wait.
/// </summary>
public sealed class ScorerActor : ReceiveActor, IWithUnboundedStash
{
    sealed record Scored(ReportShardScored Result, IActorRef ReplyTo) : INoSerializationVerificationNeeded;
    sealed record ScoringFailed(ScoreShard Order, Exception Error, IActorRef ReplyTo) : INoSerializationVerificationNeeded;

    readonly ActorLogger _log = ActorLogger.For(Context, typeof(ScorerActor));
    readonly ExperimentDataCache _data;
    readonly Device _device;
    readonly TimeSpan _delay;
    readonly string _node;
    readonly string _deviceName;
    SegmentationNetwork? _model;
    string? _modelId;

    /// <summary>What the entities of one node share (keyed by the node's options instance): the scoring slots and the loaded model.</summary>
    sealed class NodeScoring(int slots)
    {
        public readonly SemaphoreSlim Slots = new(slots);
        public readonly int SlotCount = slots;
        public SegmentationNetwork? Model;
        public string? ModelId;
    }

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ScorerOptions, NodeScoring> Nodes = new();
    readonly NodeScoring _shared;
    readonly SemaphoreSlim _slots;

    public ScorerActor(ExperimentDataCache data, ScorerOptions options)
    {
        _shared = Nodes.GetValue(options, o => new NodeScoring(Math.Max(1, o.ConcurrentShards)));
        _slots = _shared.Slots;
        _data = data;
        _device = Trainer.TrainerActor.DeviceOf(options.Device);
        _delay = options.DelayPerShard;
        _node = Cluster.Get(Context.System).SelfAddress.ToString();
        _deviceName = options.Device;
        Become(Idle);
    }

    public IStash Stash { get; set; } = null!;

    void Idle()
    {
        Receive<ScoreShard>(order =>
        {
            var replyTo = Sender;
            var self = Self;
            Become(Busy);
            _log.Info(null, "scoring shard {0} of experiment {1} cycle {2}: {3} images", order.Shard, order.Experiment, order.Cycle, order.Images.Length);
            Task.Factory.StartNew(() =>
            {
                object outcome;
                // The shard's span joins the coordinator's cycle trace through the order's traceparent. It ends
                // before the outcome leaves: once the coordinator has it, it may end the cycle's root span.
                using (var span = S4alTelemetry.Source.StartActivity("score shard", ActivityKind.Consumer, S4alTelemetry.ContextOf(order.TraceParent), new KeyValuePair<string, object?>[]
                {
                    new(S4alTelemetry.Tags.Experiment, order.Experiment.Value), new(S4alTelemetry.Tags.Cycle, order.Cycle), new(S4alTelemetry.Tags.Shard, order.Shard),
                    new(S4alTelemetry.Tags.Images, order.Images.Length), new(S4alTelemetry.Tags.NodeAddress, _node), new(S4alTelemetry.Tags.NodeRole, "scorer"),
                    new(S4alTelemetry.Tags.Device, _deviceName),
                }))
                {
                    _slots.Wait();
                    try { outcome = new Scored(Score(order, span), replyTo); }
                    catch (Exception e)
                    {
                        span.Fail(e);
                        _log.Error(span, e, "scoring shard {0} of experiment {1} cycle {2} failed", order.Shard, order.Experiment, order.Cycle);
                        outcome = new ScoringFailed(order, e, replyTo);
                    }
                    finally { _slots.Release(); }
                }
                self.Tell(outcome);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        });
    }

    void Busy()
    {
        Receive<ScoreShard>(_ => Stash.Stash());
        Receive<Scored>(s =>
        {
            s.ReplyTo.Tell(s.Result);
            Stash.UnstashAll();
            Become(Idle);
        });
        Receive<ScoringFailed>(f =>
        {
            f.ReplyTo.Tell(new ReportShardFailed(f.Order.Experiment, f.Order.Cycle, f.Order.Shard, $"{f.Error.GetType().Name}: {f.Error.Message}"));
            Stash.UnstashAll();
            Become(Idle);
        });
    }

    /// <summary>Runs on a background thread; touches only the model cache, which no other thread uses while Busy.</summary>
    ReportShardScored Score(ScoreShard order, Activity? span)
    {
        if (_delay > TimeSpan.Zero) Thread.Sleep(_delay * (order.Shard + 1));
        var watch = Stopwatch.StartNew();
        var data = _data.Get(order.Definition, $"experiment {order.Experiment}");
        var model = Model(order, data, out bool loaded);
        span?.SetTag(S4alTelemetry.Tags.ModelLoaded, loaded);
        span?.SetTag(S4alTelemetry.Tags.Checkpoint, order.Model.Sha256);
        var labeled = LabeledRegionSet.Empty(data.Pool.Count, data.Grid).WithRegions(order.Labeled.Select(r => new RegionId(r.Image, r.Region)));
        var scorer = new RegionScorer(model, data.Settings.ScoringSettings(), _device);
        var best = scorer.ScoreShard(order.Cycle, order.Images, labeled, indices => BatchBuilder.Build(data.Pool, indices, null, _device));
        var candidates = best.Select(r => new RegionCandidate(r.Image, r.Region, r.Score)).ToArray();
        double seconds = watch.Elapsed.TotalSeconds;
        int regions = order.Images.Length * data.Grid.RegionCount - order.Labeled.Length;
        span?.SetTag(S4alTelemetry.Tags.Regions, regions);
        span?.SetTag(S4alTelemetry.Tags.Candidates, candidates.Length);
        var experiment = S4alMetrics.Experiment(order.Experiment);
        S4alMetrics.ShardDuration.Record(seconds, experiment);
        if (seconds > 0) S4alMetrics.ScoringRegionsPerSecond.Record(regions / seconds, experiment);
        _log.Info(span, "scored shard {0} of experiment {1} cycle {2}: {3} images, {4} candidates in {5:0.0}s", order.Shard, order.Experiment, order.Cycle, order.Images.Length, candidates.Length, watch.Elapsed.TotalSeconds);
        return new ReportShardScored(order.Experiment, order.Cycle, order.Shard, candidates, watch.Elapsed.TotalSeconds, _node);
    }

    SegmentationNetwork Model(ScoreShard order, ExperimentData data, out bool loaded)
    {
        var id = $"{order.Model.Sha256}/{data.Settings.Scorer}";
        loaded = false;
        // With one slot per node, the node's entities take turns and can share one loaded model.
        if (_shared.SlotCount == 1)
        {
            if (_shared.Model is not null && _shared.ModelId == id) return _shared.Model;
            _shared.Model?.Dispose();
            _shared.Model = null;
            _shared.Model = CycleTrainingRun.LoadNetwork(order.Model.Path, order.Model.Sha256, data.Settings, data.Pool.NumClasses, data.Settings.Scorer, _device);
            _shared.ModelId = id;
            loaded = true;
            return _shared.Model;
        }
        if (_model is not null && _modelId == id) return _model;
        _model?.Dispose();
        _model = null;
        _model = CycleTrainingRun.LoadNetwork(order.Model.Path, order.Model.Sha256, data.Settings, data.Pool.NumClasses, data.Settings.Scorer, _device);
        _modelId = id;
        loaded = true;
        return _model;
    }

    protected override void PostStop() => _model?.Dispose();

    public static Props Props(ExperimentDataCache data, ScorerOptions options) =>
        Akka.Actor.Props.Create(() => new ScorerActor(data, options));
}
