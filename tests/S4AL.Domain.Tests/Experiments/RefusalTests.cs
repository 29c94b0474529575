using S4AL.Domain.Experiments;
using static S4AL.Domain.Tests.Experiments.Fixtures;

namespace S4AL.Domain.Tests.Experiments;

/// <summary>Reports that contradict the state are refused with a reason that names what is wrong, and decide no event.</summary>
public class RefusalTests
{
    static string Refused(Decision d)
    {
        Assert.Empty(d.Events);
        Assert.True(d.IsRefused);
        return d.Refusal!;
    }

    static Journal Scoring(int cycle = 0)
    {
        var j = new Journal(Plan());
        for (int c = 0; c < cycle; c++)
        {
            j.TrainScoreAcquire([new(3, 1), new(8, 2)]);
            j.Do(s => ExperimentDecisions.Annotate(s, c));
            j.Do(s => ExperimentDecisions.StartNextCycle(s));
        }
        j.Do(s => ExperimentDecisions.StartAttempt(s));
        j.Do(s => ExperimentDecisions.Trained(s, cycle, Checkpoint(cycle, 300), Evaluation(cycle)));
        Assert.Equal(CyclePhase.Scoring, j.State.Phase);
        return j;
    }

    static Journal Acquiring()
    {
        var j = Scoring();
        foreach (var shard in j.State.MissingShards()) j.Do(s => ExperimentDecisions.ShardDone(s, 0, shard.Index, [], 1));
        return j;
    }

    [Fact]
    public void A_shard_that_does_not_exist_is_refused()
    {
        var s = Scoring().State;
        Assert.Equal("cycle 0 has no shard 3", Refused(ExperimentDecisions.ShardDone(s, 0, 3, [], 1)));
        Assert.Equal("cycle 0 has no shard -1", Refused(ExperimentDecisions.ShardDone(s, 0, -1, [], 1)));
    }

