using MessagePack;
using S4AL.Domain.Experiments;

namespace S4AL.Domain.Protocols;

/// <summary>Messages to and from a trainer (role <c>trainer</c>).</summary>
public static class TrainerProtocol
{
    /// <summary>
    /// Train <paramref name="Cycle"/> on <paramref name="Labeled"/>, from scratch or from
    /// <paramref name="ResumeFrom"/> (a checkpoint of the same cycle). The trainer reports
    /// checkpoints and the final model to the sender (the coordinator).
    /// </summary>
    [MessagePackObject]
    public sealed record TrainCycle(
        [property: Key(0)] ExperimentPlan Plan,
        [property: Key(1)] int Cycle,
        [property: Key(2)] int Attempt,
        [property: Key(3)] LabeledRegionBits Labeled,
        [property: Key(4)] CheckpointRef? ResumeFrom,
        [property: Key(5)] string? TraceParent) : IS4alMessage;

    /// <summary>Refusal of a <see cref="TrainCycle"/>: the trainer is busy with another experiment.</summary>
    [MessagePackObject]
    public sealed record TrainerBusy([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle, [property: Key(2)] ExperimentId BusyWith) : IS4alMessage;

    [MessagePackObject]
    public sealed record StepProgress(
        [property: Key(0)] ExperimentId Experiment,
        [property: Key(1)] int Cycle,
        [property: Key(2)] int Epoch,
        [property: Key(3)] int Step,
        [property: Key(4)] int StepsPerEpoch,
        [property: Key(5)] float Loss) : IS4alMessage;

    [MessagePackObject]
    public sealed record EpochProgress(
        [property: Key(0)] ExperimentId Experiment,
        [property: Key(1)] int Cycle,
        [property: Key(2)] int Epoch,
        [property: Key(3)] int Epochs,
        [property: Key(4)] double LearningRate,
        [property: Key(5)] double Loss,
        [property: Key(6)] double SupervisedLoss,
        [property: Key(7)] double UnsupervisedLoss,
        [property: Key(8)] double ReplayLoss,
        [property: Key(9)] double Seconds) : IS4alMessage;

    [MessagePackObject]
    public sealed record GetTrainerStatus : IS4alMessage;

    [MessagePackObject]
    public sealed record TrainerStatus(
        [property: Key(0)] string State,
        [property: Key(1)] ExperimentId? Experiment,
        [property: Key(2)] int Cycle,
        [property: Key(3)] int Epoch,
        [property: Key(4)] long Step,
        [property: Key(5)] string Device) : IS4alMessage;

    /// <summary>Stop training the cycle at the next chunk boundary (nothing is reported for it afterwards).</summary>
    [MessagePackObject]
    public sealed record CancelTraining([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle) : IS4alMessage;

    [MessagePackObject]
    public sealed record TrainingCancelled([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle) : IS4alMessage;

    /// <summary>Hold training after the current chunk until <see cref="ResumeTraining"/>.</summary>
    [MessagePackObject]
    public sealed record PauseTraining : IS4alMessage;

    [MessagePackObject]
    public sealed record ResumeTraining : IS4alMessage;
}
