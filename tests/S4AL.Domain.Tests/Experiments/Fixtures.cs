using System.Text;
using S4AL.Domain.Acquisition;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Experiments.ExperimentEvents;

namespace S4AL.Domain.Tests.Experiments;

static class Fixtures
{
    public const string Definition = """{"dataset":"synthetic","budget":3}""";

    /// <summary>
    /// 10 images of 4 regions, images 1 and 4 fully labeled, so the shards of 3 are
    /// [0,2,3] [5,6,7] [8,9]; regions 0:0 and 2:3 are labeled from the start.
    /// </summary>
    public static ExperimentPlan Plan(
        string id = "exp-1", int pool = 10, int regions = 4, int lastCycle = 2, int shardSize = 3,
        int[]? fully = null, RegionId[]? initial = null, string? runDirectory = null, string definition = Definition, SelectionBudget? budget = null,
        AnnotatorMode annotator = AnnotatorMode.Oracle) =>
        new(ExperimentId.Parse(id), runDirectory ?? $"/runs/{id}", definition, pool, regions, lastCycle, shardSize,
            fully ?? [1, 4], initial ?? [new(0, 0), new(2, 3)], budget ?? SelectionBudget.Global(3), annotator);

    public static CheckpointRef Checkpoint(int cycle, long step, int epochs = 1) =>
        new($"/runs/exp-1/checkpoints/cycle-{cycle}-step-{step}.pt", Convert.ToHexString(BitConverter.GetBytes(step * 31 + cycle)).PadLeft(64, '0'), cycle, epochs, step);

    public static CycleEvaluation Evaluation(int cycle) => new(2, [40 + cycle, 5, 3, 52 + cycle], 0.05 * (cycle + 1), 12.5 + cycle);

    public static RegionCandidate Candidate(int image, int region, double score = 0.5) => new(image, region, score);

    /// <summary>Every part of an experiment's state as text, so two states compare field by field (records holding arrays are not Equal by value).</summary>
    public static string Describe(ExperimentState s)
    {
        var b = new StringBuilder();
        var p = s.Plan;
        b.AppendLine($"plan {p.Id} {p.RunDirectory} {p.Definition} {p.PoolImages} {p.RegionsPerImage} {p.LastCycle} {p.ShardSize} [{string.Join(",", p.InitialFullyLabeled)}] [{string.Join(",", p.InitialRegions)}] {p.Budget} {p.Annotator} from {p.LabeledSetFrom}");
        b.AppendLine($"cycle {s.Cycle} attempt {s.Attempt} phase {s.Phase} trace {s.CycleTraceParent}");
        b.AppendLine($"failed attempts [{string.Join(",", s.FailedAttempts)}]");
        b.AppendLine($"acquired [{string.Join(",", s.Acquired)}]");
        b.AppendLine($"last checkpoint {s.LastCheckpoint}");
        b.AppendLine($"model {s.Model}");
        b.AppendLine($"evaluation {Describe(s.Evaluation)}");
        foreach (var (key, shard) in s.ScoredShards)
            b.AppendLine($"shard {key}: {shard.Experiment} cycle {shard.Cycle} shard {shard.Shard} [{string.Join(",", shard.Candidates)}] {shard.Seconds}");
        b.AppendLine($"cycle acquisition [{string.Join(",", s.CycleAcquisition)}]");
        b.AppendLine($"cycle labels [{string.Join(",", s.CycleLabels.Select(l => $"{l.Key}={l.Value}"))}] closed {s.AnnotationClosed} awaits {s.AwaitsLabels} initial {s.IsInitialRound} {s.InitialAnnotation}");
        foreach (var h in s.History)
            b.AppendLine($"history {h.Cycle} {Describe(h.Evaluation)} {h.Model} [{string.Join(",", h.Acquired)}] {h.ScoreSeconds} {h.Attempts} [{string.Join(",", h.Failures)}] {h.Annotation}");
        return b.ToString();
    }

    static string Describe(CycleEvaluation? e) =>
        e is null ? "none" : $"{e.NumClasses} [{string.Join(",", e.Confusion)}] {e.LabeledPixelShare} {e.TrainSeconds}";

    /// <summary>The properties <see cref="Describe(ExperimentState)"/> covers; a test fails when the state gains one it does not.</summary>
    public static readonly string[] DescribedProperties =
        ["Plan", "Cycle", "Attempt", "FailedAttempts", "Phase", "Acquired", "LastCheckpoint", "Model", "Evaluation", "ScoredShards", "CycleAcquisition", "History", "CycleTraceParent", "CycleTraceId", "Id", "IsDone", "FullyLabeled",
         "CycleLabels", "AnnotationClosed", "AwaitsLabels", "IsInitialRound", "InitialAnnotation"];
}

/// <summary>
/// Drives one experiment the way the coordinator does: decide, then persist (here: record)
/// and apply the events, so a test can replay the journal from scratch afterwards.
/// </summary>
sealed class Journal
{
    public ExperimentState State { get; private set; }
    public List<IExperimentEvent> Events { get; } = [];

    public Journal(ExperimentPlan plan)
    {
        var submitted = ExperimentDecisions.Submit(null, plan);
        Assert.Null(submitted.Refusal);
        var e = Assert.IsType<Submitted>(Assert.Single(submitted.Events));
        Events.Add(e);
        State = ExperimentState.Submit(e.Plan);
    }

    /// <summary>
    /// Persists an accepted decision that must produce exactly one event, or the two of a new
    /// attempt that records why the previous one ended.
    /// </summary>
    public ExperimentState Do(Func<ExperimentState, Decision> decide)
    {
        var decision = decide(State);
        Assert.Null(decision.Refusal);
        Assert.True(decision.Events.Length == 1 || decision.Events is [TrainingAttemptFailed, CycleStarted], string.Join(", ", decision.Events));
        return Persist(decision);
    }

    public ExperimentState Persist(Decision decision)
    {
        foreach (var e in decision.Events)
        {
            State = State.Apply(e);
            Events.Add(e);
        }
        return State;
    }

    public static ExperimentState Replay(IEnumerable<IExperimentEvent> events)
    {
        ExperimentState? state = null;
        foreach (var e in events)
            state = e is Submitted s ? ExperimentState.Submit(s.Plan) : state!.Apply(e);
        return state!;
    }

    /// <summary>Takes the current cycle from Training to Annotating with a valid result for every shard and the given acquisition.</summary>
    public void TrainScoreAcquire(RegionId[] acquisition, double secondsPerShard = 1.5)
    {
        int cycle = State.Cycle;
        Do(s => ExperimentDecisions.StartAttempt(s));
        Do(s => ExperimentDecisions.Checkpoint(s, Fixtures.Checkpoint(cycle, 100)));
        Do(s => ExperimentDecisions.Trained(s, cycle, Fixtures.Checkpoint(cycle, 500, 5), Fixtures.Evaluation(cycle)));
        foreach (var shard in State.MissingShards())
        {
            var candidates = shard.Images
                .SelectMany(i => Enumerable.Range(0, State.Plan.RegionsPerImage).Select(r => new RegionId(i, r)))
                .Where(r => !State.Acquired.Contains(r))
                .Select(r => Fixtures.Candidate(r.Image, r.Region, r.Image + r.Region / 10.0))
                .ToArray();
            Do(s => ExperimentDecisions.ShardDone(s, cycle, shard.Index, candidates, secondsPerShard));
        }
        Do(s => ExperimentDecisions.Acquire(s, cycle, acquisition));
    }
}
