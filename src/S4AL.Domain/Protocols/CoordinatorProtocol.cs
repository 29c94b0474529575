using MessagePack;
using S4AL.Domain.Experiments;

namespace S4AL.Domain.Protocols;

/// <summary>
/// Messages to and from the coordinator (a cluster singleton). Every command names its
/// experiment and cycle (and shard), so it is idempotent; replies come only after the
/// resulting events are persisted.
/// </summary>
public static class CoordinatorProtocol
{
    /// <summary>Start an experiment, or continue it when the same plan is already in the journal.</summary>
    [MessagePackObject]
    public sealed record SubmitExperiment([property: Key(0)] ExperimentPlan Plan) : IS4alMessage;

    [MessagePackObject]
    public sealed record SubmitAccepted([property: Key(0)] ExperimentId Experiment, [property: Key(1)] bool AlreadyKnown, [property: Key(2)] ExperimentStatus Status) : IS4alMessage;

    [MessagePackObject]
    public sealed record SubmitRefused([property: Key(0)] ExperimentId Experiment, [property: Key(1)] string Reason) : IS4alMessage;

    [MessagePackObject]
    public sealed record GetStatus([property: Key(0)] ExperimentId Experiment) : IS4alMessage;

    /// <summary>The ids of every experiment the coordinator knows.</summary>
    [MessagePackObject]
    public sealed record ListExperiments : IS4alMessage;

    [MessagePackObject]
    public sealed record ExperimentList([property: Key(0)] ExperimentStatus[] Experiments) : IS4alMessage;

    /// <summary>Where an experiment stands; <see cref="Found"/> is false for an unknown id.</summary>
    [MessagePackObject]
    public sealed record ExperimentStatus(
        [property: Key(0)] ExperimentId Experiment,
        [property: Key(1)] bool Found,
        [property: Key(2)] CyclePhase Phase,
        [property: Key(3)] int Cycle,
        [property: Key(4)] int LastCycle,
        [property: Key(5)] int Attempt,
        [property: Key(6)] int ShardsScored,
        [property: Key(7)] int Shards,
        [property: Key(8)] CheckpointRef? LastCheckpoint,
        [property: Key(9)] CycleRecord[] Completed,
        [property: Key(10)] string RunDirectory,
        [property: Key(11)] string? Trainer,
        [property: Key(12)] string? TraceId,
        [property: Key(13)] FailedAttempt[]? FailedAttempts = null,
        [property: Key(14)] AnnotatorMode Annotator = AnnotatorMode.Oracle,
        [property: Key(15)] int RegionsQueried = 0,
        [property: Key(16)] int RegionsLabeled = 0,
        [property: Key(17)] ExperimentId? WaitingFor = null,
        [property: Key(18)] string? Error = null) : IS4alMessage
    {
        /// <summary>Attempts of the current cycle that failed, with the reason.</summary>
        [IgnoreMember] public IReadOnlyList<FailedAttempt> Failures => FailedAttempts ?? [];

        public static ExperimentStatus Unknown(ExperimentId id) => new(id, false, CyclePhase.Training, 0, 0, 0, 0, 0, null, [], "", null, null);

        /// <summary>The status of a known experiment; <paramref name="trainer"/> names the node training it, if any.</summary>
        public static ExperimentStatus Of(ExperimentState s, string? trainer)
        {
            int shards = s.Phase is CyclePhase.Scoring or CyclePhase.Acquiring ? s.Shards().Length : 0;
            return new ExperimentStatus(s.Id, true, s.Phase, s.Cycle, s.Plan.LastCycle, s.Attempt, s.ScoredShards.Count, shards,
                s.LastCheckpoint, s.History.ToArray(), s.Plan.RunDirectory, trainer, s.CycleTraceId, s.FailedAttempts.ToArray(),
                s.Plan.Annotator, s.Phase == CyclePhase.Annotating ? s.CycleAcquisition.Length : 0, s.Phase == CyclePhase.Annotating ? s.CycleLabels.Count : 0,
                s.Phase == CyclePhase.Waiting ? s.Plan.LabeledSetFrom : null);
        }
    }

