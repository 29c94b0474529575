using System.IO.Compression;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace S4AL.Otlp.Testing;

/// <summary>
/// A real OTLP receiver for tests, in process: Kestrel on 127.0.0.1 serves OTLP/gRPC
/// (HTTP/2 without TLS, <see cref="GrpcEndpoint"/>) and OTLP/HTTP with protobuf bodies
/// (HTTP/1.1, <see cref="HttpEndpoint"/>: POST /v1/traces, /v1/metrics, /v1/logs), each on a
/// free port of its own, and keeps what it decoded.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly Store _store;

    OtlpReceiver(WebApplication app, Store store, Uri grpcEndpoint, Uri httpEndpoint)
    {
        _app = app;
        _store = store;
        GrpcEndpoint = grpcEndpoint;
        HttpEndpoint = httpEndpoint;
    }

    /// <summary>The OTLP/gRPC endpoint, http://127.0.0.1:PORT (HTTP/2 with prior knowledge).</summary>
    public Uri GrpcEndpoint { get; }

    /// <summary>The OTLP/HTTP base address, http://127.0.0.1:PORT/; the signals are at v1/traces,
    /// v1/metrics and v1/logs below it.</summary>
    public Uri HttpEndpoint { get; }

    /// <summary>The spans received so far (a snapshot), in the order they arrived.</summary>
    public IReadOnlyList<ReceivedSpan> Spans => _store.Snapshot(_store.Spans);

    /// <summary>The metrics received so far (a snapshot), one entry per metric per export.</summary>
    public IReadOnlyList<ReceivedMetric> Metrics => _store.Snapshot(_store.Metrics);

    /// <summary>The log records received so far (a snapshot).</summary>
    public IReadOnlyList<ReceivedLog> Logs => _store.Snapshot(_store.Logs);

    /// <summary>How many Export calls arrived over OTLP/gRPC.</summary>
    public int GrpcRequests => Volatile.Read(ref _store.GrpcRequests);

    /// <summary>How many exports arrived over OTLP/HTTP (protobuf) and were decoded.</summary>
    public int HttpRequests => Volatile.Read(ref _store.HttpRequests);

    /// <summary>Starts the receiver on two free ports of 127.0.0.1.</summary>
    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(OtlpReceiver).Assembly.GetName().Name,
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Quiet: no logging provider at all, and no console lifetime (it would print and hook
        // SIGINT/SIGTERM of the test process).
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, SilentLifetime>();

        // Cleartext HTTP/2 needs an endpoint that speaks HTTP/2 only: without TLS there is no
        // ALPN, so an Http1AndHttp2 endpoint would fall back to HTTP/1.1 and gRPC would fail.
        // OTLP/HTTP gets an HTTP/1.1 endpoint of its own.
        ListenOptions? grpcListen = null, httpListen = null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http2; grpcListen = o; });
            kestrel.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http1; httpListen = o; });
        });

        var store = new Store();
        builder.Services.AddSingleton(store);
        builder.Services.AddRoutingCore();
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 64 * 1024 * 1024);

        var app = builder.Build();
        app.UseRouting();
        app.MapGrpcService<TraceExport>();
        app.MapGrpcService<MetricsExport>();
        app.MapGrpcService<LogsExport>();
        app.MapPost("/v1/traces", ctx => HandleHttpAsync(ctx, ExportTraceServiceRequest.Parser, store.Add, new ExportTraceServiceResponse(), store));
        app.MapPost("/v1/metrics", ctx => HandleHttpAsync(ctx, ExportMetricsServiceRequest.Parser, store.Add, new ExportMetricsServiceResponse(), store));
        app.MapPost("/v1/logs", ctx => HandleHttpAsync(ctx, ExportLogsServiceRequest.Parser, store.Add, new ExportLogsServiceResponse(), store));

        await app.StartAsync();
        try
        {
            // The ports were 0: the bound addresses are read back from the server. Kestrel
            // writes the bound port back into each ListenOptions, which tells the two apart.
            var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
                .Select(a => new Uri(a)).ToArray();
            Uri Find(ListenOptions? listen, string what) =>
                addresses.SingleOrDefault(a => listen?.IPEndPoint is { Port: > 0 } ep && a.Port == ep.Port)
                ?? throw new InvalidOperationException($"The {what} endpoint is not among the bound addresses: {string.Join(", ", addresses.Select(a => a.ToString()))}");
            var grpc = Find(grpcListen, "OTLP/gRPC");
            var http = Find(httpListen, "OTLP/HTTP");
            return new OtlpReceiver(app, store, new Uri($"http://127.0.0.1:{grpc.Port}"), new Uri($"http://127.0.0.1:{http.Port}/"));
        }
        catch
        {
            await app.StopAsync();
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until <paramref name="until"/> holds for the spans received so far and
    /// returns them; throws a <see cref="TimeoutException"/> naming the spans received when it
    /// does not hold within <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForSpansAsync(Func<IReadOnlyList<ReceivedSpan>, bool> until, TimeSpan timeout) =>
        await WaitAsync(_store.Spans, until, timeout, spans =>
            $"Spans received in {timeout.TotalSeconds:0.#} s did not satisfy the condition; {spans.Count} received: [{string.Join(", ", spans.Select(s => s.Name))}]");

    /// <summary>Like <see cref="WaitForSpansAsync"/>, for metrics.</summary>
    public async Task<IReadOnlyList<ReceivedMetric>> WaitForMetricsAsync(Func<IReadOnlyList<ReceivedMetric>, bool> until, TimeSpan timeout) =>
        await WaitAsync(_store.Metrics, until, timeout, metrics =>
            $"Metrics received in {timeout.TotalSeconds:0.#} s did not satisfy the condition; {metrics.Count} received: [{string.Join(", ", metrics.Select(m => m.Name))}]");

    /// <summary>Like <see cref="WaitForSpansAsync"/>, for log records.</summary>
    public async Task<IReadOnlyList<ReceivedLog>> WaitForLogsAsync(Func<IReadOnlyList<ReceivedLog>, bool> until, TimeSpan timeout) =>
        await WaitAsync(_store.Logs, until, timeout, logs =>
            $"Log records received in {timeout.TotalSeconds:0.#} s did not satisfy the condition; {logs.Count} received: [{string.Join(" | ", logs.Select(l => l.Body))}]");

    async Task<IReadOnlyList<T>> WaitAsync<T>(List<T> list, Func<IReadOnlyList<T>, bool> until, TimeSpan timeout, Func<IReadOnlyList<T>, string> describe)
    {
        // A monotonic clock: the wall clock may step under NTP, and the timeout is a promise to callers.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            // Take the signal before the snapshot, so an arrival in between is not missed.
            var changed = _store.Changed;
            var snapshot = _store.Snapshot(list);
            if (until(snapshot)) return snapshot;
            var left = timeout - watch.Elapsed;
            if (left <= TimeSpan.Zero) throw new TimeoutException(describe(snapshot));
            // Woken by an arrival; the short poll is a backstop only.
            await Task.WhenAny(changed, Task.Delay(left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    static async Task HandleHttpAsync<TRequest>(HttpContext ctx, MessageParser<TRequest> parser, Action<TRequest> add, IMessage response, Store store)
        where TRequest : IMessage<TRequest>
    {
        var contentType = ctx.Request.ContentType ?? "";
        if (!contentType.StartsWith("application/x-protobuf", StringComparison.OrdinalIgnoreCase))
        {
            // OTLP/HTTP JSON is not decoded here.
            ctx.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        using var body = new MemoryStream();
        if (string.Equals(ctx.Request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            await using var gzip = new GZipStream(ctx.Request.Body, CompressionMode.Decompress, leaveOpen: true);
            await gzip.CopyToAsync(body, ctx.RequestAborted);
        }
        else
        {
            await ctx.Request.Body.CopyToAsync(body, ctx.RequestAborted);
        }
        TRequest request;
        try
        {
            request = parser.ParseFrom(body.GetBuffer(), 0, (int)body.Length);
        }
        catch (InvalidProtocolBufferException e)
        {
            ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
            await ctx.Response.WriteAsync(e.Message, ctx.RequestAborted);
            return;
        }
        // Counted before the data shows, so a test that saw the data sees the count.
        Interlocked.Increment(ref store.HttpRequests);
        add(request);
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "application/x-protobuf";
        await ctx.Response.Body.WriteAsync(response.ToByteArray(), ctx.RequestAborted);
    }

    /// <summary>What the receiver holds; shared by the gRPC services and the HTTP handlers.</summary>
    sealed class Store
    {
        readonly Lock _lock = new();
        TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly List<ReceivedSpan> Spans = [];
        public readonly List<ReceivedMetric> Metrics = [];
        public readonly List<ReceivedLog> Logs = [];
        public int GrpcRequests;
        public int HttpRequests;

        /// <summary>Completes at the next arrival.</summary>
        public Task Changed { get { lock (_lock) return _changed.Task; } }

        public IReadOnlyList<T> Snapshot<T>(List<T> list)
        {
            lock (_lock) return list.ToArray();
        }

        public void Add(ExportTraceServiceRequest request) => Add(Spans, OtlpDecoder.Spans(request));
        public void Add(ExportMetricsServiceRequest request) => Add(Metrics, OtlpDecoder.Metrics(request));
        public void Add(ExportLogsServiceRequest request) => Add(Logs, OtlpDecoder.Logs(request));

        void Add<T>(List<T> list, IEnumerable<T> items)
        {
            var decoded = items.ToArray();
            TaskCompletionSource changed;
            lock (_lock)
            {
                list.AddRange(decoded);
                changed = _changed;
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            changed.TrySetResult();
        }
    }

    sealed class TraceExport(Store store) : OpenTelemetry.Proto.Collector.Trace.V1.TraceService.TraceServiceBase
    {
        public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
        {
            Interlocked.Increment(ref store.GrpcRequests);
            store.Add(request);
            return Task.FromResult(new ExportTraceServiceResponse());
        }
    }

    sealed class MetricsExport(Store store) : OpenTelemetry.Proto.Collector.Metrics.V1.MetricsService.MetricsServiceBase
    {
        public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
        {
            Interlocked.Increment(ref store.GrpcRequests);
            store.Add(request);
            return Task.FromResult(new ExportMetricsServiceResponse());
        }
    }

    sealed class LogsExport(Store store) : OpenTelemetry.Proto.Collector.Logs.V1.LogsService.LogsServiceBase
    {
        public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
        {
            Interlocked.Increment(ref store.GrpcRequests);
            store.Add(request);
            return Task.FromResult(new ExportLogsServiceResponse());
        }
    }

    /// <summary>Starts and stops with the host and does nothing else: no console messages,
    /// no signal handlers.</summary>
    sealed class SilentLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
