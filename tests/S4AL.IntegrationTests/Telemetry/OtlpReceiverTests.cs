using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using S4AL.Otlp.Testing;

namespace S4AL.IntegrationTests.Telemetry;

/// <summary>
/// The tests' OTLP receiver (tests/S4AL.OtlpReceiver) against the real OpenTelemetry .NET SDK
/// and OTLP exporter, in process, over OTLP/gRPC and OTLP/HTTP (protobuf). No processes are
/// started, so no collection.
/// </summary>
public class OtlpReceiverTests
{
    // Generous: the first export of a process JITs gRPC, Kestrel and Protobuf and opens a connection.
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    const string Service = "s4al-otlp-test";

    /// <summary>Points the exporter at the receiver: the gRPC base address, or the full signal
    /// path for OTLP/HTTP (an Endpoint set in code is taken as is, no /v1/... appended).</summary>
    static void Target(OtlpExporterOptions o, OtlpReceiver receiver, OtlpExportProtocol protocol, string signal)
    {
        o.Protocol = protocol;
        o.Endpoint = protocol == OtlpExportProtocol.Grpc ? receiver.GrpcEndpoint : new Uri(receiver.HttpEndpoint, "v1/" + signal);
        o.TimeoutMilliseconds = 60_000;
    }

    static ResourceBuilder Resource() =>
        ResourceBuilder.CreateEmpty().AddService(Service, serviceVersion: "1.2.3")
            .AddAttributes([new("deployment.environment", "test"), new("s4al.node.index", 2)]);

