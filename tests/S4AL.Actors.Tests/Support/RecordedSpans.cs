using System.Collections;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using S4AL.Actors.Telemetry;

namespace S4AL.Actors.Tests.Support;

/// <summary>
/// S4AL's spans as OpenTelemetry's in-memory exporter hands them over. Spans end on several
/// threads (coordinator, trainer, scorers) and the exporter adds them from each, so the list is locked.
/// </summary>
public sealed class RecordedSpans : ICollection<Activity>, IDisposable
{
    readonly List<Activity> _spans = new();
    readonly TracerProvider _provider;

    public RecordedSpans() => _provider = Sdk.CreateTracerProviderBuilder().AddSource(S4alTelemetry.Name).AddInMemoryExporter(this).Build();

    public IReadOnlyList<Activity> Snapshot()
    {
        _provider.ForceFlush();
        lock (_spans) return _spans.ToList();
    }

    /// <summary>The spans of one trace, by name.</summary>
    public ILookup<string, Activity> Trace(ActivityTraceId trace) => Snapshot().Where(s => s.TraceId == trace).ToLookup(s => s.DisplayName);

    public static string? Tag(Activity span, string name) => span.GetTagItem(name) is { } v ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) : null;

    public void Dispose() => _provider.Dispose();

    public void Add(Activity item) { lock (_spans) _spans.Add(item); }
    public void Clear() { lock (_spans) _spans.Clear(); }
    public bool Contains(Activity item) { lock (_spans) return _spans.Contains(item); }
    public void CopyTo(Activity[] array, int arrayIndex) { lock (_spans) _spans.CopyTo(array, arrayIndex); }
    public bool Remove(Activity item) { lock (_spans) return _spans.Remove(item); }
    public int Count { get { lock (_spans) return _spans.Count; } }
    public bool IsReadOnly => false;
    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