    [Theory]
    [InlineData(5)] // in another shard
    [InlineData(1)] // fully labeled, in no shard
    [InlineData(10)] // outside the pool
    public void A_shard_result_with_an_image_not_in_the_shard_is_refused(int image)
    {
        var s = Scoring().State;
        var why = Refused(ExperimentDecisions.ShardDone(s, 0, 0, [Candidate(3, 1), Candidate(image, 1)], 1));
        Assert.Equal($"shard 0 of cycle 0 returned image {image}, which is not in the shard", why);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    public void A_shard_result_with_a_region_outside_the_grid_is_refused(int region)
    {
        var why = Refused(ExperimentDecisions.ShardDone(Scoring().State, 0, 0, [Candidate(3, region)], 1));
        Assert.Equal($"shard 0 returned region {region}, outside the grid of 4", why);
    }

    [Fact]
    public void A_shard_result_with_an_initially_labeled_region_is_refused()
    {
        var why = Refused(ExperimentDecisions.ShardDone(Scoring().State, 0, 0, [Candidate(3, 1), Candidate(2, 3)], 1));
        Assert.Equal("shard 0 returned region 2:3, which is already labeled", why);
    }

    [Fact]
    public void A_shard_result_with_a_region_acquired_in_an_earlier_cycle_is_refused()
    {
        var j = Scoring(cycle: 1);
        var why = Refused(ExperimentDecisions.ShardDone(j.State, 1, 2, [Candidate(8, 2)], 1));
        Assert.Equal("shard 2 returned region 8:2, which is already labeled", why);
    }

    [Fact]
    public void A_shard_result_with_a_region_twice_is_refused()
    {
        // The merge would reject it on every restart once persisted, so it must not reach the journal.
        var why = Refused(ExperimentDecisions.ShardDone(Scoring().State, 0, 0, [Candidate(3, 1, 0.9), Candidate(0, 2), Candidate(3, 1, 0.2)], 1));
        Assert.Equal("shard 0 returned region 3:1 twice", why);
    }

    [Fact]
    public void A_shard_result_with_a_nan_score_is_refused()
    {
        var why = Refused(ExperimentDecisions.ShardDone(Scoring().State, 0, 0, [Candidate(3, 1, double.NaN)], 1));
        Assert.Equal("shard 0 returned region 3:1 with a NaN score", why);
    }

    [Theory]
    [InlineData(10, 0)]
    [InlineData(-1, 0)]
    [InlineData(3, 4)]
    [InlineData(3, -1)]
    public void An_acquisition_outside_the_pool_is_refused(int image, int region)
    {
        var why = Refused(ExperimentDecisions.Acquire(Acquiring().State, 0, [new(3, 1), new(image, region)]));
        Assert.Equal($"acquired region {image}:{region} is outside the pool", why);
    }

    [Theory]
    [InlineData(0, 0)] // initial region
    [InlineData(4, 2)] // region of a fully labeled image
    public void An_acquisition_of_a_labeled_region_is_refused(int image, int region)
    {
        var why = Refused(ExperimentDecisions.Acquire(Acquiring().State, 0, [new(3, 1), new(image, region)]));
        Assert.Equal($"region {image}:{region} is already labeled", why);
    }

    [Fact]
    public void An_acquisition_of_a_region_acquired_in_an_earlier_cycle_is_refused()
    {
        var j = Scoring(cycle: 1);
        foreach (var shard in j.State.MissingShards()) j.Do(s => ExperimentDecisions.ShardDone(s, 1, shard.Index, [], 1));
        Assert.Equal("region 3:1 is already labeled", Refused(ExperimentDecisions.Acquire(j.State, 1, [new(3, 1)])));
    }

    [Fact]
    public void An_acquisition_with_a_region_twice_is_refused()
    {
        var why = Refused(ExperimentDecisions.Acquire(Acquiring().State, 0, [new(3, 1), new(5, 0), new(3, 1)]));
        Assert.Equal("region 3:1 is acquired twice in cycle 0", why);
    }

    public static TheoryData<ExperimentPlan, string> Contradictions => new()
    {
        { Plan(runDirectory: "/elsewhere"), "run folder /runs/exp-1 vs /elsewhere" },
        { Plan(definition: """{"dataset":"camvid"}"""), "experiment settings differ" },
        { Plan(pool: 12), "pool of 10 vs 12 images" },
        { Plan(regions: 8), "4 vs 8 regions per image" },
        { Plan(lastCycle: 5), "last cycle 2 vs 5" },
        { Plan(shardSize: 4), "shard size 3 vs 4" },
        { Plan(fully: [1]), "initial fully labeled images differ" },
        { Plan(initial: [new(0, 0)]), "initial labeled regions differ" },
    };

    [Theory]
    [MemberData(nameof(Contradictions))]
    public void A_submission_that_contradicts_the_existing_plan_is_refused_naming_the_difference(ExperimentPlan plan, string difference)
    {
        var existing = ExperimentState.Submit(Plan());
        var why = Refused(ExperimentDecisions.Submit(existing, plan));
        Assert.Equal($"experiment exp-1 already exists with other settings ({difference}); use another run folder or experiment id", why);
    }

    public static TheoryData<ExperimentPlan, string> InvalidPlans => new()
    {
        { Plan(runDirectory: " "), "plan.RunDirectory is empty" },
        { Plan(definition: ""), "plan.Definition is empty" },
        { Plan(pool: 0, fully: [], initial: []), "plan.PoolImages 0 must be at least 1" },
        { Plan(regions: 0, initial: []), "plan.RegionsPerImage 0 must be at least 1" },
        { Plan(lastCycle: -1), "plan.LastCycle -1 must not be negative" },
        { Plan(shardSize: 0), "plan.ShardSize 0 must be at least 1" },
        { Plan(fully: [1, 10]), "plan.InitialFullyLabeled holds image 10, outside the pool of 10" },
        { Plan(fully: [-1]), "plan.InitialFullyLabeled holds image -1, outside the pool of 10" },
        { Plan(initial: [new(10, 0)]), "plan.InitialRegions holds region 10:0, outside 10 images of 4 regions" },
        { Plan(initial: [new(0, 4)]), "plan.InitialRegions holds region 0:4, outside 10 images of 4 regions" },
        { Plan(initial: [new(0, -1)]), "plan.InitialRegions holds region 0:-1, outside 10 images of 4 regions" },
    };

    [Theory]
    [MemberData(nameof(InvalidPlans))]
    public void An_invalid_plan_is_refused_naming_the_field(ExperimentPlan plan, string message)
    {
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => plan.Validate()).Message);
        Assert.Equal(message, Refused(ExperimentDecisions.Submit(null, plan)));
        Assert.Equal(message, Refused(ExperimentDecisions.Submit(ExperimentState.Submit(Plan()), plan)));
        Assert.Throws<ArgumentException>(() => ExperimentState.Submit(plan));
    }

    [Fact]
    public void A_valid_plan_validates_to_itself()
    {
        var plan = Plan();
        Assert.Same(plan, plan.Validate());
    }
}
