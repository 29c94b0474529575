using Akka.Actor;
using S4AL.Actors.Replay;
using S4AL.Actors.Tests.Support;
using S4AL.Actors.Trainer;
using S4AL.Actors.Workspace;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.Checkpoints;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.TrainerProtocol;

namespace S4AL.Actors.Tests.Trainer;

public class TrainerActorSpecs() : Akka.TestKit.Xunit2.TestKit(ActorSpecConfig.Config)
{
    static readonly TimeSpan Long = TimeSpan.FromMinutes(2);

    (IActorRef Trainer, Akka.TestKit.TestProbe Coordinator) Start()
    {
        TorchSharp.torch.set_num_threads(1);
        var coordinator = CreateTestProbe();
        var replay = Sys.ActorOf(ReplayBufferActor.Props());
        var trainer = Sys.ActorOf(TrainerActor.Props(coordinator.Ref, replay, new ExperimentDataCache(), new TrainerOptions { RegisterInterval = TimeSpan.FromSeconds(1), CheckpointInterval = TimeSpan.Zero }));
        coordinator.ExpectMsg<RegisterTrainer>(Long);
        return (trainer, coordinator);
    }

    static TrainCycle Order(ExperimentPlan plan, CheckpointRef? from = null) =>
        new(plan, 0, 1, ExperimentState.Submit(plan).LabeledSet(), from, null);

    [Fact]
    public void Trains_a_cycle_reports_every_checkpoint_and_the_evaluated_model()
    {
        var (trainer, coordinator) = Start();
        var plan = ActorSpecConfig.Plan(ActorSpecConfig.TempDir("train"), ActorSpecConfig.Definition(epochs: 2, iterations: 2, cycles: 1));
        coordinator.Send(trainer, Order(plan));
        var checkpoint = coordinator.FishForMessage<ReportCheckpoint>(_ => true, Long);
        Assert.Equal(0, checkpoint.Checkpoint.Cycle);
        Assert.Equal(1, checkpoint.Checkpoint.EpochsDone);
        Assert.Equal(CheckpointFile.Inspect(checkpoint.Checkpoint.Path).Id, checkpoint.Checkpoint.Sha256);
        var trained = coordinator.FishForMessage<ReportTrained>(_ => true, Long);
        Assert.Equal(0, trained.Cycle);
        Assert.True(File.Exists(trained.Model.Path));
        Assert.Equal(2, trained.Model.EpochsDone);
        Assert.Equal(8 * 8, trained.Evaluation.Confusion.Length);
        Assert.True(trained.Evaluation.Confusion.Sum() > 0);
        // Re-sent until confirmed, then never again.
        coordinator.FishForMessage<ReportTrained>(_ => true, TimeSpan.FromSeconds(10));
        coordinator.Send(trainer, new TrainedAccepted(plan.Id, 0));
        coordinator.FishForMessage(m => m is RegisterTrainer, TimeSpan.FromSeconds(5));
        coordinator.IgnoreMessages(m => m is RegisterTrainer);
        coordinator.ExpectNoMsg(TimeSpan.FromSeconds(4));
        // Epoch checkpoints of a trained cycle are deleted; the model stays.
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(trained.Model.Path)!, "cycle-0-epoch-*"));
    }

    [Fact]
    public void Answers_status_within_a_second_while_training()
    {
        var (trainer, coordinator) = Start();
        var plan = ActorSpecConfig.Plan(ActorSpecConfig.TempDir("status"), ActorSpecConfig.Definition(epochs: 300, iterations: 5, cycles: 1));
        coordinator.Send(trainer, Order(plan));
        coordinator.FishForMessage<StepProgress>(_ => true, Long);
        var probe = CreateTestProbe();
        for (int i = 0; i < 5; i++)
        {
            var asked = DateTime.UtcNow;
            probe.Send(trainer, new GetTrainerStatus());
            var status = probe.ExpectMsg<TrainerStatus>(TimeSpan.FromSeconds(1));
            Assert.True(DateTime.UtcNow - asked < TimeSpan.FromSeconds(1));
            Assert.Equal("training", status.State);
            Assert.Equal(plan.Id, status.Experiment);
            Thread.Sleep(200);
        }
        probe.Send(trainer, new PauseTraining());
        probe.Send(trainer, new GetTrainerStatus());
        Assert.Equal("paused", probe.ExpectMsg<TrainerStatus>(TimeSpan.FromSeconds(1)).State);
        probe.Send(trainer, new CancelTraining(plan.Id, 0));
        coordinator.FishForMessage<TrainingCancelled>(_ => true, TimeSpan.FromSeconds(30));
        probe.Send(trainer, new GetTrainerStatus());
        Assert.Equal("idle", probe.ExpectMsg<TrainerStatus>(TimeSpan.FromSeconds(1)).State);
    }

    [Fact]
    public void Refuses_a_second_experiment_while_busy_and_ignores_a_repeated_order()
    {
        var (trainer, coordinator) = Start();
        var plan = ActorSpecConfig.Plan(ActorSpecConfig.TempDir("busy"), ActorSpecConfig.Definition(epochs: 300, iterations: 5, cycles: 1));
        coordinator.Send(trainer, Order(plan));
        coordinator.FishForMessage<StepProgress>(_ => true, Long);
        var other = ActorSpecConfig.Plan(ActorSpecConfig.TempDir("other"), id: "other");
        coordinator.Send(trainer, Order(other));
        var busy = coordinator.FishForMessage<TrainerBusy>(_ => true, TimeSpan.FromSeconds(5));
        Assert.Equal(plan.Id, busy.BusyWith);
        coordinator.Send(trainer, Order(plan));
        var after = coordinator.ReceiveWhile(TimeSpan.FromSeconds(1), m => m);
        Assert.DoesNotContain(after, m => m is TrainerBusy or ReportTrainingFailed);
        Assert.Contains(after, m => m is StepProgress); // the running job goes on
        trainer.Tell(new CancelTraining(plan.Id, 0));
    }

    [Fact]
    public void A_damaged_checkpoint_fails_the_cycle_with_the_file_named()
    {
        var (trainer, coordinator) = Start();
        var dir = ActorSpecConfig.TempDir("damaged");
        var plan = ActorSpecConfig.Plan(dir);
        var bogus = Path.Combine(dir, "bogus.s4ckpt");
        File.WriteAllText(bogus, "not a checkpoint");
        coordinator.Send(trainer, Order(plan, new CheckpointRef(bogus, "00", 0, 1, 2)));
        var failed = coordinator.FishForMessage<ReportTrainingFailed>(_ => true, Long);
        Assert.Contains("bogus.s4ckpt", failed.Error);
    }
}
