using S4AL.Otlp.Testing;

namespace S4AL.IntegrationTests.Telemetry;

/// <summary>
/// Four `s4al node` processes export over OTLP to a real receiver this test runs (the OTLP
/// protobuf decoded with Google.Protobuf from the official .proto files): one cycle is one trace
/// whose spans come from the coordinator, trainer and scorer processes, with the right parents.
/// Two nodes are configured with --otlp-endpoint, two with the standard OTEL_* variables; two
/// use gRPC and two HTTP/protobuf.
/// </summary>
[Collection(ProcessTests.Name)]
public class ClusterTraceTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);
    static readonly string[] Experiment =
    [
        "--net", "tiny", "--height", "48", "--width", "64", "--pool-size", "24", "--val-size", "8", "--region-size", "8",
        "--cycles", "1", "--epochs", "2", "--iters", "4", "--shard-size", "6", "--threads", "1", "--seed", "3",
    ];

    [Fact]
    public async Task Every_node_exports_its_spans_of_a_cycle_into_one_trace()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var dir = Folders.New("cluster-traces");
        Directory.CreateDirectory(dir);
        int seedPort = Ports.Free();
        var seed = $"akka.tcp://s4al@127.0.0.1:{seedPort}";
        string Log(string name) => Path.Combine(dir, name + ".log");
        // Short batching delays so spans arrive while the test waits, not only at shutdown.
        var quick = new Dictionary<string, string> { ["OTEL_BSP_SCHEDULE_DELAY"] = "200", ["OTEL_BLRP_SCHEDULE_DELAY"] = "200", ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000" };
        Dictionary<string, string> Env(params (string Key, string Value)[] more) => quick.Concat(more.Select(m => KeyValuePair.Create(m.Key, m.Value))).ToDictionary();
        var grpc = receiver.GrpcEndpoint.ToString();
        var http = receiver.HttpEndpoint.ToString();
        var nodes = new List<S4alRun>();
        try
        {
            nodes.Add(S4alRun.Start(Env(), "node", "--roles", "coordinator,replay", "--port", seedPort.ToString(), "--seed-nodes", seed,
                "--journal", "sqlite:" + Path.Combine(dir, "journal.db"), "--log", Log("coordinator"), "--threads", "1", "--otlp-endpoint", grpc));
            nodes[0].WaitFor("is up with roles", Wait);
            nodes.Add(S4alRun.Start(Env(), "node", "--roles", "trainer", "--port", "0", "--seed-nodes", seed, "--log", Log("trainer"), "--threads", "1",
                "--otlp-endpoint", http, "--otlp-protocol", "http/protobuf", "--checkpoint-interval", "0"));
            nodes.Add(S4alRun.Start(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", grpc)), "node", "--roles", "scorer", "--port", "0", "--seed-nodes", seed, "--log", Log("scorer-1"), "--threads", "1"));
            nodes.Add(S4alRun.Start(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", http), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"), ("OTEL_SERVICE_NAME", "scorer-two")),
                "node", "--roles", "scorer", "--port", "0", "--seed-nodes", seed, "--log", Log("scorer-2"), "--threads", "1"));
            foreach (var node in nodes) node.WaitFor("is up with roles", Wait);

            var submit = S4alRun.Complete(null, ["submit", .. Experiment, "--run-dir", Path.Combine(dir, "run"), "--seed-nodes", seed, "--watch"]);
            Assert.True(submit.ExitCode == 0, submit.Output + submit.Error + S4alRun.ReadShared(Log("coordinator")));

            // Cycle 0 is complete once its root span is in: the coordinator ends it after the annotation.
            var spans = await receiver.WaitForSpansAsync(all =>
            {
                var root = all.FirstOrDefault(s => s.Name == "cycle" && s.Attributes.GetValueOrDefault("s4al.cycle") == "0");
                if (root is null) return false;
                var trace = all.Where(s => s.TraceId == root.TraceId).ToList();
                var scoring = trace.FirstOrDefault(s => s.Name == "scoring");
                return scoring is not null && trace.Count(s => s.Name == "score shard") >= int.Parse(scoring.Attributes["s4al.shards"])
                    && trace.Any(s => s.Name == "train cycle") && trace.Any(s => s.Name == "annotation");
            }, Wait);

            var root = spans.Single(s => s.Name == "cycle" && s.Attributes["s4al.cycle"] == "0");
            var cycle = spans.Where(s => s.TraceId == root.TraceId).ToList();
            output.WriteLine(string.Join("\n", cycle.Select(s => $"{s.ServiceName} {s.Name} {s.SpanId} <- {s.ParentSpanId}")));
            // Every span of cycle 0, whichever process made it, is in this one trace.
            Assert.All(spans.Where(s => s.Attributes.GetValueOrDefault("s4al.cycle") == "0"), s => Assert.Equal(root.TraceId, s.TraceId));
            Assert.Null(root.ParentSpanId);
            Assert.Equal("s4al-coordinator-replay", root.ServiceName);

            SpanOf(cycle, "training", root);
            var trainCycle = SpanOf(cycle, "train cycle", cycle.Single(s => s.Name == "training"));
            Assert.Equal("s4al-trainer", trainCycle.ServiceName);
            Assert.Equal("trainer", trainCycle.Attributes["s4al.node.role"]);
            var epochs = cycle.Where(s => s.Name == "epoch").ToList();
            Assert.Equal(2, epochs.Count);
            Assert.All(epochs, e => Assert.Equal((trainCycle.SpanId, "s4al-trainer"), (e.ParentSpanId, e.ServiceName)));
            Assert.All(epochs, e => Assert.True(double.Parse(e.Attributes["s4al.loss"], System.Globalization.CultureInfo.InvariantCulture) > 0));
            Assert.Contains(cycle, s => s.Name == "checkpoint" && s.ParentSpanId == trainCycle.SpanId);

            var scoring = SpanOf(cycle, "scoring", root);
            var shards = cycle.Where(s => s.Name == "score shard").ToList();
            Assert.Equal(int.Parse(scoring.Attributes["s4al.shards"]), shards.Select(s => s.Attributes["s4al.shard"]).Distinct().Count());
            foreach (var shard in shards)
            {
                // Made in a scorer process, under the coordinator process's scoring span.
                Assert.Equal(scoring.SpanId, shard.ParentSpanId);
                Assert.Contains(shard.ServiceName, new[] { "s4al-scorer", "scorer-two" });
                Assert.Equal("scorer", shard.Attributes["s4al.node.role"]);
                Assert.Equal(ShardKind, shard.Kind);
            }
            SpanOf(cycle, "acquisition", root);
            SpanOf(cycle, "annotation", root);
            Assert.All(cycle, s => Assert.NotEqual("Error", s.StatusCode));

            // Both protocols and both ways of configuring were used.
            Assert.True(receiver.GrpcRequests > 0 && receiver.HttpRequests > 0, $"gRPC {receiver.GrpcRequests}, HTTP {receiver.HttpRequests} requests");
            Assert.Contains(spans, s => s.ServiceName == "s4al-scorer");

            // Metrics from the trainer and the scorers, and log records that carry the cycle's trace id.
            await receiver.WaitForMetricsAsync(m => m.Any(x => x.Name == "s4al.training.steps" && x.ServiceName == "s4al-trainer")
                && m.Any(x => x.Name == "s4al.scoring.shard.duration") && m.Any(x => x.Name == "s4al.cycle.miou"), Wait);
            var logs = await receiver.WaitForLogsAsync(l => l.Any(x => x.TraceId == root.TraceId && x.Body.Contains("scored shard")), Wait);
            Assert.Contains(logs, l => l.TraceId == root.TraceId && l.Body.Contains("acquired") && l.ServiceName == "s4al-coordinator-replay");
        }
        finally
        {
            foreach (var node in nodes) node.Dispose();
        }
    }

    const string ShardKind = "Consumer";

    static ReceivedSpan SpanOf(List<ReceivedSpan> trace, string name, ReceivedSpan parent)
    {
        var span = Assert.Single(trace, s => s.Name == name);
        Assert.Equal(parent.SpanId, span.ParentSpanId);
        return span;
    }
}
