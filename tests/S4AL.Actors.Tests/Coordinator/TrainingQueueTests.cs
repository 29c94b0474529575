using S4AL.Actors.Coordinator;
using S4AL.Domain;

namespace S4AL.Actors.Tests.Coordinator;

/// <summary>The order in which experiments get a free trainer: first come, first served, one cycle at a time.</summary>
public class TrainingQueueTests
{
    static readonly ExperimentId A = ExperimentId.Parse("a"), B = ExperimentId.Parse("b"), C = ExperimentId.Parse("c");

    static ExperimentId Take(TrainingQueue queue) => queue.Next(_ => true) ?? throw new InvalidOperationException("nobody waits");

    [Fact]
    public void Three_experiments_on_one_trainer_train_round_robin_cycle_by_cycle()
    {
        var queue = new TrainingQueue();
        queue.Join([C, A, B]);
        var cycles = new Dictionary<ExperimentId, int> { [A] = 0, [B] = 0, [C] = 0 };
        var turns = new List<string>();
        for (int turn = 0; turn < 9; turn++)
        {
            var next = Take(queue);
            turns.Add($"{next.Value}{cycles[next]++}");
            // Ready again the moment its training ends (scoring and acquisition took no time): the
            // worst case for the others, which "lowest id first" would starve.
            queue.Join(next);
        }
        Assert.Equal(["a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"], turns);
    }

    [Fact]
    public void Those_ready_at_the_same_moment_join_in_id_order_behind_those_that_were_ready_before()
    {
        var queue = new TrainingQueue();
        queue.Join(C);
        queue.Join([B, A, B]);
        Assert.Equal([C, A, B], queue.Waiting);
        // Joining again keeps the place it has.
        queue.Join(C);
        queue.Join([A, C]);
        Assert.Equal([C, A, B], queue.Waiting);
    }

    [Fact]
    public void Rounds_that_had_begun_join_before_those_that_had_not_each_in_id_order()
    {
        var queue = new TrainingQueue();
        queue.Join(A);
        var d = ExperimentId.Parse("d");
        queue.Join([d, C, B], resumes: e => e == C || e == d);
        Assert.Equal([A, C, d, B], queue.Waiting);
    }

    [Fact]
    public void Those_no_longer_ready_are_skipped_and_leave()
    {
        var queue = new TrainingQueue();
        queue.Join([A, B, C]);
        Assert.Equal(C, queue.Next(e => e == C));
        Assert.Empty(queue.Waiting);
        Assert.Null(queue.Next(_ => true));
        queue.Join([A, B]);
        queue.Leave(A);
        Assert.Equal([B], queue.Waiting);
    }

    [Fact]
    public void One_refused_by_a_busy_trainer_goes_back_to_the_front()
    {
        var queue = new TrainingQueue();
        queue.Join([A, B, C]);
        var given = Take(queue);
        queue.Return(given);
        Assert.Equal([A, B, C], queue.Waiting);
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 5)]
    [InlineData(3, 4)]
    public void With_random_scoring_times_no_experiment_waits_more_than_the_others_turns(int trainers, int experiments)
    {
        // A discrete simulation: a training takes one to three ticks, scoring and acquisition zero to
        // five; a free trainer takes the head of the queue. Whatever the durations, an experiment that
        // joins is given a trainer before any other experiment trains a second time.
        var random = new Random(17);
        var ids = Enumerable.Range(0, experiments).Select(i => ExperimentId.Parse($"e{i}")).ToArray();
        var queue = new TrainingQueue();
        var readyAt = ids.ToDictionary(id => id, _ => 0);
        var trainingUntil = new Dictionary<ExperimentId, int>();
        var startsSinceJoined = new Dictionary<ExperimentId, List<ExperimentId>>();
        int trained = 0;
        for (int tick = 0; trained < 200; tick++)
        {
            foreach (var (id, until) in trainingUntil.Where(t => t.Value == tick).ToList())
            {
                trainingUntil.Remove(id);
                readyAt[id] = tick + random.Next(0, 6);
                trained++;
            }
            var joining = readyAt.Where(r => r.Value == tick).Select(r => r.Key).ToList();
            queue.Join(joining);
            foreach (var id in joining) startsSinceJoined[id] = [];
            while (trainingUntil.Count < trainers && queue.Next(_ => true) is { } next)
            {
                foreach (var (waiting, starts) in startsSinceJoined.Where(w => w.Key != next)) starts.Add(next);
                var before = startsSinceJoined[next];
                startsSinceJoined.Remove(next);
                Assert.True(before.Count <= experiments - 1, $"{next} waited {before.Count} turns");
                Assert.Equal(before.Count, before.Distinct().Count());
                trainingUntil[next] = tick + random.Next(1, 4);
                readyAt.Remove(next);
            }
        }
    }
}
