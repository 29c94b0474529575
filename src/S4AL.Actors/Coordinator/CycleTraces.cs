using System.Diagnostics;
using S4AL.Actors.Telemetry;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using static S4AL.Actors.Telemetry.S4alTelemetry;

namespace S4AL.Actors.Coordinator;

/// <summary>
/// The coordinator's open spans: per experiment, the current cycle's root span ("cycle") and
/// the span of the phase it is in ("training", "scoring", "acquisition", "annotation"). The
/// coordinator calls <see cref="Sync"/> whenever an experiment's state may have moved on;
/// the spans follow the journal's state, so a recovered coordinator opens them again (as a
/// new trace linked to the one that was cut off) without any state of its own.
/// </summary>
sealed class CycleTraces
{
    sealed class Open(int cycle, Activity root, long started)
    {
        public int Cycle { get; } = cycle;
        public Activity Root { get; } = root;
        public long Started { get; } = started;
        public Activity? Phase { get; set; }
        public CyclePhase PhaseOf { get; set; } = CyclePhase.Done;
    }

    readonly Dictionary<ExperimentId, Open> _open = new();
    readonly string _node;

    public CycleTraces(string node) => _node = node;

    /// <summary>
    /// Opens and closes spans to match <paramref name="s"/>. Returns the traceparent of a cycle
    /// span it just started (to persist, so a later incarnation can link to it), else null.
    /// </summary>
    public string? Sync(ExperimentState s)
    {
        _open.TryGetValue(s.Id, out var open);
        if (open is not null && open.Cycle != s.Cycle)
        {
            End(open, null);
            _open.Remove(s.Id);
            open = null;
        }
        if (s.IsDone || s.History.Any(h => h.Cycle == s.Cycle))
        {
            if (open is not null)
            {
                End(open, s);
                _open.Remove(s.Id);
            }
            return null;
        }
        string? started = null;
        if (open is null)
        {
            var previous = ContextOf(s.CycleTraceParent);
            var links = previous.TraceId == default ? null : new[] { new ActivityLink(previous, new ActivityTagsCollection { ["s4al.link"] = "interrupted attempt of this cycle" }) };
            var root = StartDetached("cycle", default, ActivityKind.Internal, new KeyValuePair<string, object?>[]
            {
                new(Tags.Experiment, s.Id.Value), new(Tags.Cycle, s.Cycle), new(Tags.Attempt, s.Attempt),
                new(Tags.Resumed, links is not null), new(Tags.LabeledRegions, s.Acquired.Count),
                new(Tags.NodeAddress, _node), new(Tags.NodeRole, "coordinator"),
            }, links);
            if (root is null) return null;
            open = new Open(s.Cycle, root, Stopwatch.GetTimestamp());
            _open[s.Id] = open;
            started = TraceParentOf(root);
        }
        if (open.PhaseOf != s.Phase)
        {
            open.Phase?.Stop();
            open.PhaseOf = s.Phase;
            open.Phase = StartDetached(PhaseName(s.Phase), open.Root.Context, ActivityKind.Internal, new KeyValuePair<string, object?>[]
            {
                new(Tags.Experiment, s.Id.Value), new(Tags.Cycle, s.Cycle), new(Tags.NodeAddress, _node), new(Tags.NodeRole, "coordinator"),
            });
        }
        return started;
    }

    /// <summary>The span of the phase the experiment's cycle is in (the parent of spans other nodes make for it).</summary>
    public Activity? Phase(ExperimentId id) => _open.TryGetValue(id, out var open) ? open.Phase : null;

    /// <summary>The experiment stopped with an error: both spans end failed, and a resubmission starts a new, linked trace.</summary>
    public void Failed(ExperimentId id, string reason)
    {
        if (!_open.Remove(id, out var open)) return;
        open.Phase.Fail(reason);
        open.Root.Fail(reason);
        End(open, null);
    }

    /// <summary>The coordinator stops (fail-over, shutdown): open spans end now, marked, so they are exported rather than lost.</summary>
    public void StopAll(string reason)
    {
        foreach (var open in _open.Values)
        {
            open.Phase?.SetStatus(ActivityStatusCode.Error, reason);
            open.Root.SetStatus(ActivityStatusCode.Error, reason);
            End(open, null);
        }
        _open.Clear();
    }

    static void End(Open open, ExperimentState? completed)
    {
        if (completed?.History.FirstOrDefault(h => h.Cycle == open.Cycle) is { } record)
        {
            double miou = record.Evaluation.MeanIoU();
            open.Root.SetTag(Tags.MeanIoU, miou);
            open.Root.SetTag(Tags.LabeledPixelShare, record.Evaluation.LabeledPixelShare);
            open.Root.SetTag(Tags.Regions, record.Acquired.Length);
            open.Root.SetTag(Tags.Attempts, record.Attempts);
            // The whole history, also of attempts whose own trace was cut off by a restart.
            foreach (var failure in record.Failures)
                open.Root.Event("training attempt failed", (Tags.Attempt, failure.Attempt), ("error.message", failure.Reason));
            var experiment = S4alMetrics.Experiment(completed.Id);
            S4alMetrics.MeanIoU.Record(miou, experiment);
            S4alMetrics.LabeledPixelShare.Record(record.Evaluation.LabeledPixelShare, experiment);
            S4alMetrics.CycleDuration.Record(Stopwatch.GetElapsedTime(open.Started).TotalSeconds, experiment);
        }
        open.Phase?.Stop();
        open.Root.Stop();
    }

    static string PhaseName(CyclePhase phase) => phase switch
    {
        CyclePhase.Training => "training",
        CyclePhase.Scoring => "scoring",
        CyclePhase.Acquiring => "acquisition",
        CyclePhase.Annotating => "annotation",
        _ => phase.ToString().ToLowerInvariant(),
    };
}
