using System.Runtime.CompilerServices;
using System.Collections.Immutable;
using MessagePack;
using static S4AL.Domain.Experiments.ExperimentEvents;

namespace S4AL.Domain.Experiments;

/// <summary>A training attempt of a cycle that ended without a trained network, and why.</summary>
[MessagePackObject]
public sealed record FailedAttempt([property: Key(0)] int Attempt, [property: Key(1)] string Reason);

/// <summary>
/// A finished cycle: what its network scored on validation, what it acquired (with a human
/// annotator: the regions that got a label; <see cref="Annotation"/> holds the round's figures), and how many
/// training attempts it took (<see cref="FailedAttempts"/> says why the others ended; records
/// written before attempts were kept read as 0 attempts and none failed).
/// </summary>
[MessagePackObject]
public sealed record CycleRecord(
    [property: Key(0)] int Cycle,
    [property: Key(1)] CycleEvaluation Evaluation,
    [property: Key(2)] CheckpointRef Model,
    [property: Key(3)] RegionId[] Acquired,
    [property: Key(4)] double ScoreSeconds,
    [property: Key(5)] int Attempts = 0,
    [property: Key(6)] FailedAttempt[]? FailedAttempts = null,
    [property: Key(7)] AnnotationFigures? Annotation = null)
{
    [IgnoreMember] public IReadOnlyList<FailedAttempt> Failures => FailedAttempts ?? [];
}

/// <summary>A pool shard: the unlabeled images one scorer entity scores for a cycle.</summary>
public sealed record PoolShard(int Index, ImmutableArray<int> Images);

/// <summary>
/// One experiment as the journal defines it. Immutable; <see cref="Apply"/> is the only way
/// it changes, and the decision functions of <see cref="ExperimentDecisions"/> only return
/// events, so the coordinator persists before anything takes effect.
/// </summary>
public sealed record ExperimentState
{
    public required ExperimentPlan Plan { get; init; }
    public int Cycle { get; init; }
    /// <summary>How many times training of <see cref="Cycle"/> was started (1 + restarts after a crash).</summary>
    public int Attempt { get; init; }
    /// <summary>Attempts of the current cycle that ended without a trained network, with the reason.</summary>
    public ImmutableList<FailedAttempt> FailedAttempts { get; init; } = ImmutableList<FailedAttempt>.Empty;
    public CyclePhase Phase { get; init; }
    /// <summary>Every region acquired so far (all cycles), never acquired twice.</summary>
    public ImmutableSortedSet<RegionId> Acquired { get; init; } = ImmutableSortedSet<RegionId>.Empty;
    /// <summary>The newest checkpoint of the current cycle's training; a restarted trainer resumes from it.</summary>
    public CheckpointRef? LastCheckpoint { get; init; }
    /// <summary>The current cycle's trained network, once training ended.</summary>
    public CheckpointRef? Model { get; init; }
    public CycleEvaluation? Evaluation { get; init; }
    /// <summary>Persisted shard results of the current cycle.</summary>
    public ImmutableSortedDictionary<int, ShardScored> ScoredShards { get; init; } = ImmutableSortedDictionary<int, ShardScored>.Empty;
    /// <summary>The current cycle's acquisition, once decided.</summary>
    public ImmutableArray<RegionId> CycleAcquisition { get; init; } = ImmutableArray<RegionId>.Empty;
    /// <summary>The current round's labels (human annotator), by region; the label store holds their pixels.</summary>
    public ImmutableSortedDictionary<RegionId, RegionLabel> CycleLabels { get; init; } = ImmutableSortedDictionary<RegionId, RegionLabel>.Empty;
    /// <summary>Whether the current round was closed before every region had a label.</summary>
    public bool AnnotationClosed { get; init; }
    public ImmutableList<CycleRecord> History { get; init; } = ImmutableList<CycleRecord>.Empty;
    /// <summary>The W3C traceparent of the current cycle's latest trace, if tracing was on; a resumed cycle links to it.</summary>
    public string? CycleTraceParent { get; init; }
    /// <summary>The trace id (32 hex digits) of <see cref="CycleTraceParent"/>: what a user searches Jaeger for.</summary>
    public string? CycleTraceId => CycleTraceParent?.Split('-') is [_, { Length: 32 } id, _, _] ? id : null;

    public ExperimentId Id => Plan.Id;
    public bool IsDone => Phase == CyclePhase.Done;
    public ImmutableHashSet<int> FullyLabeled => Plan.InitialFullyLabeled.ToImmutableHashSet();

