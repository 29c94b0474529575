using S4AL.Domain.Experiments;
using S4AL.Domain.Metrics;
using S4AL.Domain;
using S4AL.Learning.Evaluation;
using S4AL.Learning.Data.Regions;

namespace S4AL.Learning.ActiveLearning;

/// <summary>What a running experiment reports; a UI renders these (live display or plain lines).</summary>
public abstract record ActiveLearningProgress
{
    public sealed record CycleStarted(int Cycle, int Cycles, int Epochs, LabeledRegionSet Labeled, double LabeledPixelShare) : ActiveLearningProgress;
    public sealed record StepCompleted(int Cycle, int Epoch, int Step, int StepsPerEpoch, float Loss) : ActiveLearningProgress;
    public sealed record EpochCompleted(int Cycle, int Epoch, int Epochs, double LearningRate, LossSummary Losses, double Seconds) : ActiveLearningProgress;
    public sealed record Evaluated(int Cycle, SegmentationMetrics Result) : ActiveLearningProgress;
    public sealed record Scoring(int Cycle, int ImagesScored, int Images) : ActiveLearningProgress;
    /// <summary>Distributed scoring: <paramref name="ShardsDone"/> of <paramref name="Shards"/> pool shards have returned their candidates.</summary>
    public sealed record ShardsScored(int Cycle, int ShardsDone, int Shards) : ActiveLearningProgress;
    /// <summary>A resumed run: where it picks up after a crash or a stop.</summary>
    public sealed record Resumed(int Cycle, string Phase, string Detail) : ActiveLearningProgress;
    public sealed record Acquired(int Cycle, IReadOnlyList<RegionId> Regions, LabeledRegionSet Labeled, double LabeledPixelShare) : ActiveLearningProgress;
    public sealed record CycleCompleted(CycleResult Result) : ActiveLearningProgress;
    /// <summary>People label the cycle's queried regions: <paramref name="Labeled"/> of <paramref name="Queried"/> have a label.</summary>
    public sealed record Annotating(int Cycle, int Labeled, int Queried, string RunDirectory) : ActiveLearningProgress;
}

/// <summary>Mean losses over an epoch.</summary>
public sealed record LossSummary(double Total, double Supervised, double Unsupervised, double Replay);

/// <summary>A training attempt that ended without a trained network, and why (the actor runtime retries from the last checkpoint).</summary>
public sealed record FailedTrainingAttempt(int Attempt, string Reason);

/// <summary>
/// The outcome of one cycle: trained on <see cref="LabeledPixelShare"/> of the pool, evaluated, then
/// acquired <see cref="Acquired"/> (none after the last). <see cref="Attempts"/> counts the training
/// attempts it took; <see cref="FailedAttempts"/> says why the others ended. <see cref="Steps"/>:
/// the iterations (optimizer steps) of the evaluated network's training round, null where unknown.
/// <see cref="Curve"/>: the evaluations made while a round trained to convergence (the evaluated
/// network is the best of them); null for a fixed schedule.
/// </summary>
public sealed record CycleResult(
    int Cycle,
    double LabeledPixelShare,
    int LabeledRegions,
    SegmentationMetrics Evaluation,
    IReadOnlyList<RegionId> Acquired,
    double TrainSeconds,
    double ScoreSeconds,
    int Attempts = 1,
    IReadOnlyList<FailedTrainingAttempt>? FailedAttempts = null,
    AnnotationFigures? Annotation = null,
    long? Steps = null,
    IReadOnlyList<TrainingCurvePoint>? Curve = null)
{
    public IReadOnlyList<FailedTrainingAttempt> Failures => FailedAttempts ?? [];
}
