namespace S4AL.Otlp.Testing;

/// <summary>One span as an OTLP receiver decoded it. Ids are lowercase hex.</summary>
/// <param name="TraceId">32 hex digits.</param>
/// <param name="SpanId">16 hex digits.</param>
/// <param name="ParentSpanId">16 hex digits, or null for a root span.</param>
/// <param name="Kind">"Internal", "Server", "Client", "Producer", "Consumer" or "Unspecified".</param>
/// <param name="StatusCode">"Unset", "Ok" or "Error".</param>
/// <param name="StatusMessage">The status description; empty when there is none.</param>
/// <param name="Events">The names of the span's events, in order.</param>
/// <param name="Links">The linked spans' (trace id, span id), hex.</param>
/// <param name="ScopeName">The instrumentation scope (ActivitySource) name.</param>
public sealed record ReceivedSpan(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Kind,
    DateTime StartUtc,
    DateTime EndUtc,
    string? ServiceName,
    IReadOnlyDictionary<string, string> ResourceAttributes,
    IReadOnlyDictionary<string, string> Attributes,
    string StatusCode,
    string StatusMessage,
    IReadOnlyList<string> Events,
    IReadOnlyList<(string TraceId, string SpanId)> Links,
    string ScopeName);

/// <summary>One metric of one export, as an OTLP receiver decoded it.</summary>
/// <param name="Kind">The OTLP data case: "Sum", "Gauge", "Histogram", "ExponentialHistogram", "Summary" or "None".</param>
/// <param name="DataPointCount">How many data points the metric carried.</param>
/// <param name="LastValue">Of the last data point: the value of a sum or gauge, the count of a
/// histogram or summary; null when there is no data point.</param>
public sealed record ReceivedMetric(
    string Name,
    string? ServiceName,
    string Unit,
    string Kind,
    int DataPointCount,
    double? LastValue,
    string ScopeName);

/// <summary>One log record as an OTLP receiver decoded it.</summary>
/// <param name="SeverityText">As sent (the .NET exporter sends e.g. "Information"); empty when not sent.</param>
/// <param name="SeverityNumber">The OTLP severity number (9 = INFO, 13 = WARN, 17 = ERROR, ...).</param>
/// <param name="Body">The body rendered as a string; empty when there is none.</param>
/// <param name="TraceId">32 hex digits, or null when the record has no trace context.</param>
/// <param name="SpanId">16 hex digits, or null when the record has no trace context.</param>
/// <param name="ScopeName">The instrumentation scope (for .NET, the logger category).</param>
public sealed record ReceivedLog(
    string? ServiceName,
    string SeverityText,
    int SeverityNumber,
    string Body,
    string? TraceId,
    string? SpanId,
    IReadOnlyDictionary<string, string> Attributes,
    string ScopeName);