    /// <summary>The state right after submission: cycle 0 not yet started.</summary>
    /// <remarks>
    /// With people labeling, the initial labeled set has no labels yet: the experiment starts with
    /// an annotation round that queries the initial images in full and the initial regions, and
    /// cycle 0 trains once it is labeled (or closed).
    /// </remarks>
    public static ExperimentState Submit(ExperimentPlan plan)
    {
        var state = new ExperimentState
        {
            Plan = plan.Upgraded().Validate(), Cycle = 0, Attempt = 0, Phase = CyclePhase.Training, Acquired = plan.InitialRegions.ToImmutableSortedSet(),
        };
        if (state.Plan.LabeledSetFrom is not null) return state with { Phase = CyclePhase.Waiting };
        if (state.Plan.Annotator != AnnotatorMode.Human || state.Plan.InitialSetLabeled) return state;
        var initial = state.Plan.InitialFullyLabeled.SelectMany(i => Enumerable.Range(0, state.Plan.RegionsPerImage).Select(r => new RegionId(i, r)))
            .Concat(state.Plan.InitialRegions).Order().ToImmutableArray();
        return initial.IsEmpty ? state : state with { Phase = CyclePhase.Annotating, CycleAcquisition = initial };
    }

    /// <summary>The annotation round before cycle 0 (people label the initial set): no network is trained yet.</summary>
    public bool IsInitialRound => Phase == CyclePhase.Annotating && Cycle == 0 && Model is null;

    /// <summary>The figures of the round before cycle 0, once it ended (people labeling with an initial set).</summary>
    public AnnotationFigures? InitialAnnotation { get; init; }

    /// <summary>The labeled set the current cycle trains on (as sent to trainers).</summary>
    public LabeledRegionBits LabeledSet() =>
        LabeledRegionBits.From(Plan.PoolImages, Plan.RegionsPerImage, Plan.InitialFullyLabeled, Acquired);

    /// <summary>
    /// The pool shards of the current cycle: images that are not fully labeled, in index order,
    /// <see cref="ExperimentPlan.ShardSize"/> at a time. A function of the state only, so a
    /// restarted coordinator sends the same shards again.
    /// </summary>
    public ImmutableArray<PoolShard> Shards() =>
        ShardsOfPlan.GetValue(Plan, plan =>
        {
            var fully = plan.InitialFullyLabeled.ToHashSet();
            var images = Enumerable.Range(0, plan.PoolImages).Where(i => !fully.Contains(i)).ToArray();
            return new StrongBox<ImmutableArray<PoolShard>>(images.Chunk(plan.ShardSize).Select((chunk, i) => new PoolShard(i, chunk.ToImmutableArray())).ToImmutableArray());
        }).Value;

    // The shards are a function of the plan, asked for on every shard result, dispatch and status:
    // computed once per plan instance, since at 100,000 pool images each list is 400 kB of garbage.
    static readonly ConditionalWeakTable<ExperimentPlan, StrongBox<ImmutableArray<PoolShard>>> ShardsOfPlan = new();

    /// <summary>Shards of the current cycle without a persisted result.</summary>
    public ImmutableArray<PoolShard> MissingShards() =>
        Phase == CyclePhase.Scoring ? Shards().Where(s => !ScoredShards.ContainsKey(s.Index)).ToImmutableArray() : ImmutableArray<PoolShard>.Empty;