    static void AssertProtocol(OtlpReceiver receiver, OtlpExportProtocol protocol)
    {
        if (protocol == OtlpExportProtocol.Grpc)
        {
            Assert.True(receiver.GrpcRequests > 0, "no OTLP/gRPC request arrived");
            Assert.Equal(0, receiver.HttpRequests);
        }
        else
        {
            Assert.True(receiver.HttpRequests > 0, "no OTLP/HTTP request arrived");
            Assert.Equal(0, receiver.GrpcRequests);
        }
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task Parent_and_child_spans_arrive_with_ids_attributes_status_events_and_link(OtlpExportProtocol protocol)
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var sourceName = "S4AL.Tests.Otlp.Traces." + protocol;
        using var source = new ActivitySource(sourceName, "0.9.1");
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(Resource())
            .AddSource(sourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o => { Target(o, receiver, protocol, "traces"); o.ExportProcessorType = ExportProcessorType.Simple; })
            .Build();

        var linked = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        Activity parent, child;
        using (parent = source.StartActivity("train-cycle", ActivityKind.Server)!)
        {
            Assert.NotNull(parent);
            parent.SetTag("s4al.cycle", 3);
            parent.SetTag("s4al.loss", 0.25);
            parent.SetTag("s4al.resumed", true);
            parent.SetTag("s4al.roles", new[] { "trainer", "scorer" });
            using (child = source.StartActivity("score-batch", ActivityKind.Client, parent.Context, links: [new ActivityLink(linked)])!)
            {
                child.SetTag("s4al.batch", "b-7");
                child.AddEvent(new ActivityEvent("checkpoint-written"));
                child.SetStatus(ActivityStatusCode.Error, "scorer unreachable");
            }
        }
        Assert.True(tracing.ForceFlush(60_000));

        var spans = await receiver.WaitForSpansAsync(s => s.Count >= 2, Wait);
        Assert.Equal(2, spans.Count);
        var p = Assert.Single(spans, s => s.Name == "train-cycle");
        var c = Assert.Single(spans, s => s.Name == "score-batch");

        Assert.Equal(parent.TraceId.ToHexString(), p.TraceId);
        Assert.Matches("^[0-9a-f]{32}$", p.TraceId);
        Assert.Equal(parent.SpanId.ToHexString(), p.SpanId);
        Assert.Matches("^[0-9a-f]{16}$", p.SpanId);
        Assert.Null(p.ParentSpanId);
        Assert.Equal("Server", p.Kind);
        Assert.Equal("Unset", p.StatusCode);
        Assert.Equal(parent.StartTimeUtc, p.StartUtc);
        Assert.Equal(parent.StartTimeUtc + parent.Duration, p.EndUtc);
        Assert.Equal("3", p.Attributes["s4al.cycle"]);
        Assert.Equal("0.25", p.Attributes["s4al.loss"]);
        Assert.Equal("true", p.Attributes["s4al.resumed"]);
        Assert.Equal("trainer,scorer", p.Attributes["s4al.roles"]);
        Assert.Equal(sourceName, p.ScopeName);

        Assert.Equal(parent.TraceId.ToHexString(), c.TraceId);
        Assert.Equal(child.SpanId.ToHexString(), c.SpanId);
        Assert.Equal(p.SpanId, c.ParentSpanId);
        Assert.Equal("Client", c.Kind);
        Assert.Equal("Error", c.StatusCode);
        Assert.Equal("scorer unreachable", c.StatusMessage);
        Assert.Equal("b-7", c.Attributes["s4al.batch"]);
        Assert.Equal(["checkpoint-written"], c.Events);
        Assert.Equal([(linked.TraceId.ToHexString(), linked.SpanId.ToHexString())], c.Links);
        Assert.True(c.StartUtc >= p.StartUtc && c.EndUtc <= p.EndUtc, $"child {c.StartUtc:O}..{c.EndUtc:O} outside parent {p.StartUtc:O}..{p.EndUtc:O}");

        foreach (var span in spans)
        {
            Assert.Equal(Service, span.ServiceName);
            Assert.Equal("1.2.3", span.ResourceAttributes["service.version"]);
            Assert.Equal("test", span.ResourceAttributes["deployment.environment"]);
            Assert.Equal("2", span.ResourceAttributes["s4al.node.index"]);
        }
        AssertProtocol(receiver, protocol);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task A_counter_and_a_histogram_arrive_with_their_values(OtlpExportProtocol protocol)
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var meterName = "S4AL.Tests.Otlp.Metrics." + protocol;
        using var meter = new Meter(meterName);
        var steps = meter.CreateCounter<long>("s4al.test.steps", unit: "{step}");
        var loss = meter.CreateHistogram<double>("s4al.test.loss", unit: "1");
        using var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(Resource())
            .AddMeter(meterName)
            .AddOtlpExporter(o => Target(o, receiver, protocol, "metrics"))
            .Build();

        steps.Add(3);
        steps.Add(4);
        loss.Record(0.5);
        loss.Record(0.25);
        loss.Record(0.125);
        Assert.True(metrics.ForceFlush(60_000));

        var received = await receiver.WaitForMetricsAsync(
            m => m.Any(x => x.Name == "s4al.test.steps") && m.Any(x => x.Name == "s4al.test.loss"), Wait);
        var counter = received.First(m => m.Name == "s4al.test.steps");
        Assert.Equal("Sum", counter.Kind);
        Assert.Equal("{step}", counter.Unit);
        Assert.Equal(1, counter.DataPointCount);
        Assert.Equal(7.0, counter.LastValue);
        Assert.Equal(Service, counter.ServiceName);
        Assert.Equal(meterName, counter.ScopeName);
        var histogram = received.First(m => m.Name == "s4al.test.loss");
        Assert.Equal("Histogram", histogram.Kind);
        Assert.Equal(1, histogram.DataPointCount);
        Assert.Equal(3.0, histogram.LastValue);
        AssertProtocol(receiver, protocol);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task A_log_written_inside_an_activity_carries_its_trace_context(OtlpExportProtocol protocol)
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var sourceName = "S4AL.Tests.Otlp.Logs." + protocol;
        using var source = new ActivitySource(sourceName);
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using (var loggerFactory = LoggerFactory.Create(logging => logging.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(Resource());
            o.IncludeFormattedMessage = true;
            o.AddOtlpExporter((e, processor) => { Target(e, receiver, protocol, "logs"); processor.ExportProcessorType = ExportProcessorType.Simple; });
        })))
        {
            var logger = loggerFactory.CreateLogger("S4AL.Tests.Trainer");
            logger.LogInformation("Outside any activity");
            using var activity = source.StartActivity("epoch")!;
            Assert.NotNull(activity);
            logger.LogWarning("Epoch {Epoch} ended with loss {Loss}", 3, 0.5);

            var logs = await receiver.WaitForLogsAsync(l => l.Count >= 2, Wait);
            Assert.Equal(2, logs.Count);
            var outside = logs[0];
            Assert.Equal("Outside any activity", outside.Body);
            Assert.Null(outside.TraceId);
            Assert.Null(outside.SpanId);
            Assert.Equal("Information", outside.SeverityText);
            Assert.Equal(9, outside.SeverityNumber);

            var log = logs[1];
            Assert.Equal(activity.TraceId.ToHexString(), log.TraceId);
            Assert.Equal(activity.SpanId.ToHexString(), log.SpanId);
            Assert.Equal("Epoch 3 ended with loss 0.5", log.Body);
            Assert.Equal("Warning", log.SeverityText);
            Assert.Equal(13, log.SeverityNumber);
            Assert.Equal("3", log.Attributes["Epoch"]);
            Assert.Equal("0.5", log.Attributes["Loss"]);
            Assert.Equal("S4AL.Tests.Trainer", log.ScopeName);
            Assert.Equal(Service, log.ServiceName);
        }
        AssertProtocol(receiver, protocol);
    }

    [Fact]
    public async Task Waiting_for_spans_that_never_come_times_out_naming_the_spans_received()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        const string sourceName = "S4AL.Tests.Otlp.Timeout";
        using var source = new ActivitySource(sourceName);
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(sourceName)
            .AddOtlpExporter(o => { Target(o, receiver, OtlpExportProtocol.Grpc, "traces"); o.ExportProcessorType = ExportProcessorType.Simple; })
            .Build();
        source.StartActivity("only-this-one")!.Dispose();
        Assert.True(tracing.ForceFlush(60_000));

        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            receiver.WaitForSpansAsync(s => s.Any(x => x.Name == "never-sent"), TimeSpan.FromMilliseconds(300)));
        // It waits at least the timeout (measured on the same monotonic clock); how much longer depends on the machine.
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(300), $"gave up after {watch.Elapsed}");
        Assert.Contains("only-this-one", e.Message);
    }

    [Fact]
    public async Task OTLP_HTTP_answers_415_to_JSON_and_400_to_a_body_that_is_not_protobuf()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var http = new HttpClient { BaseAddress = receiver.HttpEndpoint };

        using var json = new StringContent("{}", new MediaTypeHeaderValue("application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await http.PostAsync("v1/traces", json)).StatusCode);

        using var garbage = new ByteArrayContent([0xff, 0xff, 0xff, 0xff]);
        garbage.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("v1/traces", garbage)).StatusCode);

        using var empty = new ByteArrayContent([]);
        empty.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        var ok = await http.PostAsync("v1/metrics", empty);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("application/x-protobuf", ok.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await ok.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, receiver.HttpRequests);
        Assert.Empty(receiver.Metrics);
    }
}
