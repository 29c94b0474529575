using MessagePack;
using MessagePack.Resolvers;
using S4AL.Domain.Acquisition;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Experiments.ExperimentEvents;
using static S4AL.Domain.Tests.Experiments.Fixtures;

namespace S4AL.Domain.Tests.Experiments;

/// <summary>The acquisition is a Domain rule: the exact top of the persisted shard results under the plan's budget.</summary>
public class AcquisitionDecisionTests
{
    /// <summary>Cycle 0 trained and every shard scored with the given candidates (plan: shards [0,2,3] [5,6,7] [8,9]).</summary>
    static Journal Scored(SelectionBudget budget, params RegionCandidate[][] shards)
    {
        var j = new Journal(Plan(budget: budget));
        j.Do(s => ExperimentDecisions.StartAttempt(s));
        j.Do(s => ExperimentDecisions.Trained(s, 0, Checkpoint(0, 500, 5), Evaluation(0)));
        for (int shard = 0; shard < shards.Length; shard++)
        {
            var candidates = shards[shard];
            j.Do(s => ExperimentDecisions.ShardDone(s, 0, shard, candidates, 1));
        }
        Assert.Equal(CyclePhase.Acquiring, j.State.Phase);
        return j;
    }

    static readonly RegionCandidate[][] Shards =
    [
        [new(0, 1, 0.9), new(3, 2, 0.4), new(2, 0, 0.4)],
        [new(5, 3, 0.7), new(6, 0, 0.95), new(7, 1, 0.1)],
        [new(9, 2, 0.4), new(8, 3, 0.8)],
    ];

    [Fact]
    public void A_global_budget_takes_the_best_of_all_shards_in_selection_order()
    {
        var j = Scored(SelectionBudget.Global(5), Shards);
        var s = j.Do(x => ExperimentDecisions.Acquire(x, 0));
        // 0.95, 0.9, 0.8, 0.7, then the first of the three tied at 0.4 by image, then region.
        Assert.Equal([new(6, 0), new(0, 1), new(8, 3), new(5, 3), new(2, 0)], Assert.IsType<RegionsAcquired>(j.Events[^1]).Regions);
        Assert.Equal(CyclePhase.Annotating, s.Phase);
        // Decided once: asking again decides nothing.
        Assert.Empty(ExperimentDecisions.Acquire(s, 0).Events);
    }

    [Fact]
    public void A_per_image_budget_takes_the_best_of_every_image()
    {
        var j = Scored(SelectionBudget.PerImage(1), [[new(0, 1, 0.9), new(0, 2, 0.95), new(3, 2, 0.4)], [new(5, 3, 0.7)], [new(9, 2, 0.4), new(9, 1, 0.5)]]);
        j.Do(x => ExperimentDecisions.Acquire(x, 0));
        Assert.Equal([new(0, 2), new(5, 3), new(9, 1), new(3, 2)], Assert.IsType<RegionsAcquired>(j.Events[^1]).Regions);
    }

    [Fact]
    public void Merged_shard_results_equal_one_pass_over_the_pool_whatever_the_sharding()
    {
        var all = Shards.SelectMany(x => x).ToList();
        foreach (var budget in new[] { SelectionBudget.Global(4), SelectionBudget.PerImage(1) })
        {
            var j = Scored(budget, Shards);
            j.Do(x => ExperimentDecisions.Acquire(x, 0));
            Assert.Equal(RegionSelection.Select(all, budget).Select(c => c.Id), Assert.IsType<RegionsAcquired>(j.Events[^1]).Regions);
        }
    }

    [Fact]
    public void Before_every_shard_is_in_nothing_is_acquired()
    {
        var j = new Journal(Plan());
        j.Do(s => ExperimentDecisions.StartAttempt(s));
        j.Do(s => ExperimentDecisions.Trained(s, 0, Checkpoint(0, 500, 5), Evaluation(0)));
        j.Do(s => ExperimentDecisions.ShardDone(s, 0, 0, Shards[0], 1));
        Assert.Empty(ExperimentDecisions.Acquire(j.State, 0).Events);
    }

    [Fact]
    public void A_plan_journaled_before_budgets_were_in_plans_takes_its_budget_from_the_definition()
    {
        const string definition = """{"data":{"kind":"synthetic"},"settings":{"cycles":2,"budget":{"scope":"global","count":160}}}""";
        var old = Plan(definition: definition) with { Budget = null };
        var state = ExperimentState.Submit(old);
        Assert.Equal(SelectionBudget.Global(160), state.Plan.Budget);
        Assert.Equal(SelectionBudget.PerImage(4), Plan(definition: """{"settings":{"budget":{"scope":"per-image","count":4}}}""") with { Budget = null } is var p ? p.Upgraded().Budget : null);
        // And after a round trip through the wire format of the time (no key 9).
        var options = MessagePackSerializerOptions.Standard.WithResolver(StandardResolver.Instance);
        var read = MessagePackSerializer.Deserialize<ExperimentPlan>(MessagePackSerializer.Serialize(old, options), options);
        Assert.Null(read.Budget);
        Assert.Equal(SelectionBudget.Global(160), CoordinatorState.Empty.Apply(new Submitted(read)).Find(read.Id)!.Plan.Budget);

        var none = Assert.Throws<InvalidDataException>(() => ExperimentState.Submit(Plan(definition: """{"settings":{}}""") with { Budget = null }));
        Assert.Contains("plan exp-1", none.Message);
    }
}
