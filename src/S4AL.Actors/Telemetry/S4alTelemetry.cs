using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace S4AL.Actors.Telemetry;

/// <summary>
/// The project's one ActivitySource and one Meter (both named <see cref="Name"/>), and the
/// W3C trace-context helpers that let a span started on one node be the parent of spans on
/// another: the context travels inside the protocol messages as a traceparent string.
/// Nothing here costs anything when no OpenTelemetry provider listens: StartActivity then returns null.
/// </summary>
public static class S4alTelemetry
{
    public const string Name = "S4AL";
    static readonly string Version = typeof(S4alTelemetry).Assembly.GetName().Version?.ToString(3) ?? "1.0.0";

    public static readonly ActivitySource Source = new(Name, Version);
    public static readonly Meter Meter = new(Name, Version);

    /// <summary>Attribute names on S4AL's spans.</summary>
    public static class Tags
    {
        public const string Experiment = "s4al.experiment";
        public const string Cycle = "s4al.cycle";
        public const string Attempt = "s4al.attempt";
        /// <summary>On a finished cycle's span: training attempts the cycle needed (1 when nothing failed).</summary>
        public const string Attempts = "s4al.attempts";
        public const string Resumed = "s4al.resumed";
        public const string Epoch = "s4al.epoch";
        public const string Epochs = "s4al.epochs";
        public const string Steps = "s4al.steps";
        public const string Shard = "s4al.shard";
        public const string Shards = "s4al.shards";
        public const string Images = "s4al.images";
        public const string Regions = "s4al.regions";
        public const string LabeledRegions = "s4al.labeled_regions";
        public const string LabeledPixelShare = "s4al.labeled_pixel_share";
        public const string Budget = "s4al.budget";
        public const string Candidates = "s4al.candidates";
        public const string Checkpoint = "s4al.checkpoint.id";
        public const string CheckpointPath = "s4al.checkpoint.path";
        public const string ResumedFrom = "s4al.checkpoint.resumed_from";
        public const string Loss = "s4al.loss";
        public const string SupervisedLoss = "s4al.loss.supervised";
        public const string UnsupervisedLoss = "s4al.loss.unsupervised";
        public const string ReplayLoss = "s4al.loss.replay";
        public const string LearningRate = "s4al.learning_rate";
        public const string MeanIoU = "s4al.miou";
        public const string Device = "s4al.device";
        public const string ModelLoaded = "s4al.model_loaded";
        /// <summary>oracle, or human (people labeled the round: then the three per-annotator arrays below, in the same order).</summary>
        public const string Annotator = "s4al.annotator";
        public const string RegionsLabeled = "s4al.regions.labeled";
        public const string Annotators = "s4al.annotation.annotators";
        public const string AnnotatorRegions = "s4al.annotation.regions";
        public const string AnnotatorSeconds = "s4al.annotation.seconds";
        public const string NodeAddress = "s4al.node.address";
        public const string NodeRole = "s4al.node.role";
        /// <summary>The trainer as the coordinator knows it: the node's address, with the actor's name on a node with several.</summary>
        public const string Trainer = "s4al.trainer";
        /// <summary>The intra-op CPU threads a training job runs with.</summary>
        public const string Threads = "s4al.threads";
        public const string Error = "error.type";
    }

    /// <summary>The W3C traceparent of <paramref name="span"/> (null without a span), to put in a message.</summary>
    public static string? TraceParentOf(Activity? span) => span is { IdFormat: ActivityIdFormat.W3C } ? span.Id : null;

    /// <summary>The remote parent a message carries; default (no parent) when it carries none or garbage.</summary>
    public static ActivityContext ContextOf(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;

    /// <summary>
    /// Starts a span under <paramref name="parent"/> (a root span when it is default) without making it
    /// <see cref="Activity.Current"/>. Actors keep spans open across messages, and the current activity is
    /// ambient state that would otherwise leak into whatever the dispatcher thread runs next.
    /// </summary>
    public static Activity? StartDetached(string name, ActivityContext parent, ActivityKind kind = ActivityKind.Internal,
        IEnumerable<KeyValuePair<string, object?>>? tags = null, IEnumerable<ActivityLink>? links = null)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        try { return Source.StartActivity(name, kind, parent, tags, links); }
        finally { Activity.Current = previous; }
    }

    /// <summary>Makes <paramref name="span"/> current until disposed (for log lines and child spans on this thread).</summary>
    public static CurrentSpan Enter(Activity? span) => new(span);

    public readonly struct CurrentSpan : IDisposable
    {
        readonly Activity? _previous;
        readonly bool _changed;

        internal CurrentSpan(Activity? span)
        {
            _previous = Activity.Current;
            _changed = span is not null;
            if (_changed) Activity.Current = span;
        }

        public void Dispose()
        {
            if (_changed) Activity.Current = _previous;
        }
    }

    /// <summary>Adds a named event with attributes to the span (nothing without a span).</summary>
    public static void Event(this Activity? span, string name, params (string Key, object? Value)[] tags)
    {
        if (span is null) return;
        var collection = new ActivityTagsCollection();
        foreach (var (key, value) in tags) collection[key] = value;
        span.AddEvent(new ActivityEvent(name, tags: collection));
    }

    /// <summary>Marks the span failed with the exception recorded as an event (OpenTelemetry's exception convention).</summary>
    public static void Fail(this Activity? span, Exception error)
    {
        if (span is null) return;
        span.SetStatus(ActivityStatusCode.Error, error.Message);
        span.SetTag(Tags.Error, error.GetType().FullName);
        span.AddException(error);
    }

    /// <summary>Marks the span failed for a reason that is not an exception here (e.g. reported by another node).</summary>
    public static void Fail(this Activity? span, string reason)
    {
        if (span is null) return;
        span.SetStatus(ActivityStatusCode.Error, reason);
        span.Event("error", ("error.message", reason));
    }
}
