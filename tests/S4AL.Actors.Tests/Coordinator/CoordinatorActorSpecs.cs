using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit;
using S4AL.Actors.Coordinator;
using S4AL.Actors.Reports;
using S4AL.Actors.Telemetry;
using S4AL.Actors.Tests.Support;
using S4AL.Actors.Workspace;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Protocols.CoordinatorProtocol;
using static S4AL.Domain.Protocols.ReporterProtocol;
using static S4AL.Domain.Protocols.ScorerProtocol;
using static S4AL.Domain.Protocols.TrainerProtocol;

namespace S4AL.Actors.Tests.Coordinator;

/// <summary>
/// The coordinator with probes for the trainer and the scorers, and the in-memory journal:
/// stopping it and starting a new one with the same persistence id is a crash and recovery.
/// </summary>
public class CoordinatorActorSpecs : Akka.TestKit.Xunit2.TestKit
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    readonly string _persistenceId = "coordinator-" + Guid.NewGuid().ToString("N")[..8];
    readonly DatasetCache _data = new();
    readonly TestProbe _scorers;
    readonly TestProbe _trainer;
    readonly ExperimentPlan _plan;
    // The coordinator as a singleton proxy gives it: one reference that survives a crash of the actor behind it.
    readonly IActorRef _proxy;
    readonly IActorRef _reporter;
    readonly GatedWriter _writer;
    IActorRef _coordinator;

    public CoordinatorActorSpecs() : base(ActorSpecConfig.Config)
    {
        _scorers = CreateTestProbe();
        _trainer = CreateTestProbe();
        _plan = ActorSpecConfig.Plan(ActorSpecConfig.TempDir("coordinator"), ActorSpecConfig.Definition(cycles: 1));
        _proxy = Sys.ActorOf(Props.Create(() => new Forwarder()));
        _writer = new GatedWriter(new RunFolderWriter(_data));
        _reporter = Sys.ActorOf(Props.Create(() => new ReporterActor(_proxy, _writer, TimeSpan.FromMilliseconds(200))).WithDispatcher(ReporterActor.Dispatcher));
        _coordinator = StartCoordinator();
    }

    /// <summary>The run folder's writer, which a test can hold at the start of a write.</summary>
    sealed class GatedWriter(IRunFolderWriter inner) : IRunFolderWriter
    {
        public ManualResetEventSlim Open { get; } = new(true);
        public ManualResetEventSlim Writing { get; } = new(false);

        public void Write(ExperimentState state)
        {
            Writing.Set();
            if (!Open.Wait(TimeSpan.FromMinutes(5))) throw new IOException("the test never opened the gate");
            inner.Write(state);
        }
    }

    /// <summary>Forwards everything to the coordinator of the moment (<see cref="Forwarder.Target"/>).</summary>
    sealed class Forwarder : ReceiveActor
    {
        public sealed record Target(IActorRef Coordinator);

        public Forwarder()
        {
            IActorRef? target = null;
            Receive<Target>(t => target = t.Coordinator);
            ReceiveAny(m => target?.Forward(m));
        }
    }

    IActorRef StartCoordinator()
    {
        var options = new CoordinatorOptions { PersistenceId = _persistenceId, TickInterval = TimeSpan.FromMilliseconds(200), SnapshotEvery = 5, TrainerRejoin = TimeSpan.FromSeconds(1) };
        var coordinator = Sys.ActorOf(Props.Create(() => new CoordinatorActor(options, _scorers.Ref, _reporter)));
        _proxy.Tell(new Forwarder.Target(coordinator));
        return coordinator;
    }

    void Crash()
    {
        Watch(_coordinator);
        Sys.Stop(_coordinator);
        ExpectTerminated(_coordinator, Wait);
        _coordinator = StartCoordinator();
        RegisterTrainer();
    }

    /// <summary>Waits until the reporter has written the results of <paramref name="cycles"/> finished cycles.</summary>
    void AwaitReports(int cycles)
    {
        var probe = CreateTestProbe();
        probe.Send(_reporter, new FlushReports(_plan.Id, cycles));
        var written = probe.ExpectMsg<ReportsWritten>(Wait);
        Assert.Null(written.Error);
    }

    void RegisterTrainer()
    {
        _trainer.Send(_coordinator, new RegisterTrainer("node-a", "cpu"));
        _trainer.FishForMessage<TrainerRegistered>(_ => true, Wait);
    }

    TrainCycle Submit()
    {
        RegisterTrainer();
        _coordinator.Tell(new SubmitExperiment(_plan));
        Assert.False(ExpectMsg<SubmitAccepted>(Wait).AlreadyKnown);
        return ExpectTraining();
    }

    TrainCycle ExpectTraining() => _trainer.FishForMessage<TrainCycle>(_ => true, Wait);

    static CheckpointRef Checkpoint(int cycle, int epochs, long step) => new($"/shared/cycle-{cycle}-epoch-{epochs}.s4ckpt", $"{cycle:x2}{epochs:x2}", cycle, epochs, step);

    static CycleEvaluation Evaluation(double share) => new(8, Enumerable.Range(0, 64).Select(i => i % 9 == 0 ? 50L : 3L).ToArray(), share, 1.5);

    void Trained(int cycle)
    {
        _trainer.Send(_coordinator, new ReportTrained(_plan.Id, cycle, Checkpoint(cycle, 2, 6), Evaluation(0.3)));
        _trainer.FishForMessage<TrainedAccepted>(a => a.Cycle == cycle, Wait);
    }

    List<ScoreShard> ExpectShards(int count)
    {
        var orders = Enumerable.Range(0, count).Select(_ => _scorers.ExpectMsg<ScoreShard>(Wait)).ToList();
        _scorers.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        return orders;
    }

    void Score(ScoreShard order) =>
        _scorers.Send(_coordinator, new ReportShardScored(order.Experiment, order.Cycle, order.Shard,
            order.Images.SelectMany(i => new[] { new RegionCandidate(i, (i * 7) % 24, 1.0 + i), new RegionCandidate(i, (i * 7 + 1) % 24, 0.5 + i) }).ToArray(), 0.2, "node-b"));

    ExperimentStatus Status()
    {
        _coordinator.Tell(new GetStatus(_plan.Id));
        return ExpectMsg<ExperimentStatus>(Wait);
    }

    static ActivityContext ContextOf(string? traceParent)
    {
        Assert.NotNull(traceParent);
        return ActivityContext.Parse(traceParent, null);
    }

    [Fact]
    public void A_cycle_is_one_trace_whose_phase_spans_are_the_parents_sent_to_trainers_and_scorers()
    {
        using var spans = new RecordedSpans();
        var order = Submit();
        var training = ContextOf(order.TraceParent);
        Trained(0);
        var shards = ExpectShards(3);
        var scoring = ContextOf(shards[0].TraceParent);
        Assert.All(shards, s => Assert.Equal(shards[0].TraceParent, s.TraceParent));
        Assert.Equal(training.TraceId, scoring.TraceId);
        foreach (var shard in shards) Score(shard);
        var next = ExpectTraining();
        Assert.NotEqual(training.TraceId, ContextOf(next.TraceParent).TraceId); // a trace per cycle

        var trace = spans.Trace(training.TraceId);
        var root = Assert.Single(trace["cycle"]);
        Assert.Equal(default, root.ParentSpanId);
        Assert.Equal(("spec", "0"), (RecordedSpans.Tag(root, S4alTelemetry.Tags.Experiment), RecordedSpans.Tag(root, S4alTelemetry.Tags.Cycle)));
        Assert.Equal(Evaluation(0.3).MeanIoU(), (double)root.GetTagItem(S4alTelemetry.Tags.MeanIoU)!, 9);
        Assert.Equal("18", RecordedSpans.Tag(root, S4alTelemetry.Tags.Regions));
        foreach (var phase in new[] { "training", "scoring", "acquisition", "annotation" })
            Assert.Equal(root.SpanId, Assert.Single(trace[phase]).ParentSpanId);
        // The messages carry the phase spans themselves, so the trainer's and scorers' spans hang under them.
        Assert.Equal(training.SpanId, trace["training"].Single().SpanId);
        Assert.Equal(scoring.SpanId, trace["scoring"].Single().SpanId);
        Assert.Equal("18", RecordedSpans.Tag(trace["acquisition"].Single(), S4alTelemetry.Tags.Regions));
        Assert.Equal("3", RecordedSpans.Tag(trace["acquisition"].Single(), S4alTelemetry.Tags.Shards));
        Assert.All(trace.SelectMany(g => g), s => Assert.Equal(ActivityStatusCode.Unset, s.Status));
        // Phases follow each other inside the cycle.
        var ordered = new[] { "training", "scoring", "acquisition", "annotation" }.Select(n => trace[n].Single()).ToList();
        for (int i = 1; i < ordered.Count; i++) Assert.True(ordered[i].StartTimeUtc >= ordered[i - 1].StartTimeUtc + ordered[i - 1].Duration - TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void A_cycle_resumed_after_a_crash_is_a_new_trace_linked_to_the_one_that_was_cut_off()
    {
        using var spans = new RecordedSpans();
        var first = ContextOf(Submit().TraceParent);
        Crash();
        var again = ExpectTraining();
        var resumed = ContextOf(again.TraceParent);
        Assert.NotEqual(first.TraceId, resumed.TraceId);

        var cut = spans.Trace(first.TraceId)["cycle"].Single();
        Assert.Equal(ActivityStatusCode.Error, cut.Status); // ended by the stopping coordinator, so it is exported, marked
        Crash(); // ends the resumed trace's spans too, so they are exported
        ExpectTraining();
        var root = spans.Trace(resumed.TraceId)["cycle"].Single();
        Assert.Equal(true, root.GetTagItem(S4alTelemetry.Tags.Resumed));
        var link = Assert.Single(root.Links);
        Assert.Equal(first.TraceId, link.Context.TraceId);
        Assert.Equal(cut.SpanId, link.Context.SpanId);
    }

    [Fact]
    public void A_failed_cycle_ends_its_spans_with_the_error()
    {
        using var spans = new RecordedSpans();
        var trace = ContextOf(Submit().TraceParent).TraceId;
        Trained(0);
        var shard = ExpectShards(3).First();
        _scorers.Send(_coordinator, new ReportShardFailed(shard.Experiment, shard.Cycle, shard.Shard, "IOException: disk full"));
        AwaitAssert(() => Assert.Equal(ActivityStatusCode.Error, spans.Trace(trace)["cycle"].Single().Status), Wait);
        var scoring = spans.Trace(trace)["scoring"].Single();
        Assert.Equal(ActivityStatusCode.Error, scoring.Status);
        Assert.Contains("disk full", scoring.StatusDescription);
    }

    [Fact]
    public void Recovered_in_training_asks_again_from_the_last_reported_checkpoint()
    {
        var first = Submit();
        Assert.Equal((0, 1, null), (first.Cycle, first.Attempt, first.ResumeFrom));
        Assert.Equal([0, 5, 9], first.Labeled.FullyLabeled);
        _trainer.Send(_coordinator, new ReportCheckpoint(_plan.Id, Checkpoint(0, 1, 3)));
        _trainer.FishForMessage<CheckpointAccepted>(_ => true, Wait);
        // Acknowledged means persisted: the state already holds it.
        Assert.Equal(Checkpoint(0, 1, 3), Status().LastCheckpoint);

        Crash();
        var again = ExpectTraining();
        Assert.Equal(0, again.Cycle);
        Assert.Equal(2, again.Attempt);
        Assert.Equal(Checkpoint(0, 1, 3), again.ResumeFrom);
    }

    [Fact]
    public void A_stale_or_repeated_checkpoint_does_not_move_the_state_back()
    {
        Submit();
        _trainer.Send(_coordinator, new ReportCheckpoint(_plan.Id, Checkpoint(0, 2, 6)));
        _trainer.FishForMessage<CheckpointAccepted>(_ => true, Wait);
        _trainer.Send(_coordinator, new ReportCheckpoint(_plan.Id, Checkpoint(0, 1, 3)));
        _trainer.FishForMessage<CheckpointAccepted>(_ => true, Wait);
        Assert.Equal(6, Status().LastCheckpoint!.Step);
    }

    [Fact]
    public void Recovered_in_scoring_resends_only_the_shards_without_a_result()
    {
        Submit();
        Trained(0);
        var orders = ExpectShards(3); // 9 unlabeled images, 3 per shard
        Assert.Equal([0, 1, 2], orders.Select(o => o.Shard).Order());
        Assert.All(orders, o => Assert.Equal(Checkpoint(0, 2, 6), o.Model));
        Score(orders.Single(o => o.Shard == 0));
        Score(orders.Single(o => o.Shard == 2));
        AwaitAssert(() => Assert.Equal(2, Status().ShardsScored), Wait);

        Crash();
        var resent = ExpectShards(1);
        Assert.Equal(1, resent.Single().Shard);
        Assert.Equal(orders.Single(o => o.Shard == 1).Images, resent.Single().Images);
    }

    [Fact]
    public void Recovered_after_acquisition_never_acquires_the_cycle_again()
    {
        Submit();
        Trained(0);
        foreach (var order in ExpectShards(3)) Score(order);
        var next = ExpectTraining();
        Assert.Equal(1, next.Cycle);
        var acquired = Status().Completed.Single().Acquired;
        Assert.Equal(9 * 2, acquired.Length); // per-image top-2 of the 9 unlabeled images
        Assert.Equal(acquired.Order(), next.Labeled.Acquired().Order());

        Crash();
        var again = ExpectTraining();
        Assert.Equal((1, 2), (again.Cycle, again.Attempt));
        Assert.Equal(next.Labeled.Acquired(), again.Labeled.Acquired());
        var status = Status();
        Assert.Single(status.Completed);
        Assert.Equal(acquired, status.Completed.Single().Acquired);
        _scorers.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        // The run folder's results were written from the journal by the reporter.
        AwaitReports(1);
        Assert.True(File.Exists(Path.Combine(_plan.RunDirectory, "cycles.csv")));
        Assert.True(File.Exists(Path.Combine(_plan.RunDirectory, "acquired-cycle-0.png")));
    }

    [Fact]
    public void A_slow_report_writer_does_not_delay_the_next_cycle()
    {
        _writer.Open.Reset();
        Submit();
        Trained(0);
        foreach (var order in ExpectShards(3)) Score(order);
        // Cycle 0's results are being written (and held there) while the coordinator orders cycle 1.
        Assert.True(_writer.Writing.Wait(Wait), "the reporter did not start writing cycle 0's results");
        var next = ExpectTraining();
        Assert.Equal(1, next.Cycle);
        Assert.False(_writer.Open.IsSet);
        _writer.Open.Set();
        AwaitReports(1);
        Assert.True(File.Exists(Path.Combine(_plan.RunDirectory, "cycles.csv")));
    }

    [Fact]
    public void With_people_labeling_the_cycle_waits_across_a_crash_until_the_last_label_then_trains_on_them()
    {
        using var spans = new RecordedSpans();
        var definition = ActorSpecConfig.Definition(cycles: 1) with { Annotator = AnnotatorMode.Human };
        var plan = ActorSpecConfig.Plan(ActorSpecConfig.TempDir("coordinator-human"), definition, id: "human");
        RegisterTrainer();
        _coordinator.Tell(new SubmitExperiment(plan));
        ExpectMsg<SubmitAccepted>(Wait);
        RegionLabel Label(int i) => new(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([(byte)i])), i % 3 == 0 ? "ben" : "ana", i, 10);
        // First the initial set: images 0, 5 and 9 queried in full; no training before they are labeled.
        var initial = AwaitStatus(plan.Id, s => s.Phase == CyclePhase.Annotating);
        Assert.Equal(3 * 24, initial.RegionsQueried);
        _trainer.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        for (int i = 0; i < 3 * 24; i++)
        {
            _coordinator.Tell(new SubmitLabel(plan.Id, 0, new RegionId(new[] { 0, 5, 9 }[i / 24], i % 24), Label(i)));
            FishForMessage<LabelAccepted>(_ => true, Wait);
        }
        Assert.Equal((0, 1), (ExpectTraining().Cycle, 1));
        _trainer.Send(_coordinator, new ReportTrained(plan.Id, 0, Checkpoint(0, 2, 6), Evaluation(0.3)));
        _trainer.FishForMessage<TrainedAccepted>(_ => true, Wait);
        foreach (var shard in ExpectShards(3)) Score(shard);
        var status = AwaitStatus(plan.Id, s => s.Phase == CyclePhase.Annotating);
        // Acquired, then nothing: the round waits for people.
        _trainer.ExpectNoMsg(TimeSpan.FromMilliseconds(800));
        Assert.Equal((18, 0, AnnotatorMode.Human), (status.RegionsQueried, status.RegionsLabeled, status.Annotator));
        _coordinator.Tell(new Subscribe(plan.Id));
        var queried = FishForMessage<Subscribed>(_ => true, Wait).State!.ToState().CycleAcquisition;

        _coordinator.Tell(new SubmitLabel(plan.Id, 0, new RegionId(0, 0), Label(0)));
        Assert.Contains("not queried", FishForMessage<AnnotationRefused>(_ => true, Wait).Reason);
        for (int i = 0; i < 9; i++)
        {
            _coordinator.Tell(new SubmitLabel(plan.Id, 0, queried[i], Label(i)));
            Assert.Equal(i + 1, FishForMessage<LabelAccepted>(_ => true, Wait).RegionsLabeled);
        }
        // The same label again is stored once.
        _coordinator.Tell(new SubmitLabel(plan.Id, 0, queried[0], Label(0)));
        Assert.False(FishForMessage<LabelAccepted>(_ => true, Wait).Changed);

        Crash();
        Assert.Equal(9, AwaitStatus(plan.Id, s => s.Phase == CyclePhase.Annotating).RegionsLabeled);
        for (int i = 9; i < queried.Length; i++)
        {
            _coordinator.Tell(new SubmitLabel(plan.Id, 0, queried[i], Label(i)));
            FishForMessage<LabelAccepted>(_ => true, Wait);
        }
        var next = ExpectTraining();
        Assert.Equal((1, 1), (next.Cycle, next.Attempt));
        Assert.Equal(queried.Order(), next.Labeled.Acquired().Order());
        var record = Status(plan.Id).Completed.Single();
        Assert.Equal(new AnnotationFigures(18, 18, 180, Enumerable.Range(0, 18).Sum(), 8.5, 2, 0), record.Annotation);

        // The round's annotation span (of the trace resumed after the crash) says who labeled how much in how long.
        var annotation = spans.Snapshot().Single(a => a.DisplayName == "annotation" && RecordedSpans.Tag(a, S4alTelemetry.Tags.Cycle) == "0"
                                                      && a.GetTagItem(S4alTelemetry.Tags.Annotators) is not null && RecordedSpans.Tag(a, S4alTelemetry.Tags.Regions) == "18");
        Assert.Equal("human", RecordedSpans.Tag(annotation, S4alTelemetry.Tags.Annotator));
        Assert.Equal(["ana", "ben"], (string[])annotation.GetTagItem(S4alTelemetry.Tags.Annotators)!);
        Assert.Equal([12, 6], (int[])annotation.GetTagItem(S4alTelemetry.Tags.AnnotatorRegions)!);
        int[] benRegions = [0, 3, 6, 9, 12, 15];
        Assert.Equal([Enumerable.Range(0, 18).Except(benRegions).Sum(), benRegions.Sum()], (double[])annotation.GetTagItem(S4alTelemetry.Tags.AnnotatorSeconds)!);
    }

    ExperimentStatus Status(ExperimentId id)
    {
        _coordinator.Tell(new GetStatus(id));
        return ExpectMsg<ExperimentStatus>(Wait);
    }

    ExperimentStatus AwaitStatus(ExperimentId id, Func<ExperimentStatus, bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var status = Status(id);
            if (condition(status)) return status;
            Assert.True(DateTime.UtcNow < deadline, $"the experiment stayed in {status.Phase} of cycle {status.Cycle}");
            Thread.Sleep(50);
        }
    }

    [Fact]
    public void A_finished_experiment_stays_finished_after_recovery()
    {
        Submit();
        Trained(0);
        foreach (var order in ExpectShards(3)) Score(order);
        ExpectTraining();
        Trained(1);
        AwaitAssert(() => Assert.Equal(CyclePhase.Done, Status().Phase), Wait);

        Crash();
        Assert.Equal(CyclePhase.Done, Status().Phase);
        Assert.Equal(2, Status().Completed.Length);
        _trainer.IgnoreMessages(m => m is TrainerRegistered);
        _trainer.ExpectNoMsg(TimeSpan.FromSeconds(1));
        _scorers.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_repeated_training_report_is_confirmed_again_and_scores_nothing_twice()
    {
        Submit();
        Trained(0);
        ExpectShards(3);
        Trained(0);
        _scorers.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void A_lost_trainer_is_replaced_and_the_cycle_restarts_on_the_new_one()
    {
        Submit();
        _trainer.Send(_coordinator, new ReportCheckpoint(_plan.Id, Checkpoint(0, 1, 3)));
        _trainer.FishForMessage<CheckpointAccepted>(_ => true, Wait);
        var replacement = CreateTestProbe();
        Watch(_trainer.Ref);
        Sys.Stop(_trainer.Ref);
        ExpectTerminated(_trainer.Ref, Wait);
        replacement.Send(_coordinator, new RegisterTrainer("node-c", "cpu"));
        var order = replacement.FishForMessage<TrainCycle>(_ => true, Wait);
        Assert.Equal((0, 2), (order.Cycle, order.Attempt));
        Assert.Equal(3, order.ResumeFrom!.Step);
        Assert.Equal([new FailedAttempt(1, "the trainer node-a left the cluster")], Status().Failures);
    }

    [Fact]
    public void A_failed_attempt_is_journaled_retried_and_kept_with_its_reason_in_status_results_and_trace()
    {
        using var spans = new RecordedSpans();
        var first = Submit();
        var trace = ContextOf(first.TraceParent).TraceId;
        _trainer.Send(_coordinator, new ReportTrainingFailed(_plan.Id, 0, "ExternalException: Unknown scalar type", first.Attempt));
        var retry = ExpectTraining();
        Assert.Equal((0, 2), (retry.Cycle, retry.Attempt));
        Assert.Equal([new FailedAttempt(1, "ExternalException: Unknown scalar type")], Status().Failures);
        // A late copy of the same report ends nothing more.
        _trainer.Send(_coordinator, new ReportTrainingFailed(_plan.Id, 0, "ExternalException: Unknown scalar type", first.Attempt));

        // Persisted: a recovered coordinator knows it, and the next attempt needs no reason of its own.
        Crash();
        var third = ExpectTraining();
        Assert.Equal(3, third.Attempt);
        Assert.Equal([new FailedAttempt(1, "ExternalException: Unknown scalar type"), new FailedAttempt(2, ExperimentDecisions.InterruptedReason)], Status().Failures);

        Trained(0);
        foreach (var order in ExpectShards(3)) Score(order);
        ExpectTraining();
        var record = Status().Completed.Single();
        Assert.Equal(3, record.Attempts);
        Assert.Equal([1, 2], record.Failures.Select(f => f.Attempt));
        // The first trace's training span has the reported failure; the cycle's span of the trace
        // after the recovery carries the count and every failure, the interrupted one included.
        var training = spans.Trace(trace)["training"].Single();
        Assert.Contains(training.Events, e => e.Name == "training attempt failed" && e.Tags.Any(t => t.Key == "error.message" && (string?)t.Value == "ExternalException: Unknown scalar type"));
        var recovered = ContextOf(third.TraceParent).TraceId;
        Assert.NotEqual(trace, recovered);
        Activity? cycle = null;
        AwaitAssert(() => cycle = spans.Trace(recovered)["cycle"].Single(), Wait);
        Assert.Equal("3", RecordedSpans.Tag(cycle!, S4alTelemetry.Tags.Attempts));
        Assert.Equal(2, cycle!.Events.Count(e => e.Name == "training attempt failed"));
        // And the run folder's cycles.json.
        AwaitReports(1);
        using var results = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_plan.RunDirectory, "cycles.json")));
        var cycle0 = results.RootElement[0];
        Assert.Equal(3, cycle0.GetProperty("attempts").GetInt32());
        Assert.Equal(ExperimentDecisions.InterruptedReason, cycle0.GetProperty("failedAttempts")[1].GetProperty("reason").GetString());
    }

    [Fact]
    public void A_plan_that_contradicts_the_journal_is_refused_and_the_same_plan_is_welcome()
    {
        Submit();
        _coordinator.Tell(new SubmitExperiment(_plan with { ShardSize = 4 }));
        Assert.Contains("shard size", ExpectMsg<SubmitRefused>(Wait).Reason);
        _coordinator.Tell(new SubmitExperiment(_plan));
        Assert.True(ExpectMsg<SubmitAccepted>(Wait).AlreadyKnown);
    }

    [Fact]
    public void Subscribers_get_the_state_then_every_event_in_order()
    {
        Submit();
        var subscriber = CreateTestProbe();
        subscriber.Send(_coordinator, new Subscribe(_plan.Id));
        var mirror = subscriber.ExpectMsg<Subscribed>(Wait).State!.ToState();
        Trained(0);
        foreach (var order in ExpectShards(3)) Score(order);
        ExpectTraining();
        subscriber.FishForMessage(m =>
        {
            if (m is IExperimentEvent e) mirror = mirror.Apply(e);
            return mirror.Cycle == 1;
        }, Wait);
        var status = Status();
        Assert.Equal(status.Completed.Single().Acquired, mirror.History.Single().Acquired);
    }

    [Fact]
    public void Training_progress_goes_only_to_subscribers_that_asked_for_it()
    {
        Submit();
        var display = CreateTestProbe();
        var reporter = CreateTestProbe();
        display.Send(_coordinator, new Subscribe(_plan.Id));
        reporter.Send(_coordinator, new Subscribe(_plan.Id, EventsOnly: true));
        display.ExpectMsg<Subscribed>(Wait);
        reporter.ExpectMsg<Subscribed>(Wait);
        _trainer.Send(_coordinator, new StepProgress(_plan.Id, 0, 0, 1, 10, 0.5f));
        _trainer.Send(_coordinator, new EpochProgress(_plan.Id, 0, 0, 1, 0.01, 0.5, 0.5, 0.0, 0.0, 1.0));
        Trained(0);
        // The coordinator sends to one subscriber in order: progress would come before the round's event.
        Assert.IsType<StepProgress>(display.ExpectMsg<object>(Wait));
        Assert.IsType<EpochProgress>(display.ExpectMsg<object>(Wait));
        Assert.IsAssignableFrom<IExperimentEvent>(reporter.ExpectMsg<object>(Wait));
    }

    [Fact]
    public void Two_experiments_train_at_once_on_two_trainers()
    {
        var first = Submit();
        var otherPlan = ActorSpecConfig.Plan(ActorSpecConfig.TempDir("second"), ActorSpecConfig.Definition(cycles: 1), id: "second");
        var secondTrainer = CreateTestProbe();
        secondTrainer.Send(_coordinator, new RegisterTrainer("node-b", "cpu"));
        _coordinator.Tell(new SubmitExperiment(otherPlan));
        Assert.False(ExpectMsg<SubmitAccepted>(Wait).AlreadyKnown);
        var second = secondTrainer.FishForMessage<TrainCycle>(_ => true, Wait);
        Assert.Equal(_plan.Id, first.Plan.Id);
        Assert.Equal(otherPlan.Id, second.Plan.Id);
        // Each trainer has one experiment: the first trainer is not given the second.
        _trainer.IgnoreMessages(m => m is TrainerRegistered);
        _trainer.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        _coordinator.Tell(new ListExperiments());
        Assert.Equal(2, ExpectMsg<ExperimentList>(Wait).Experiments.Length);
    }

    [Fact]
    public void Experiments_waiting_for_the_one_trainer_take_turns_in_the_order_they_became_ready()
    {
        RegisterTrainer();
        // Submitted c, a, b: the first to be ready trains first, whatever the ids.
        foreach (var id in new[] { "c", "a", "b" })
        {
            _coordinator.Tell(new SubmitExperiment(ActorSpecConfig.Plan(ActorSpecConfig.TempDir(id), ActorSpecConfig.Definition(cycles: 1), id: id)));
            ExpectMsg<SubmitAccepted>(Wait);
        }
        var turns = new List<string>();
        for (int turn = 0; turn < 6; turn++)
        {
            var order = ExpectTraining();
            turns.Add($"{order.Plan.Id}{order.Cycle}");
            _trainer.Send(_coordinator, new ReportTrained(order.Plan.Id, order.Cycle, Checkpoint(order.Cycle, 2, 6), Evaluation(0.3)));
            _trainer.FishForMessage<TrainedAccepted>(a => a.Experiment == order.Plan.Id && a.Cycle == order.Cycle, Wait);
            // Scored and acquired only after the trainer went to the next one: ready again, it waits behind the others.
            if (order.Cycle < order.Plan.LastCycle)
                foreach (var shard in ExpectShards(3)) Score(shard);
        }
        Assert.Equal(["c0", "a0", "b0", "c1", "a1", "b1"], turns);
    }

    [Fact]
    public void A_trainer_still_busy_with_an_experiment_from_before_a_fail_over_keeps_it_and_no_other_trainer_gets_it()
    {
        RegisterTrainer();
        foreach (var id in new[] { "a", "b" })
        {
            _coordinator.Tell(new SubmitExperiment(ActorSpecConfig.Plan(ActorSpecConfig.TempDir(id), ActorSpecConfig.Definition(cycles: 1), id: id)));
            ExpectMsg<SubmitAccepted>(Wait);
        }
        var first = ExpectTraining();
        Assert.Equal("a", first.Plan.Id.Value);
        // The trainer still trains b, given to it by the coordinator before a fail-over.
        var b = ExperimentId.Parse("b");
        _trainer.Send(_coordinator, new TrainerBusy(first.Plan.Id, first.Cycle, b));
        var second = CreateTestProbe();
        second.Send(_coordinator, new RegisterTrainer("node-b", "cpu"));
        Assert.Equal("a", second.FishForMessage<TrainCycle>(_ => true, Wait).Plan.Id.Value);
        var third = CreateTestProbe();
        third.Send(_coordinator, new RegisterTrainer("node-c", "cpu"));
        third.FishForMessage<TrainerRegistered>(_ => true, Wait);
        _coordinator.Tell(new GetStatus(b));
        Assert.Equal("node-a", ExpectMsg<ExperimentStatus>(Wait).Trainer);
        // Its report of b is taken, and frees it.
        _trainer.Send(_coordinator, new ReportTrained(b, 0, Checkpoint(0, 2, 6), Evaluation(0.3)));
        _trainer.FishForMessage<TrainedAccepted>(a => a.Experiment == b, Wait);
    }

    [Fact]
    public void After_a_restart_a_cycle_still_training_on_its_trainer_is_not_given_to_another_one()
    {
        var order = Submit();
        _coordinator.Tell(new SubmitExperiment(ActorSpecConfig.Plan(ActorSpecConfig.TempDir("z"), ActorSpecConfig.Definition(cycles: 1), id: "z")));
        ExpectMsg<SubmitAccepted>(Wait);
        Watch(_coordinator);
        Sys.Stop(_coordinator);
        ExpectTerminated(_coordinator, Wait);
        _coordinator = StartCoordinator();
        // A free trainer registers first; the old one then says it still trains the first experiment.
        var second = CreateTestProbe();
        second.Send(_coordinator, new RegisterTrainer("node-b", "cpu"));
        second.FishForMessage<TrainerRegistered>(_ => true, Wait);
        _trainer.Send(_coordinator, new RegisterTrainer("node-a", "cpu", order.Plan.Id));
        _trainer.FishForMessage<TrainerRegistered>(_ => true, Wait);
        Assert.Equal("z", second.FishForMessage<TrainCycle>(_ => true, Wait).Plan.Id.Value);
        _coordinator.Tell(new GetStatus(order.Plan.Id));
        Assert.Equal("node-a", ExpectMsg<ExperimentStatus>(Wait).Trainer);
    }
}
