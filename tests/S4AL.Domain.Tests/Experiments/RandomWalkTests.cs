using S4AL.Domain.Acquisition;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Experiments.ExperimentEvents;
using static S4AL.Domain.Tests.Experiments.Fixtures;

namespace S4AL.Domain.Tests.Experiments;

/// <summary>
/// Random sequences of commands (due, duplicate, stale and invalid ones mixed) on random plans,
/// seeded so a failure reproduces. Whatever the order, the rules must keep the invariants
/// and the journal must rebuild the state exactly.
/// </summary>
public class RandomWalkTests
{
    static ExperimentPlan RandomPlan(Random r, int seed)
    {
        int pool = r.Next(1, 13), regions = r.Next(1, 6);
        var fully = Enumerable.Range(0, pool).Where(_ => r.NextDouble() < 0.2).ToArray();
        var initial = Enumerable.Range(0, r.Next(0, 4)).Select(_ => new RegionId(r.Next(pool), r.Next(regions))).Distinct().ToArray();
        return new ExperimentPlan(ExperimentId.Parse($"walk-{seed}"), $"/runs/walk-{seed}", Definition, pool, regions, r.Next(0, 4), r.Next(1, 6), fully, initial,
            r.Next(2) == 0 ? SelectionBudget.PerImage(r.Next(1, 4)) : SelectionBudget.Global(r.Next(1, 8)));
    }

    static List<RegionId> Unlabeled(ExperimentState s, IEnumerable<int> images) =>
        images.Where(i => !s.FullyLabeled.Contains(i))
            .SelectMany(i => Enumerable.Range(0, s.Plan.RegionsPerImage).Select(g => new RegionId(i, g)))
            .Where(k => !s.Acquired.Contains(k)).ToList();

    static T[] Sample<T>(Random r, IReadOnlyList<T> from, int max) => from.OrderBy(_ => r.Next()).Take(r.Next(0, Math.Min(max, from.Count) + 1)).ToArray();

    /// <summary>One random command, and whether it must be refused (null: the test does not predict it).</summary>
    static (Decision Decision, bool? Refused) RandomCommand(Random r, ExperimentState s)
    {
        int cycle = r.NextDouble() < 0.8 ? s.Cycle : s.Cycle + r.Next(-1, 2);
        // Half the commands are the due kind, so every walk ends; the others are duplicates, stale or early.
        int kind = r.NextDouble() < 0.5
            ? ExperimentDecisions.Next(s) switch
            {
                NextAction.Train => r.Next(3),
                NextAction.Score => 3,
                NextAction.Acquire => 4,
                NextAction.Annotate => 5,
                _ => 6,
            }
            : r.Next(9);
        switch (kind)
        {
            case 0:
                return (ExperimentDecisions.StartAttempt(s), false);
            case 1:
                return (ExperimentDecisions.Checkpoint(s, Checkpoint(cycle, r.Next(0, 1000))), false);
            case 2:
                return (ExperimentDecisions.Trained(s, cycle, Checkpoint(cycle, 1000 + r.Next(100)), Evaluation(cycle)), false);
            case 3:
            {
                var shards = s.Shards();
                if (shards.IsEmpty) return (ExperimentDecisions.ShardDone(s, cycle, 0, [], 1), s.Phase == CyclePhase.Scoring && cycle == s.Cycle);
                var missing = s.MissingShards();
                var shard = !missing.IsEmpty && r.NextDouble() < 0.7 ? missing[r.Next(missing.Length)] : shards[r.Next(shards.Length)];
                var candidates = Sample(r, Unlabeled(s, shard.Images), 4).Select(k => Candidate(k.Image, k.Region, r.NextDouble())).ToList();
                bool bad = r.NextDouble() < 0.2;
                if (bad)
                {
                    candidates.Add(r.Next(3) switch
                    {
                        0 => Candidate(s.Plan.PoolImages, 0),
                        1 => Candidate(shard.Images[0], s.Plan.RegionsPerImage),
                        _ => candidates.Count > 0 ? candidates[0] with { Score = 0.1 } : Candidate(shard.Images[0], -1),
                    });
                }
                bool due = s.Phase == CyclePhase.Scoring && cycle == s.Cycle && !s.ScoredShards.ContainsKey(shard.Index);
                return (ExperimentDecisions.ShardDone(s, cycle, shard.Index, candidates, r.NextDouble()), due && bad);
            }
            case 4:
            {
                bool due = s.Phase == CyclePhase.Acquiring && cycle == s.Cycle;
                var regions = Sample(r, Unlabeled(s, Enumerable.Range(0, s.Plan.PoolImages)), 5).ToList();
                bool bad = r.NextDouble() < 0.2;
                if (bad)
                {
                    var labeled = s.Acquired.Concat(s.FullyLabeled.Select(i => new RegionId(i, 0))).ToList();
                    regions.Add(r.Next(3) switch
                    {
                        0 when labeled.Count > 0 => labeled[r.Next(labeled.Count)],
                        1 when regions.Count > 0 => regions[0],
                        _ => new RegionId(r.Next(s.Plan.PoolImages), s.Plan.RegionsPerImage + r.Next(3)),
                    });
                }
                return (ExperimentDecisions.Acquire(s, cycle, regions), due && bad);
            }
            case 5:
                return (ExperimentDecisions.Annotate(s, cycle), false);
            case 6:
                return (ExperimentDecisions.StartNextCycle(s), false);
            case 7:
                return (ExperimentDecisions.AttemptFailed(s, cycle, r.Next(3) switch { 0 => 0, 1 => s.Attempt, _ => s.Attempt - 1 }, "trainer error"), false);
            default:
                return (ExperimentDecisions.Submit(s, s.Plan with { InitialFullyLabeled = s.Plan.InitialFullyLabeled.ToArray() }), false);
        }
    }

