using S4AL.Domain.Acquisition;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Experiments.ExperimentEvents;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.ReplayProtocol;
using static S4AL.Domain.Protocols.ReporterProtocol;
using static S4AL.Domain.Protocols.ScorerProtocol;
using static S4AL.Domain.Protocols.TrainerProtocol;

namespace S4AL.Actors.Tests.Serialization;

/// <summary>
/// One hand-written instance of every wire type, with a non-default value in every field (so
/// a field lost on the wire shows). A message type without a sample fails
/// <see cref="S4alMessagePackSerializerTests.Every_message_type_has_a_sample"/>.
/// </summary>
static class MessageSamples
{
    static readonly ExperimentId Id = ExperimentId.Parse("exp-7");
    static readonly ExperimentId Other = ExperimentId.Parse("other.2");

    static CheckpointRef Checkpoint(long step) =>
        new($"/runs/exp-7/checkpoints/cycle-2-step-{step}.pt", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 2, 3, step);

    static readonly CycleEvaluation Evaluation = new(2, [11, 2, 3, 13], 0.125, 42.5, [new(5, 400, 0.25), new(10, 800, 0.5)]);

    static readonly ExperimentPlan Plan = new(Id, "/runs/exp-7", """{"dataset":"synthetic","budget":3}""", 20, 16, 4, 5, [3, 7], [new(1, 2), new(4, 5)], S4AL.Domain.Acquisition.SelectionBudget.Global(3), AnnotatorMode.Human, InitialSetLabeled: true, LabeledSetFrom: ExperimentId.Parse("exp-3"));

    static readonly RegionLabel Label = new("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "ana", 12.5, 340, 2);

    static readonly CycleRecord Record = new(1, Evaluation, Checkpoint(900), [new(2, 3), new(6, 1)], 7.25, 3, [new(1, "trainer node-b left the cluster"), new(2, "Unknown scalar type")],
        new AnnotationFigures(4, 3, 1020, 31.5, 9.75, 2, 1));

    static readonly ShardScored Shard = new(Id, 2, 1, [new(5, 6, 0.75), new(8, 1, -1.5)], 3.5);

    static readonly ExperimentSnapshot Snapshot = new(
        Plan, 2, 3, CyclePhase.Scoring, [new(1, 2), new(4, 5), new(2, 3)], Checkpoint(1200), Checkpoint(1500), Evaluation, [Shard], [new(2, 3)], [Record], "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", [new(1, "interrupted")],
        [new(new(2, 3), Label)], true, new AnnotationFigures(8, 8, 2048, 60, 7.5, 1, 3));

    static readonly ExperimentStatus Status = new(Id, true, CyclePhase.Annotating, 2, 4, 3, 1, 4, Checkpoint(1200), [Record], "/runs/exp-7", "node-a", "4bf92f3577b34da6a3ce929d0e0e4736", [new(1, "interrupted"), new(2, "CUDA out of memory")],
        AnnotatorMode.Human, 720, 318, ExperimentId.Parse("exp-3"), "training failed: CUDA out of memory");

    public static readonly IReadOnlyDictionary<Type, IS4alMessage> ByType = new IS4alMessage[]
    {
        // Journal
        new Submitted(Plan),
        new CycleStarted(Id, 2, 3),
        new LabeledSetInherited(Id, ExperimentId.Parse("exp-3"), [3, 7], [new(1, 2), new(6, 2)]),
        new CycleTraced(Id, 2, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        new TrainingAttemptFailed(Id, 2, 3, "ExternalException: Unknown scalar type"),
        new CheckpointSaved(Id, Checkpoint(1200)),
        new CycleTrained(Id, 2, Checkpoint(1500), Evaluation),
        Shard,
        new RegionsAcquired(Id, 2, [new(5, 6), new(1, 3)]),
        new RegionLabeled(Id, 2, new(5, 6), Label),
        new AnnotationClosed(Id, 2),
        new RegionsAnnotated(Id, 2),
        new CoordinatorSnapshot([Snapshot, Snapshot with { Plan = Plan with { Id = Other }, Phase = CyclePhase.Done }]),

        // Coordinator
        new SubmitExperiment(Plan),
        new SubmitAccepted(Id, true, Status),
        new SubmitRefused(Id, "experiment exp-7 already exists with other settings"),
        new GetStatus(Id),
        new ListExperiments(),
        new ExperimentList([Status, Status with { Experiment = Other }]),
        Status,
        new Subscribe(Id, EventsOnly: true),
        new Subscribed(Id, Snapshot),
        new RegisterTrainer("node-a", "cuda:1", Other),
        new TrainerRegistered(),
        new Handshake("akka.tcp://s4al@10.0.0.9:4053", 3, 4401),
        new HandshakeAccepted(),
        new HandshakeRefused("protocol version 2, the coordinator speaks 1"),
        new ReportCheckpoint(Id, Checkpoint(1200)),
        new CheckpointAccepted(Id, 2, 1200),
        new ReportTrained(Id, 2, Checkpoint(1500), Evaluation),
        new TrainedAccepted(Id, 2),
        new ReportTrainingFailed(Id, 2, "CUDA out of memory", 3),
        new ReportShardScored(Id, 2, 1, [new(5, 6, 0.75)], 3.5, "node-b"),
        new ReportShardFailed(Id, 2, 1, "checkpoint hash mismatch"),
        new ExperimentFailed(Id, 2, "training failed: CUDA out of memory"),
        new SubmitLabel(Id, 2, new(5, 6), Label),
        new LabelAccepted(Id, new(5, 6), true, 318, 720),
        new CloseAnnotation(Id, 2),
        new AnnotationRefused(Id, "region 0:1 is not queried in cycle 2 of experiment exp-7"),

        // Reporter
        new StartReporting(Id),
        new FlushReports(Id, 2),
        new ReportsWritten(Id, 2, "disk full"),

        // Replay buffer
        new ResetReplay(Id, 2, "session-1", [1, 2, 3, 255]),
        new ReplayExchange(Id, "session-1", 17, [4, 9, 12], 8),
        new ReplayDrawn(Id, "session-1", 17, [12, 4]),
        new GetReplayState(Id, "session-1"),
        new ReplayState(Id, "session-1", 17, [7, 7, 0, 1]),
        new ReplaySessionLost(Id, "session-1", "reset by session-2"),

        // Scorer
        new ScoreShard(Id, Plan.Definition, 2, 1, [5, 6, 8], [new(5, 6), new(8, 1)], Checkpoint(1500), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),

        // Trainer
        new TrainCycle(Plan, 2, 3, LabeledRegionBits.From(20, 16, [3, 7], [new(1, 2), new(4, 5)]), Checkpoint(1200), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        new TrainerBusy(Id, 2, Other),
        new StepProgress(Id, 2, 3, 41, 120, 0.375f),
        new EpochProgress(Id, 2, 3, 10, 0.01, 0.9, 0.5, 0.25, 0.125, 61.5),
        new GetTrainerStatus(),
        new TrainerStatus("training", Id, 2, 3, 1234, "cuda:0"),
        new CancelTraining(Id, 2),
        new TrainingCancelled(Id, 2),
        new PauseTraining(),
        new ResumeTraining(),
    }.ToDictionary(m => m.GetType());
}
