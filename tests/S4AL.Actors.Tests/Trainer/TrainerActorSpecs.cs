using Akka.Actor;
using S4AL.Actors.Replay;
using S4AL.Actors.Telemetry;
using S4AL.Actors.Tests.Support;
using S4AL.Actors.Trainer;
using S4AL.Actors.Workspace;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Checkpoints;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.TrainerProtocol;

namespace S4AL.Actors.Tests.Trainer;

public class TrainerActorSpecs() : Akka.TestKit.Xunit2.TestKit(ActorSpecConfig.Config)
{
    static readonly TimeSpan Long = TimeSpan.FromMinutes(2);
    /// <summary>For a message the trainer sends as soon as it handles what the test sent.</summary>
    static readonly TimeSpan Fish = TimeSpan.FromSeconds(60);
    /// <summary>Far more epochs than a test waits for: the test cancels the job.</summary>
    const int Endless = 100_000;
    static readonly TrainerOptions Options = new() { RegisterInterval = TimeSpan.FromSeconds(1), CheckpointInterval = TimeSpan.Zero };

    SingleThread? _singleThread;

    (IActorRef Trainer, Akka.TestKit.TestProbe Coordinator) Start(TrainerOptions? options = null, string name = "trainer-under-test")
    {
        _singleThread ??= new SingleThread();
        var coordinator = CreateTestProbe();
        var replay = Sys.ActorOf(Props.Create(() => new ReplayBufferActor()));
        var trainer = Sys.ActorOf(Props.Create(() => new TrainerActor(coordinator.Ref, replay, new DatasetCache(), options ?? Options, name)));
        Assert.Equal(name, coordinator.ExpectMsg<RegisterTrainer>(Long).Node);
        return (trainer, coordinator);
    }

    protected override void Dispose(bool disposing)
    {
        // The actor system first: a training thread it still runs is stopped in the trainer's PostStop.
        base.Dispose(disposing);
        if (disposing) _singleThread?.Dispose();
    }

    /// <summary>
    /// What the trainer sent before it handled everything the coordinator sent so far: its answer to a
    /// status request comes after all of it (messages between two actors keep their order).
    /// </summary>
    static (TrainerStatus Status, List<object> Before) Drain(IActorRef trainer, Akka.TestKit.TestProbe coordinator)
    {
        var before = new List<object>();
        coordinator.Send(trainer, new GetTrainerStatus());
        var status = (TrainerStatus)coordinator.FishForMessage(m =>
        {
            if (m is TrainerStatus) return true;
            before.Add(m);
            return false;
        }, Fish);
        return (status, before);
    }

    static TrainCycle Order(ExperimentPlan plan, CheckpointRef? from = null) =>
        new(plan, 0, 1, ExperimentState.Submit(plan).LabeledSet(), from, null);

