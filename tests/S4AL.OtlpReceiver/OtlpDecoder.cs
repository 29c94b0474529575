using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;

namespace S4AL.Otlp.Testing;

/// <summary>Turns the generated OTLP messages into the receiver's flat records.</summary>
static class OtlpDecoder
{
    const string ServiceNameKey = "service.name";

    public static IEnumerable<ReceivedSpan> Spans(ExportTraceServiceRequest request)
    {
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = Attributes(resourceSpans.Resource);
            var service = resource.GetValueOrDefault(ServiceNameKey);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = scopeSpans.Scope?.Name ?? "";
                foreach (var span in scopeSpans.Spans)
                {
                    yield return new ReceivedSpan(
                        TraceId: Hex(span.TraceId) ?? "",
                        SpanId: Hex(span.SpanId) ?? "",
                        ParentSpanId: Hex(span.ParentSpanId),
                        Name: span.Name,
                        Kind: span.Kind.ToString(),
                        StartUtc: FromUnixNanos(span.StartTimeUnixNano),
                        EndUtc: FromUnixNanos(span.EndTimeUnixNano),
                        ServiceName: service,
                        ResourceAttributes: resource,
                        Attributes: Attributes(span.Attributes),
                        StatusCode: (span.Status?.Code ?? OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Unset).ToString(),
                        StatusMessage: span.Status?.Message ?? "",
                        Events: span.Events.Select(e => e.Name).ToArray(),
                        Links: span.Links.Select(l => (Hex(l.TraceId) ?? "", Hex(l.SpanId) ?? "")).ToArray(),
                        ScopeName: scope);
                }
            }
        }
    }

    public static IEnumerable<ReceivedMetric> Metrics(ExportMetricsServiceRequest request)
    {
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var service = Attributes(resourceMetrics.Resource).GetValueOrDefault(ServiceNameKey);
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                var scope = scopeMetrics.Scope?.Name ?? "";
                foreach (var metric in scopeMetrics.Metrics)
                {
                    var (count, last) = metric.DataCase switch
                    {
                        Metric.DataOneofCase.Sum => (metric.Sum.DataPoints.Count, LastNumber(metric.Sum.DataPoints)),
                        Metric.DataOneofCase.Gauge => (metric.Gauge.DataPoints.Count, LastNumber(metric.Gauge.DataPoints)),
                        Metric.DataOneofCase.Histogram => (metric.Histogram.DataPoints.Count,
                            metric.Histogram.DataPoints.Count == 0 ? null : (double?)metric.Histogram.DataPoints[^1].Count),
                        Metric.DataOneofCase.ExponentialHistogram => (metric.ExponentialHistogram.DataPoints.Count,
                            metric.ExponentialHistogram.DataPoints.Count == 0 ? null : (double?)metric.ExponentialHistogram.DataPoints[^1].Count),
                        Metric.DataOneofCase.Summary => (metric.Summary.DataPoints.Count,
                            metric.Summary.DataPoints.Count == 0 ? null : (double?)metric.Summary.DataPoints[^1].Count),
                        _ => (0, (double?)null),
                    };
                    yield return new ReceivedMetric(metric.Name, service, metric.Unit, metric.DataCase.ToString(), count, last, scope);
                }
            }
        }
    }

    public static IEnumerable<ReceivedLog> Logs(ExportLogsServiceRequest request)
    {
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var service = Attributes(resourceLogs.Resource).GetValueOrDefault(ServiceNameKey);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                var scope = scopeLogs.Scope?.Name ?? "";
                foreach (var log in scopeLogs.LogRecords)
                {
                    yield return new ReceivedLog(
                        ServiceName: service,
                        SeverityText: log.SeverityText,
                        SeverityNumber: (int)log.SeverityNumber,
                        Body: log.Body is null ? "" : Render(log.Body),
                        TraceId: Hex(log.TraceId),
                        SpanId: Hex(log.SpanId),
                        Attributes: Attributes(log.Attributes),
                        ScopeName: scope);
                }
            }
        }
    }

    static double? LastNumber(RepeatedField<NumberDataPoint> points)
    {
        if (points.Count == 0) return null;
        var p = points[^1];
        return p.ValueCase switch
        {
            NumberDataPoint.ValueOneofCase.AsDouble => p.AsDouble,
            NumberDataPoint.ValueOneofCase.AsInt => p.AsInt,
            _ => null,
        };
    }

    /// <summary>Lowercase hex of an id; null for an empty (absent) or all-zero id.</summary>
    static string? Hex(ByteString id) =>
        id.IsEmpty || id.Span.IndexOfAnyExcept((byte)0) < 0 ? null : Convert.ToHexStringLower(id.Span);

    static DateTime FromUnixNanos(ulong nanos) => DateTime.UnixEpoch.AddTicks((long)(nanos / 100));

    static IReadOnlyDictionary<string, string> Attributes(Resource? resource) =>
        resource is null ? new Dictionary<string, string>() : Attributes(resource.Attributes);

    static IReadOnlyDictionary<string, string> Attributes(RepeatedField<KeyValue> attributes)
    {
        var result = new Dictionary<string, string>(attributes.Count);
        foreach (var kv in attributes)
            result[kv.Key] = kv.Value is null ? "" : Render(kv.Value);
        return result;
    }

    /// <summary>An attribute value as an invariant string: bools as "true"/"false", arrays
    /// joined by ',', key-value lists as "k=v" joined by ',', bytes as base64.</summary>
    public static string Render(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.ArrayValue => string.Join(',', value.ArrayValue.Values.Select(Render)),
        AnyValue.ValueOneofCase.KvlistValue => string.Join(',', value.KvlistValue.Values.Select(kv => kv.Key + "=" + (kv.Value is null ? "" : Render(kv.Value)))),
        AnyValue.ValueOneofCase.BytesValue => value.BytesValue.ToBase64(),
        _ => "",
    };
}