    /// <summary>Applies one journal event. Throws on an event that cannot follow this state: the journal is then corrupt.</summary>
    public ExperimentState Apply(IExperimentEvent e)
    {
        if (e.Experiment != Id) throw new InvalidOperationException($"event {e.GetType().Name} of experiment {e.Experiment} applied to experiment {Id}");
        return e switch
        {
            CycleStarted s when s.Cycle == Cycle && Phase == CyclePhase.Training =>
                this with { Attempt = s.Attempt },
            CycleStarted s when s.Cycle == Cycle + 1 && Phase == CyclePhase.Annotating && IsAnnotated => this with
            {
                Cycle = s.Cycle, Attempt = s.Attempt, Phase = CyclePhase.Training, LastCheckpoint = null, Model = null, Evaluation = null, CycleTraceParent = null,
                FailedAttempts = ImmutableList<FailedAttempt>.Empty,
                ScoredShards = ImmutableSortedDictionary<int, ShardScored>.Empty, CycleAcquisition = ImmutableArray<RegionId>.Empty,
                CycleLabels = ImmutableSortedDictionary<RegionId, RegionLabel>.Empty, AnnotationClosed = false,
            },
            LabeledSetInherited l when Phase == CyclePhase.Waiting && l.From == Plan.LabeledSetFrom => this with
            {
                Plan = Plan with { InitialFullyLabeled = l.FullyLabeled, InitialRegions = l.Regions },
                Acquired = l.Regions.ToImmutableSortedSet(),
                Phase = CyclePhase.Training,
            },
            CycleTraced t when t.Cycle == Cycle => this with { CycleTraceParent = t.TraceParent },
            TrainingAttemptFailed f when f.Cycle == Cycle && Phase == CyclePhase.Training && f.Attempt == Attempt && !AttemptFailed(f.Attempt) =>
                this with { FailedAttempts = FailedAttempts.Add(new FailedAttempt(f.Attempt, f.Reason)) },
            CheckpointSaved c when c.Checkpoint.Cycle == Cycle && Phase == CyclePhase.Training =>
                this with { LastCheckpoint = c.Checkpoint },
            CycleTrained t when t.Cycle == Cycle && Phase == CyclePhase.Training => Trained(t),
            ShardScored s when s.Cycle == Cycle && Phase == CyclePhase.Scoring => Scored(s),
            RegionsAcquired a when a.Cycle == Cycle && Phase == CyclePhase.Acquiring => this with
            {
                Phase = CyclePhase.Annotating,
                CycleAcquisition = a.Regions.ToImmutableArray(),
                Acquired = Acquired.Union(a.Regions),
            },
            RegionLabeled l when l.Cycle == Cycle && AwaitsLabels && CycleAcquisition.Contains(l.Region) => this with
            {
                CycleLabels = CycleLabels.SetItem(l.Region, CycleLabels.TryGetValue(l.Region, out var earlier) ? l.Label with { Corrections = earlier.Corrections + 1 } : l.Label),
            },
            AnnotationClosed c when c.Cycle == Cycle && AwaitsLabels => this with
            {
                AnnotationClosed = true,
                Acquired = Acquired.Except(CycleAcquisition.Where(r => !CycleLabels.ContainsKey(r))),
            },
            RegionsAnnotated a when a.Cycle == Cycle && IsInitialRound && !AwaitsLabels => this with
            {
                Phase = CyclePhase.Training,
                InitialAnnotation = AnnotationFigures.Of(CycleAcquisition.Length, CycleLabels.Values.ToList()),
                CycleAcquisition = ImmutableArray<RegionId>.Empty, CycleLabels = ImmutableSortedDictionary<RegionId, RegionLabel>.Empty, AnnotationClosed = false,
            },
            RegionsAnnotated a when a.Cycle == Cycle && Phase == CyclePhase.Annotating && !IsAnnotated && !AwaitsLabels => this with
            {
                History = History.Add(Plan.Annotator == AnnotatorMode.Human
                    ? new CycleRecord(Cycle, Evaluation!, Model!, CycleAcquisition.Where(CycleLabels.ContainsKey).ToArray(), ScoredShards.Values.Sum(s => s.Seconds),
                        Attempt, FailedAttempts.ToArray(), AnnotationFigures.Of(CycleAcquisition.Length, CycleLabels.Values.ToList()))
                    : new CycleRecord(Cycle, Evaluation!, Model!, CycleAcquisition.ToArray(), ScoredShards.Values.Sum(s => s.Seconds), Attempt, FailedAttempts.ToArray())),
            },
            _ => throw new InvalidOperationException($"event {e.GetType().Name} cannot follow experiment {Id} in cycle {Cycle}, phase {Phase}"),
        };
    }

    /// <summary>Whether attempt <paramref name="attempt"/> of the current cycle is recorded as failed.</summary>
    public bool AttemptFailed(int attempt) => FailedAttempts.Any(f => f.Attempt == attempt);

    // Without it a journal could skip a cycle's record or hold it twice, and replay would not notice.
    bool IsAnnotated => History.Any(h => h.Cycle == Cycle);

    /// <summary>
    /// Whether the current round waits for people's labels: a human annotator, regions queried and
    /// not all labeled, the round not closed. Labels and closing are accepted only then.
    /// </summary>
    public bool AwaitsLabels =>
        Plan.Annotator == AnnotatorMode.Human && Phase == CyclePhase.Annotating && !IsAnnotated && !AnnotationClosed &&
        CycleAcquisition.Any(r => !CycleLabels.ContainsKey(r));

    ExperimentState Trained(CycleTrained t)
    {
        var trained = this with { Model = t.Model, Evaluation = t.Evaluation, LastCheckpoint = t.Model };
        if (t.Cycle == Plan.LastCycle)
            return trained with
            {
                Phase = CyclePhase.Done,
                History = History.Add(new CycleRecord(Cycle, t.Evaluation, t.Model, [], 0, Attempt, FailedAttempts.ToArray())),
            };
        // A pool with nothing left to score goes straight to an (empty) acquisition.
        return trained with { Phase = trained.Shards().IsEmpty ? CyclePhase.Acquiring : CyclePhase.Scoring };
    }

    ExperimentState Scored(ShardScored s)
    {
        var shards = ScoredShards.SetItem(s.Shard, s);
        var next = this with { ScoredShards = shards };
        return next.Shards().All(x => shards.ContainsKey(x.Index)) ? next with { Phase = CyclePhase.Acquiring } : next;
    }
}
