using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Actor;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using S4AL.Actors.Hosting;
using S4AL.Actors.Telemetry;
using S4AL.Actors.Tests.Support;
using S4AL.Domain.Experiments;
using S4AL.Node.Hosting;
using static S4AL.Actors.Tests.Support.RecordedSpans;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using Tags = S4AL.Actors.Telemetry.S4alTelemetry.Tags;

namespace S4AL.Node.Tests.Telemetry;

/// <summary>
/// A whole experiment on one in-process node with every role (what `s4al run` starts), every
/// message serialized as between nodes, recorded with OpenTelemetry's in-memory exporters.
/// </summary>
public class CycleTraceTests
{
    [Fact]
    public async Task Each_cycle_is_one_trace_with_training_epochs_checkpoints_shards_acquisition_and_annotation()
    {
        using var spans = new RecordedSpans();
        var metrics = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(S4alTelemetry.Name).AddInMemoryExporter(metrics).Build();
        var runDir = ActorSpecConfig.TempDir("traces");
        var plan = ActorSpecConfig.Plan(runDir, ActorSpecConfig.Definition(epochs: 2, iterations: 3, cycles: 1), id: "traced");
        var log = Path.Combine(runDir, "s4al.log");
        string? finalTrace;
        using var host = NodeHost.Build(new NodeSettings
        {
            Node = new() { Journal = PersistenceOptions.Sqlite(Path.Combine(runDir, "journal.db")) },
            Trainer = new() { CheckpointInterval = TimeSpan.Zero },
            LogFile = log,
            ExtraHocon = "akka.actor.serialize-messages = on",
        });
        await host.StartAsync();
        try
        {
            var coordinator = host.Registry().Get<CoordinatorKey>();
            Assert.IsType<SubmitAccepted>(await coordinator.Ask<object>(new SubmitExperiment(plan), TimeSpan.FromSeconds(120)));
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
            ExperimentStatus status;
            while ((status = await coordinator.Ask<ExperimentStatus>(new GetStatus(plan.Id), TimeSpan.FromSeconds(60))).Phase != CyclePhase.Done)
            {
                Assert.True(DateTime.UtcNow < deadline, "the experiment did not finish in 10 minutes");
                await Task.Delay(200);
            }
            finalTrace = status.TraceId;
        }
        finally { host.StopQuietly(TimeSpan.FromSeconds(30)); }

        var all = spans.Snapshot();
        var roots = all.Where(s => s.DisplayName == "cycle" && (string?)s.GetTagItem(Tags.Experiment) == "traced").OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(2, roots.Count); // cycles 0 and 1
        Assert.NotEqual(roots[0].TraceId, roots[1].TraceId);

        // Cycle 0: every phase, and the trainer's and scorers' work under the coordinator's phase spans.
        var cycle0 = spans.Trace(roots[0].TraceId);
        var root = roots[0];
        Assert.Equal(ActivityStatusCode.Unset, root.Status);
        Assert.True((double)root.GetTagItem(Tags.MeanIoU)! is >= 0 and <= 1);
        var training = Child(cycle0, "training", root);
        var trainCycle = Child(cycle0, "train cycle", training);
        Assert.Equal(ActivityKind.Consumer, trainCycle.Kind);
        Assert.Equal("trainer", Tag(trainCycle, Tags.NodeRole));
        Assert.StartsWith("akka.tcp://s4al@127.0.0.1:", Tag(trainCycle, Tags.NodeAddress));
        var epochs = cycle0["epoch"].OrderBy(e => e.StartTimeUtc).ToList();
        Assert.Equal(2, epochs.Count);
        Assert.All(epochs, e => Assert.Equal(trainCycle.SpanId, e.ParentSpanId));
        Assert.Equal(["1", "2"], epochs.Select(e => Tag(e, Tags.Epoch)));
        Assert.All(epochs, e => Assert.True(double.IsFinite((double)e.GetTagItem(Tags.Loss)!) && (double)e.GetTagItem(Tags.SupervisedLoss)! > 0));
        Assert.All(epochs, e => Assert.Equal("3", Tag(e, Tags.Steps)));
        // Checkpoint interval 0: one after epoch 1, plus the final model.
        var checkpoints = cycle0["checkpoint"].ToList();
        Assert.Equal(2, checkpoints.Count);
        Assert.All(checkpoints, c => Assert.Equal(trainCycle.SpanId, c.ParentSpanId));
        Assert.All(checkpoints, c => Assert.Matches("^[0-9a-f]{64}$", Tag(c, Tags.Checkpoint)!));
        Child(cycle0, "evaluate", trainCycle);

        var scoring = Child(cycle0, "scoring", root);
        var shards = cycle0["score shard"].ToList();
        Assert.Equal(3, shards.Count); // 9 unlabeled images, 3 per shard
        Assert.All(shards, s => Assert.Equal(scoring.SpanId, s.ParentSpanId));
        Assert.Equal(["0", "1", "2"], shards.Select(s => Tag(s, Tags.Shard)).Order());
        Assert.All(shards, s => Assert.Equal(("scorer", "3", (3 * 24).ToString()), (Tag(s, Tags.NodeRole), Tag(s, Tags.Images), Tag(s, Tags.Regions))));
        Assert.Equal("18", Tag(Child(cycle0, "acquisition", root), Tags.Regions));
        Child(cycle0, "annotation", root);
        Assert.All(cycle0.SelectMany(g => g), s => Assert.True(s.StartTimeUtc >= root.StartTimeUtc && s.StartTimeUtc + s.Duration <= root.StartTimeUtc + root.Duration + TimeSpan.FromMilliseconds(1), $"{s.DisplayName} lies outside its cycle"));

        // Cycle 1 is the last: training only.
        var cycle1 = spans.Trace(roots[1].TraceId);
        Child(cycle1, "train cycle", Child(cycle1, "training", roots[1]));
        Assert.Empty(cycle1["score shard"]);
        // `s4al status` names the current (here: last) cycle's trace.
        Assert.Equal(roots[1].TraceId.ToHexString(), finalTrace);

        // Log lines written inside a cycle carry its trace id.
        var lines = File.ReadAllLines(log);
        Assert.Contains(lines, l => l.Contains($"trace={roots[0].TraceId}") && l.Contains("acquired 18 regions"));
        Assert.Contains(lines, l => l.Contains($"trace={roots[0].TraceId}") && l.Contains("scored shard"));
        Assert.Contains(lines, l => l.Contains($"trace={roots[0].TraceId}") && l.Contains("cycle 0: trained; model"));

        // Metrics: every SSL step counted, a shard latency per shard, the cycle's mIoU.
        meters.ForceFlush();
        Assert.Equal(2 * 3 + 2 * 2 * 3, Sum(metrics, "s4al.training.steps", "traced")); // the last cycle trains twice as long
        Assert.Equal(3, HistogramCount(metrics, "s4al.scoring.shard.duration", "traced"));
        Assert.Contains(metrics, m => m.Name == "s4al.cycle.miou");
        Assert.Contains(metrics, m => m.Name == "s4al.persistence.latency");
    }

    static Activity Child(ILookup<string, Activity> trace, string name, Activity parent)
    {
        var span = Assert.Single(trace[name]);
        Assert.Equal(parent.SpanId, span.ParentSpanId);
        return span;
    }

    static IEnumerable<MetricPoint> Points(List<MetricSnapshot> metrics, string name, string experiment)
    {
        foreach (var metric in metrics.Where(m => m.Name == name))
            foreach (var point in metric.MetricPoints)
            {
                bool mine = false;
                foreach (var tag in point.Tags)
                    if (tag.Key == Tags.Experiment && (string?)tag.Value == experiment) mine = true;
                if (mine) yield return point;
            }
    }

    static long Sum(List<MetricSnapshot> metrics, string name, string experiment) => Points(metrics, name, experiment).Select(p => p.GetSumLong()).DefaultIfEmpty().Max();

    static long HistogramCount(List<MetricSnapshot> metrics, string name, string experiment) => Points(metrics, name, experiment).Select(p => p.GetHistogramCount()).DefaultIfEmpty().Max();
}
