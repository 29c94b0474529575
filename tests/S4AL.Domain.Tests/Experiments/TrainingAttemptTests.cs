using MessagePack;
using MessagePack.Resolvers;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Experiments.ExperimentEvents;
using static S4AL.Domain.Tests.Experiments.Fixtures;

namespace S4AL.Domain.Tests.Experiments;

/// <summary>How many training attempts a cycle needed and why the failed ones ended: journaled, replayed, kept in the cycle's record.</summary>
public class TrainingAttemptTests
{
    [Fact]
    public void A_failed_attempt_is_recorded_with_its_reason_and_kept_in_the_cycle_record()
    {
        var j = new Journal(Plan(lastCycle: 0));
        j.Do(s => ExperimentDecisions.StartAttempt(s));
        var s = j.Do(x => ExperimentDecisions.AttemptFailed(x, 0, 1, "Unknown scalar type"));
        Assert.Equal([new FailedAttempt(1, "Unknown scalar type")], s.FailedAttempts);
        Assert.Equal(NextAction.Train, ExperimentDecisions.Next(s));

        // The same report again, a report of another attempt or cycle: nothing to persist.
        Assert.Empty(ExperimentDecisions.AttemptFailed(s, 0, 1, "again").Events);
        Assert.Empty(ExperimentDecisions.AttemptFailed(s, 0, 0, "again").Events);
        Assert.Empty(ExperimentDecisions.AttemptFailed(s, 1, 1, "other cycle").Events);

        // The retry needs no second reason for attempt 1: it has one.
        var retry = ExperimentDecisions.StartAttempt(s);
        Assert.Equal<IExperimentEvent>([new CycleStarted(s.Id, 0, 2)], retry.Events);
        j.Persist(retry);
        Assert.Empty(ExperimentDecisions.AttemptFailed(j.State, 0, 1, "late report of attempt 1").Events);
        s = j.Do(x => ExperimentDecisions.Trained(x, 0, Checkpoint(0, 500, 5), Evaluation(0)));

        var record = Assert.Single(s.History);
        Assert.Equal(2, record.Attempts);
        Assert.Equal([new FailedAttempt(1, "Unknown scalar type")], record.Failures);
        Assert.Equal(Describe(s), Describe(Journal.Replay(j.Events)));
    }

    [Fact]
    public void An_attempt_that_ended_without_a_report_is_recorded_as_interrupted_when_the_next_one_starts()
    {
        var j = new Journal(Plan());
        var first = ExperimentDecisions.StartAttempt(j.State);
        Assert.Equal<IExperimentEvent>([new CycleStarted(j.State.Id, 0, 1)], first.Events);
        j.Persist(first);
        // A new coordinator (after a crash) finds attempt 1 in the journal and starts attempt 2.
        var second = ExperimentDecisions.StartAttempt(j.State);
        Assert.Equal<IExperimentEvent>([new TrainingAttemptFailed(j.State.Id, 0, 1, ExperimentDecisions.InterruptedReason), new CycleStarted(j.State.Id, 0, 2)], second.Events);
        var s = j.Persist(second);
        Assert.Equal((2, 1), (s.Attempt, s.FailedAttempts.Count));

        // The next cycle starts with a clean slate.
        j.Do(x => ExperimentDecisions.Checkpoint(x, Checkpoint(0, 100)));
        j.Do(x => ExperimentDecisions.Trained(x, 0, Checkpoint(0, 500, 5), Evaluation(0)));
        foreach (var shard in j.State.MissingShards())
            j.Do(x => ExperimentDecisions.ShardDone(x, 0, shard.Index, [], 1));
        j.Do(x => ExperimentDecisions.Acquire(x, 0, [new RegionId(3, 1)]));
        j.Do(x => ExperimentDecisions.Annotate(x, 0));
        s = j.Do(x => ExperimentDecisions.StartNextCycle(x));
        Assert.Equal((1, 0), (s.Cycle, s.Attempt));
        Assert.Empty(s.FailedAttempts);
        var record = Assert.Single(s.History);
        Assert.Equal(2, record.Attempts);
        Assert.Equal([new FailedAttempt(1, ExperimentDecisions.InterruptedReason)], record.Failures);
    }

    [Fact]
    public void A_failure_event_that_cannot_follow_the_state_is_a_corrupt_journal()
    {
        var j = new Journal(Plan());
        j.Do(s => ExperimentDecisions.StartAttempt(s));
        Assert.Throws<InvalidOperationException>(() => j.State.Apply(new TrainingAttemptFailed(j.State.Id, 0, 2, "not this attempt")));
        var failed = j.State.Apply(new TrainingAttemptFailed(j.State.Id, 0, 1, "x"));
        Assert.Throws<InvalidOperationException>(() => failed.Apply(new TrainingAttemptFailed(j.State.Id, 0, 1, "twice")));
    }

    [MessagePackObject]
    public sealed record CycleRecordBeforeAttempts(
        [property: Key(0)] int Cycle, [property: Key(1)] CycleEvaluation Evaluation, [property: Key(2)] CheckpointRef Model,
        [property: Key(3)] RegionId[] Acquired, [property: Key(4)] double ScoreSeconds);

    [Fact]
    public void Records_journaled_before_attempts_were_kept_still_read()
    {
        var options = MessagePackSerializerOptions.Standard.WithResolver(StandardResolver.Instance);
        var old = new CycleRecordBeforeAttempts(0, Evaluation(0), Checkpoint(0, 5), [new(1, 2)], 3.5);
        var read = MessagePackSerializer.Deserialize<CycleRecord>(MessagePackSerializer.Serialize(old, options), options);
        Assert.Equal((0, 3.5, 0), (read.Cycle, read.ScoreSeconds, read.Attempts));
        Assert.Empty(read.Failures);
    }
}
