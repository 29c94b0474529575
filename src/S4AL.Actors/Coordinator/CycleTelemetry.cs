using System.Diagnostics;
using S4AL.Actors.Telemetry;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using static S4AL.Actors.Telemetry.S4alTelemetry;

namespace S4AL.Actors.Coordinator;

/// <summary>
/// What the coordinator tells observers about cycles: its log lines, and its open spans: per
/// experiment, the current cycle's root span ("cycle") and the span of the phase it is in
/// ("training", "scoring", "acquisition", "annotation"). The coordinator calls <see cref="Sync"/>
/// whenever an experiment's state may have moved on; the spans follow the journal's state, so a
/// recovered coordinator opens them again (as a new trace linked to the one that was cut off)
/// without any state of its own. A log line written for an experiment carries its phase span's trace id.
/// </summary>
sealed class CycleTelemetry
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
    readonly ActorLogger _log;

    public CycleTelemetry(string node, ActorLogger log) => (_node, _log) = (node, log);

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

    public void Recovered(ExperimentState s) =>
        _log.Info(null, "recovered experiment {0}: cycle {1}, phase {2}, {3} cycles done", s.Id, s.Cycle, s.Phase, s.History.Count);

    public void Submitted(ExperimentId id, bool known) =>
        _log.Info(null, known ? "experiment {0} submitted again: resuming" : "experiment {0} submitted", id);

    public void TrainerRegistered(string node, string device) => _log.Info(null, "trainer {0} ({1}) registered", node, device);

    public void NodeRefused(string node, string reason) => _log.Warning(null, "refused node {0}: {1}", node, reason);

    /// <summary>A persisted event that marks a milestone: logged once the journal has it (from then on a crash keeps it).</summary>
    public void Persisted(IExperimentEvent e)
    {
        var span = Phase(e.Experiment);
        switch (e)
        {
            case ExperimentEvents.CheckpointSaved c: _log.Info(span, "experiment {0} cycle {1}: checkpoint after epoch {2} recorded", c.Experiment, c.Checkpoint.Cycle, c.Checkpoint.EpochsDone); break;
            case ExperimentEvents.ShardScored s: _log.Info(span, "experiment {0} cycle {1}: shard {2} recorded", s.Experiment, s.Cycle, s.Shard); break;
            case ExperimentEvents.CycleTrained t: _log.Info(span, "experiment {0} cycle {1}: trained, validation mIoU {2}", t.Experiment, t.Cycle, t.Evaluation.Measured ? t.Evaluation.MeanIoU().ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture) : "not measured"); break;
            case ExperimentEvents.RegionsAcquired a: _log.Info(span, "experiment {0} cycle {1}: acquired {2} regions", a.Experiment, a.Cycle, a.Regions.Length); break;
        }
    }

    /// <summary>The training span records the attempt sent to <paramref name="node"/>; returns the traceparent for the order.</summary>
    public string? SentToTrainer(ExperimentState now, string node)
    {
        var training = Phase(now.Id);
        training?.SetTag(Tags.Attempt, now.Attempt);
        training.Event("sent to trainer", ("s4al.trainer", node), (Tags.Attempt, now.Attempt), (Tags.ResumedFrom, now.LastCheckpoint?.Sha256));
        _log.Info(training, "experiment {0} cycle {1} attempt {2}: training on {3}{4}", now.Id, now.Cycle, now.Attempt, node,
            now.LastCheckpoint is { } c ? $" from checkpoint of epoch {c.EpochsDone}" : "");
        return TraceParentOf(training);
    }

    public void Trained(ExperimentId id, CycleEvaluation evaluation, CheckpointRef model)
    {
        if (evaluation.Measured) Phase(id)?.SetTag(Tags.MeanIoU, evaluation.MeanIoU());
        Phase(id)?.SetTag(Tags.Checkpoint, model.Sha256);
    }

    public void AttemptFailed(ExperimentId id, int cycle, int attempt, string error, int failures, int maxFailures)
    {
        Phase(id).Event("training attempt failed", ("error.message", error), (Tags.Attempt, attempt));
        if (failures < maxFailures)
            _log.Warning(Phase(id), "experiment {0} cycle {1} attempt {2}: training failed ({3}); trying again from the last checkpoint ({4} of {5} attempts failed)",
                id, cycle, attempt, error, failures, maxFailures);
    }

    public void TrainerGone(string node, ExperimentId? training)
    {
        _log.Warning(training is { } id ? Phase(id) : null, "trainer {0} is gone", node);
        if (training is { } lost) Phase(lost).Event("trainer lost", ("s4al.trainer", node));
    }

    /// <summary>The scoring span records the number of shards; returns the traceparent for the orders.</summary>
    public string? Scoring(ExperimentState s)
    {
        var scoring = Phase(s.Id);
        scoring?.SetTag(Tags.Shards, s.Shards().Length);
        return TraceParentOf(scoring);
    }

    public void ShardResent(ExperimentId id, int cycle, int shard, TimeSpan waited)
    {
        Phase(id).Event("shard re-sent", (Tags.Shard, shard));
        _log.Warning(Phase(id), "experiment {0} cycle {1}: shard {2} unanswered after {3:0}s; sending it again", id, cycle, shard, waited.TotalSeconds);
    }

    public void NodeLeft(string address, int ordersInFlight, TimeSpan resendAfter) =>
        _log.Warning(null, "node {0} left the cluster; sending {1} unanswered shard orders again in {2:0}s", address, ordersInFlight, resendAfter.TotalSeconds);

    /// <summary>Tags the acquisition and annotation spans with what the coordinator decided on its own.</summary>
    public void Progress(ExperimentState s, Decision progress)
    {
        foreach (var e in progress.Events)
        {
            if (e is ExperimentEvents.RegionsAcquired a)
            {
                var acquiring = Phase(s.Id);
                acquiring?.SetTag(Tags.Shards, s.ScoredShards.Count);
                acquiring?.SetTag(Tags.Candidates, s.ScoredShards.Values.Sum(r => r.Candidates.Length));
                acquiring?.SetTag(Tags.Budget, s.Plan.Budget?.ToString());
                acquiring?.SetTag(Tags.Regions, a.Regions.Length);
            }
            else if (e is ExperimentEvents.RegionsAnnotated)
            {
                var annotating = Phase(s.Id);
                annotating?.SetTag(Tags.Regions, s.CycleAcquisition.Length);
                if (s.Plan.Annotator != AnnotatorMode.Human)
                {
                    // Oracle mode: the dataset's ground truth is the annotation, revealed at once.
                    annotating?.SetTag(Tags.Annotator, "oracle");
                    continue;
                }
                // People: who labeled how many regions in how many seconds (the journal's labels of the round; the latest label of a region counts).
                var by = s.CycleLabels.Values.GroupBy(l => l.Annotator).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
                annotating?.SetTag(Tags.Annotator, "human");
                annotating?.SetTag(Tags.RegionsLabeled, s.CycleLabels.Count);
                annotating?.SetTag(Tags.Annotators, by.Select(g => g.Key).ToArray());
                annotating?.SetTag(Tags.AnnotatorRegions, by.Select(g => g.Count()).ToArray());
                annotating?.SetTag(Tags.AnnotatorSeconds, by.Select(g => g.Sum(l => l.Seconds ?? 0)).ToArray());
            }
        }
    }

    /// <summary>The experiment stopped with an error: both spans end failed, and a resubmission starts a new, linked trace.</summary>
    public void Failed(ExperimentId id, int cycle, string reason)
    {
        _log.Error(Phase(id), null, "experiment {0} cycle {1} stopped: {2}", id, cycle, reason);
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
            double? miou = record.Evaluation.Measured ? record.Evaluation.MeanIoU() : null;
            if (miou is not null) open.Root.SetTag(Tags.MeanIoU, miou);
            open.Root.SetTag(Tags.LabeledPixelShare, record.Evaluation.LabeledPixelShare);
            open.Root.SetTag(Tags.Regions, record.Acquired.Length);
            open.Root.SetTag(Tags.Attempts, record.Attempts);
            // The whole history, also of attempts whose own trace was cut off by a restart.
            foreach (var failure in record.Failures)
                open.Root.Event("training attempt failed", (Tags.Attempt, failure.Attempt), ("error.message", failure.Reason));
            var experiment = S4alMetrics.Experiment(completed.Id);
            if (miou is { } measured) S4alMetrics.MeanIoU.Record(measured, experiment);
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