    static void CheckInvariants(ExperimentState s, ExperimentState before)
    {
        // Progress is monotonic: cycle, then phase.
        Assert.True((s.Cycle, (int)s.Phase).CompareTo((before.Cycle, (int)before.Phase)) >= 0, $"went back from {before.Cycle}/{before.Phase} to {s.Cycle}/{s.Phase}");
        Assert.True(s.Attempt >= before.Attempt || s.Cycle > before.Cycle);

        // Every region is acquired at most once over the whole experiment: the counts add up only without overlap.
        var initial = s.Plan.InitialRegions.Distinct().ToList();
        var perCycle = s.History.SelectMany(h => h.Acquired).ToList();
        bool pending = s.Phase == CyclePhase.Annotating && !s.History.Any(h => h.Cycle == s.Cycle);
        if (pending) perCycle.AddRange(s.CycleAcquisition.ToArray());
        Assert.Equal(initial.Count + perCycle.Count, s.Acquired.Count);
        Assert.Equal(s.Acquired.Order(), initial.Concat(perCycle).Order());
        Assert.DoesNotContain(perCycle, k => s.FullyLabeled.Contains(k.Image));
        Assert.All(s.Acquired, k => Assert.True(k.Image >= 0 && k.Image < s.Plan.PoolImages && k.Region >= 0 && k.Region < s.Plan.RegionsPerImage));

        // Shard results only hold their shard's unlabeled-at-the-time regions; the scoring phase lasts exactly while a shard is missing.
        var shards = s.Shards().ToDictionary(x => x.Index);
        foreach (var (index, result) in s.ScoredShards)
        {
            Assert.All(result.Candidates, c => Assert.Contains(c.Image, shards[index].Images));
            Assert.Equal(result.Candidates.Length, result.Candidates.Select(c => c.Id).Distinct().Count());
        }
        Assert.Equal(s.Phase == CyclePhase.Scoring, !s.MissingShards().IsEmpty);
        Assert.Equal(s.Phase == CyclePhase.Scoring, ExperimentDecisions.Next(s) == NextAction.Score);
        Assert.Equal(s.History.Select((_, i) => i), s.History.Select(h => h.Cycle));
        Assert.Equal(s.IsDone, ExperimentDecisions.Next(s) == NextAction.None);
        if (s.IsDone) Assert.Equal(s.Plan.LastCycle + 1, s.History.Count);

        // Every attempt but a cycle's last one ends with a recorded reason, each attempt at most once.
        foreach (var h in s.History)
        {
            Assert.InRange(h.Failures.Count, h.Attempts - 1, h.Attempts);
            Assert.Equal(h.Failures.Select(f => f.Attempt).Distinct().Count(), h.Failures.Count);
            Assert.All(h.Failures, f => Assert.InRange(f.Attempt, 1, h.Attempts));
        }
        Assert.All(s.FailedAttempts, f => Assert.InRange(f.Attempt, 1, s.Attempt));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_command_sequences_keep_the_invariants_and_replay_to_the_same_state(int seed)
    {
        var r = new Random(seed);
        var j = new Journal(RandomPlan(r, seed));
        for (int step = 0; step < 400 && !j.State.IsDone; step++)
        {
            var before = j.State;
            var (decision, mustRefuse) = RandomCommand(r, before);
            if (mustRefuse is { } expected) Assert.True(expected == decision.IsRefused, $"step {step}: refusal expected {expected}, got '{decision.Refusal}'");
            if (decision.IsRefused)
            {
                Assert.Empty(decision.Events);
                continue;
            }
            // One event a command, or two when a new attempt records why the last one ended.
            Assert.True(decision.Events.Length <= 1 || decision.Events is [TrainingAttemptFailed, CycleStarted]);
            var after = j.Persist(decision);
            CheckInvariants(after, before);
            Assert.Equal(Describe(after), Describe(Journal.Replay(j.Events)));
        }
        Assert.True(j.State.IsDone, $"seed {seed}: not done after 400 commands, stuck in cycle {j.State.Cycle} {j.State.Phase}");
        Assert.DoesNotContain(j.Events.Skip(1), e => e is Submitted);
        Assert.Equal(j.State.Plan.LastCycle, j.Events.OfType<CycleStarted>().Select(e => e.Cycle).DefaultIfEmpty(0).Max());
    }

    public static TheoryData<int> Seeds() => new(Enumerable.Range(1, 40));
}