    [Fact]
    public void Trains_a_cycle_reports_every_checkpoint_and_the_evaluated_model()
    {
        using var spans = new RecordedSpans();
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
        // The job's span has ended when the report arrives: the coordinator may end the cycle's trace on it.
        Assert.Single(spans.Snapshot(), s => s.DisplayName == "train cycle");
        // Re-sent until confirmed, then never again. A re-send the retry timer fired just before the
        // trainer handled TrainedAccepted may still be on its way: drained with the status answer.
        coordinator.FishForMessage<ReportTrained>(_ => true, Fish);
        coordinator.Send(trainer, new TrainedAccepted(plan.Id, 0));
        Drain(trainer, coordinator);
        coordinator.IgnoreMessages(m => m is RegisterTrainer);
        coordinator.ExpectNoMsg(Options.ReportRetryInterval + TimeSpan.FromSeconds(1));
        // Epoch checkpoints of a trained cycle are deleted; the model stays.
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(trained.Model.Path)!, "cycle-0-epoch-*"));
    }

    [Fact]
    public void A_round_trained_to_convergence_stops_early_checkpoints_each_evaluation_and_reports_its_best_model()
    {
        var (trainer, coordinator) = Start();
        var definition = ActorSpecConfig.Definition(epochs: 10, iterations: 2, cycles: 0);
        definition = definition with
        {
            Settings = definition.Settings with { Mode = TrainingMode.SupervisedOnly, Convergence = new ConvergenceRule(EvaluateEveryEpochs: 1, Patience: 1) },
        };
        var plan = ActorSpecConfig.Plan(ActorSpecConfig.TempDir("converge"), definition);
        coordinator.Send(trainer, Order(plan));
        var checkpoints = new List<CheckpointRef>();
        var trained = (ReportTrained)coordinator.FishForMessage(m =>
        {
            if (m is ReportCheckpoint c) checkpoints.Add(c.Checkpoint);
            return m is ReportTrained;
        }, Long);
        // The last round's 20 epochs are the maximum: with a patience of 1 the round ends at the first evaluation without a gain.
        var final = checkpoints.Count == 0 ? 1 : checkpoints.Max(c => c.EpochsDone) + 1;
        Assert.True(final < 20, $"the round did not stop before its maximum of 20 epochs (checkpoints after {string.Join(", ", checkpoints.Select(c => c.EpochsDone))})");
        // CheckpointInterval is zero here, so this only shows a checkpoint after every epoch; each evaluation is one.
        Assert.Equal(Enumerable.Range(1, final - 1), checkpoints.Select(c => c.EpochsDone));
        Assert.Equal("cycle-0-best", Path.GetFileNameWithoutExtension(trained.Model.Path));
        Assert.True(trained.Model.EpochsDone < final, $"the best model is from epoch {trained.Model.EpochsDone}, the round ended after {final}");
        Assert.Equal(CheckpointFile.Inspect(trained.Model.Path).Id, trained.Model.Sha256);
        // The reported evaluation is the best model's: evaluate it again from its file.
        var data = new DatasetCache().Get(plan.Definition, "spec");
        using var student = CycleTrainingRun.LoadNetwork(trained.Model.Path, trained.Model.Sha256, data.Settings, data.Pool.NumClasses, ScoringNetwork.Student, TorchSharp.torch.CPU);
        var confusion = CycleTrainingRun.Evaluate(student, data.Validation, data.Settings, TorchSharp.torch.CPU);
        Assert.Equal(confusion.Counts.ToArray(), trained.Evaluation.Confusion);
        // The whole curve goes with the report: one point per epoch (evaluated every epoch), the best one the model's.
        var curve = trained.Evaluation.Curve ?? throw new Xunit.Sdk.XunitException("the report has no curve");
        Assert.Equal(Enumerable.Range(1, final), curve.Select(p => p.EpochsDone));
        var best = ConvergenceRule.Best(curve);
        Assert.Equal((trained.Model.EpochsDone, trained.Model.Step), (best.EpochsDone, best.Steps));
        Assert.Equal(best.MeanIoU, trained.Evaluation.MeanIoU(), 9);
        // The best model is the round's model: no final checkpoint is written beside it.
        Assert.False(File.Exists(Path.Combine(plan.RunDirectory, "checkpoints", "cycle-0-final" + CheckpointFile.Extension)));
    }

    [Fact]
    public void Answers_status_while_training_without_waiting_for_it()
    {
        // The training runs on its own thread: the trainer answers while a job far from its end runs.
        // How fast it answers is a benchmark's question, not this test's.
        var (trainer, coordinator) = Start();
        var plan = ActorSpecConfig.Plan(ActorSpecConfig.TempDir("status"), ActorSpecConfig.Definition(epochs: Endless, iterations: 5, cycles: 1));
        coordinator.Send(trainer, Order(plan));
        coordinator.FishForMessage<StepProgress>(_ => true, Long);
        var probe = CreateTestProbe();
        for (int i = 0; i < 5; i++)
        {
            probe.Send(trainer, new GetTrainerStatus());
            var status = probe.ExpectMsg<TrainerStatus>(Fish);
            Assert.Equal("training", status.State);
            Assert.Equal(plan.Id, status.Experiment);
        }
        probe.Send(trainer, new PauseTraining());
        probe.Send(trainer, new GetTrainerStatus());
        Assert.Equal("paused", probe.ExpectMsg<TrainerStatus>(Fish).State);
        probe.Send(trainer, new CancelTraining(plan.Id, 0));
        coordinator.FishForMessage<TrainingCancelled>(_ => true, Fish);
        probe.Send(trainer, new GetTrainerStatus());
        Assert.Equal("idle", probe.ExpectMsg<TrainerStatus>(Fish).State);
    }

    [Fact]
    public void Refuses_a_second_experiment_while_busy_and_ignores_a_repeated_order()
    {
        var (trainer, coordinator) = Start();
        var plan = ActorSpecConfig.Plan(ActorSpecConfig.TempDir("busy"), ActorSpecConfig.Definition(epochs: Endless, iterations: 5, cycles: 1));
        coordinator.Send(trainer, Order(plan));
        coordinator.FishForMessage<StepProgress>(_ => true, Long);
        var other = ActorSpecConfig.Plan(ActorSpecConfig.TempDir("other"), id: "other");
        coordinator.Send(trainer, Order(other));
        var busy = coordinator.FishForMessage<TrainerBusy>(_ => true, Fish);
        Assert.Equal(plan.Id, busy.BusyWith);
        coordinator.Send(trainer, Order(plan));
        // Whatever the repeated order caused arrives before the status answer: neither a refusal nor a failure.
        var (status, after) = Drain(trainer, coordinator);
        Assert.DoesNotContain(after, m => m is TrainerBusy or ReportTrainingFailed);
        Assert.Equal("training", status.State);
        Assert.Equal(plan.Id, status.Experiment);
        // The running job goes on.
        var onTheWay = new List<object>();
        coordinator.FishForMessage(m =>
        {
            onTheWay.Add(m);
            return m is StepProgress;
        }, Fish);
        Assert.DoesNotContain(onTheWay, m => m is TrainerBusy or ReportTrainingFailed);
        // No training thread outlives the test.
        coordinator.Send(trainer, new CancelTraining(plan.Id, 0));
        Assert.Equal(plan.Id, coordinator.FishForMessage<TrainingCancelled>(_ => true, Fish).Experiment);
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

    [Fact]
    public void A_job_runs_with_its_share_of_the_node_threads_set_on_its_own_thread_only()
    {
        using var spans = new RecordedSpans();
        // One of three trainers of a node with 7 threads: 7 / 3 = 2 for each job.
        var (trainer, coordinator) = Start(Options with { Count = 3, Threads = 7 }, "node-a/trainer-2");
        var plan = ActorSpecConfig.Plan(ActorSpecConfig.TempDir("threads"), ActorSpecConfig.Definition(epochs: 1, iterations: 1, cycles: 1));
        coordinator.Send(trainer, Order(plan));
        coordinator.FishForMessage<ReportTrained>(_ => true, Long);
        var job = Assert.Single(spans.Snapshot(), s => s.DisplayName == "train cycle");
        Assert.Equal("2", RecordedSpans.Tag(job, S4alTelemetry.Tags.Threads));
        Assert.Equal("node-a/trainer-2", RecordedSpans.Tag(job, S4alTelemetry.Tags.Trainer));
        // libtorch keeps the count per thread: this thread keeps the 1 it set, so N jobs at once each keep theirs.
        Assert.Equal(1, TorchSharp.torch.get_num_threads());
    }

    [Fact]
    public void The_thread_budget_is_split_between_the_trainers_and_never_below_one()
    {
        Assert.Equal(4, new TrainerOptions { Threads = 8, Count = 2 }.ThreadsPerJob);
        Assert.Equal(8, new TrainerOptions { Threads = 8 }.ThreadsPerJob);
        Assert.Equal(1, new TrainerOptions { Threads = 2, Count = 3 }.ThreadsPerJob);
        Assert.Null(new TrainerOptions { Count = 2 }.ThreadsPerJob);
    }
}