    /// <summary>
    /// A person's label of one queried region, already written to the run folder's label store
    /// (its SHA-256 in <paramref name="Label"/>). Answered with <see cref="LabelAccepted"/> once
    /// the journal holds it, or <see cref="AnnotationRefused"/>.
    /// </summary>
    [MessagePackObject]
    public sealed record SubmitLabel([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle, [property: Key(2)] RegionId Region, [property: Key(3)] RegionLabel Label) : IS4alMessage;

    /// <summary>The label is in the journal (<paramref name="Changed"/> false: the same label was there already).</summary>
    [MessagePackObject]
    public sealed record LabelAccepted(
        [property: Key(0)] ExperimentId Experiment,
        [property: Key(1)] RegionId Region,
        [property: Key(2)] bool Changed,
        [property: Key(3)] int RegionsLabeled,
        [property: Key(4)] int RegionsQueried) : IS4alMessage;

    /// <summary>Ends the current annotation round before every region has a label; answered with the experiment's status or <see cref="AnnotationRefused"/>.</summary>
    [MessagePackObject]
    public sealed record CloseAnnotation([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle) : IS4alMessage;

    /// <summary>A label or a close that the experiment's state does not allow, and why.</summary>
    [MessagePackObject]
    public sealed record AnnotationRefused([property: Key(0)] ExperimentId Experiment, [property: Key(1)] string Reason) : IS4alMessage;

    /// <summary>
    /// Sends the sender every event of the experiment from now on (persisted events and, unless
    /// <paramref name="EventsOnly"/>, training progress: a message per step), starting with its current
    /// state (<see cref="Subscribed"/>). Not persisted: a subscriber re-subscribes after a coordinator fail-over.
    /// </summary>
    /// <param name="EventsOnly">
    /// For subscribers that keep files, not a display (reporters): a message per training step would
    /// cross the network to be dropped. False when absent (older senders), so nobody loses progress.
    /// </param>
    [MessagePackObject]
    public sealed record Subscribe([property: Key(0)] ExperimentId Experiment, [property: Key(1)] bool EventsOnly = false) : IS4alMessage;

    /// <summary>
    /// The answer to <see cref="Subscribe"/>: the experiment's whole state (null if unknown), after
    /// which the subscriber receives every event in journal order and can keep a mirror of it.
    /// </summary>
    [MessagePackObject]
    public sealed record Subscribed([property: Key(0)] ExperimentId Experiment, [property: Key(1)] ExperimentSnapshot? State) : IS4alMessage;

    /// <summary>
    /// A trainer offers itself; sent periodically so a new coordinator (after fail-over) learns it
    /// too, with the experiment it is still training (<paramref name="Training"/>), so that one is
    /// never given to a second trainer.
    /// </summary>
    [MessagePackObject]
    public sealed record RegisterTrainer([property: Key(0)] string Node, [property: Key(1)] string Device, [property: Key(2)] ExperimentId? Training = null) : IS4alMessage;

    [MessagePackObject]
    public sealed record TrainerRegistered : IS4alMessage;

    /// <summary>
    /// Sent by every node that joins: its wire protocol version (s4al.protocol-version) and the id
    /// of the serializer it binds to <see cref="IS4alMessage"/>. A node the coordinator cannot talk
    /// to safely is refused and leaves the cluster, which stays healthy.
    /// </summary>
    [MessagePackObject]
    public sealed record Handshake([property: Key(0)] string Node, [property: Key(1)] int ProtocolVersion, [property: Key(2)] int SerializerId) : IS4alMessage;

    [MessagePackObject]
    public sealed record HandshakeAccepted : IS4alMessage;

    [MessagePackObject]
    public sealed record HandshakeRefused([property: Key(0)] string Reason) : IS4alMessage;

    [MessagePackObject]
    public sealed record ReportCheckpoint([property: Key(0)] ExperimentId Experiment, [property: Key(1)] CheckpointRef Checkpoint) : IS4alMessage;

    [MessagePackObject]
    public sealed record CheckpointAccepted([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle, [property: Key(2)] long Step) : IS4alMessage;

    [MessagePackObject]
    public sealed record ReportTrained(
        [property: Key(0)] ExperimentId Experiment,
        [property: Key(1)] int Cycle,
        [property: Key(2)] CheckpointRef Model,
        [property: Key(3)] CycleEvaluation Evaluation) : IS4alMessage;

    [MessagePackObject]
    public sealed record TrainedAccepted([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle) : IS4alMessage;

    /// <summary>
    /// Training attempt <paramref name="Attempt"/> failed on the trainer (0: the current one, from a node
    /// of an older version); the coordinator records it, then retries from the last checkpoint or stops the experiment.
    /// </summary>
    [MessagePackObject]
    public sealed record ReportTrainingFailed([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle, [property: Key(2)] string Error, [property: Key(3)] int Attempt = 0) : IS4alMessage;

    [MessagePackObject]
    public sealed record ReportShardScored(
        [property: Key(0)] ExperimentId Experiment,
        [property: Key(1)] int Cycle,
        [property: Key(2)] int Shard,
        [property: Key(3)] RegionCandidate[] Candidates,
        [property: Key(4)] double Seconds,
        [property: Key(5)] string Node) : IS4alMessage;

    [MessagePackObject]
    public sealed record ReportShardFailed([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle, [property: Key(2)] int Shard, [property: Key(3)] string Error) : IS4alMessage;

    /// <summary>Sent to subscribers when an experiment cannot go on (e.g. a training error); the journal keeps its state for a later retry.</summary>
    [MessagePackObject]
    public sealed record ExperimentFailed([property: Key(0)] ExperimentId Experiment, [property: Key(1)] int Cycle, [property: Key(2)] string Error) : IS4alMessage;
}
