using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Node.Commands;
using S4AL.Node.Sweeps;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Node.Tests;

/// <summary>A sweep's grid: names, layered options, dependencies and the errors a user meets first.</summary>
public class SweepGridTests
{
    static SweepSetting S(string text) => SweepSetting.Parse(text);
    static SweepAxis A(string text) => SweepAxis.Parse(text);

    [Fact]
    public void Settings_times_varied_values_times_seeds_in_that_order_with_later_layers_winning()
    {
        var grid = SweepGrid.Expand(["--net", "tiny", "--epochs", "4"], [S("s4al="), S("full=--mode full --epochs 8")], [A("metric=entropy,random")], [1, 2]);
        Assert.Equal(new[]
        {
            "s4al_metric-entropy-s1", "s4al_metric-entropy-s2", "s4al_metric-random-s1", "s4al_metric-random-s2",
            "full_metric-entropy-s1", "full_metric-entropy-s2", "full_metric-random-s1", "full_metric-random-s2",
        }, grid.Select(e => e.Name));
        Assert.Equal(new[] { "--net", "tiny", "--epochs", "4", "--metric", "random" }, grid[3].Arguments.ToArray());
        // The setting's --epochs replaces the shared one where it stood.
        Assert.Equal(new[] { "--net", "tiny", "--epochs", "8", "--mode", "full", "--metric", "entropy" }, grid[4].Arguments.ToArray());
        Assert.Equal((2, "full", "random"), (grid[7].Seed, grid[7].Setting, grid[7].Varied.Single().Value));
    }

    [Fact]
    public void Without_settings_or_axes_the_names_are_the_varied_values_or_run()
    {
        Assert.Equal(["mode-s4al_metric-random-s3", "mode-full_metric-random-s3"],
            SweepGrid.Expand([], [], [A("mode=s4al,full"), A("metric=random")], [3]).Select(e => e.Name));
        Assert.Equal(["run-s1", "run-s2"], SweepGrid.Expand(["--net", "tiny"], [], [], [1, 2]).Select(e => e.Name));
        // Characters a folder name should not hold become '-'.
        Assert.Equal("data-root-data-camvid-s1", SweepGrid.Expand([], [], [A("data-root=/data/camvid")], [1]).Single().Name);
    }

    [Fact]
    public void A_dependency_names_the_experiment_of_the_other_setting_with_the_same_values_and_seed()
    {
        var grid = SweepGrid.Expand([], [S("sup=--mode supervised --labeled-from-setting s4al --cycles 0"), S("s4al=")], [A("budget=global,per-image")], [1, 2]);
        var sup = grid.Single(e => e.Name == "sup_budget-per-image-s2");
        Assert.Equal(("s4al_budget-per-image-s2", "s4al"), (sup.LabeledSetFrom, sup.LabeledSetFromSetting));
        Assert.Equal(new[] { "--mode", "supervised", "--cycles", "0", "--budget", "per-image" }, sup.Arguments.ToArray());
        Assert.All(grid.Where(e => e.Setting == "s4al"), e => Assert.Null(e.LabeledSetFrom));
    }

    [Theory]
    [InlineData("--seed 3", "--seed is set by the sweep for each experiment (give seeds with --seeds)")]
    [InlineData("--run-dir x", "--run-dir is set by the sweep")]
    [InlineData("--labeled-from-setting a", "--labeled-from-setting belongs in a --setting")]
    [InlineData("tiny", "'tiny' is not an option")]
    public void Shared_options_the_sweep_decides_are_refused(string shared, string message) =>
        Assert.Contains(message, Assert.Throws<UsageException>(() => SweepGrid.Expand(shared.Split(' '), [], [], [1])).Message);

    [Fact]
    public void Bad_grids_are_refused_naming_what_is_wrong()
    {
        string Error(Action a) => Assert.Throws<UsageException>(a).Message;
        Assert.Contains("names no setting of this sweep (a, b)", Error(() => SweepGrid.Expand([], [S("a="), S("b=--labeled-from-setting c")], [], [1])));
        Assert.Contains("a -> b -> a depend on each other in a circle", Error(() => SweepGrid.Expand([], [S("a=--labeled-from-setting b"), S("b=--labeled-from-setting a")], [], [1])));
        Assert.Contains("'a' is given twice", Error(() => SweepGrid.Expand([], [S("a="), S("a=--net tiny")], [], [1])));
        Assert.Contains("option 'metric' is varied twice", Error(() => SweepGrid.Expand([], [], [A("metric=a"), A("metric=b")], [1])));
        Assert.Contains("give --labeled-from-setting or --labeled-from, not both", Error(() => SweepGrid.Expand([], [S("a="), S("b=--labeled-from x.json --labeled-from-setting a")], [], [1])));
        Assert.Contains("--vary run-dir: the sweep sets --run-dir", Error(() => SweepGrid.Expand([], [], [A("run-dir=a,b")], [1])));
        Assert.Contains("both be named 'metric-a-b-s1'", Error(() => SweepGrid.Expand([], [], [A("metric=a/b,a:b")], [1])));
        Assert.Contains("give seeds with --seeds", Error(() => A("seed=1,2")));
        Assert.Contains("a value is given twice", Error(() => A("metric=a,a")));
        Assert.Contains("expected OPTION=V1,V2", Error(() => A("metric")));
        Assert.Contains("expected NAME=OPTIONS", Error(() => S("--mode full")));
        Assert.Contains("a quote is not closed", Error(() => S("a=--classes \"x,y")));
        Assert.Contains("seed 2 is given twice", Error(() => SweepGrid.ParseSeeds("1,2,2")));
        Assert.Contains("'x' is not a seed", Error(() => SweepGrid.ParseSeeds("1,x")));
    }

    [Fact]
    public void Setting_options_split_like_a_shell() =>
        Assert.Equal(new[] { "--classes", "road, car", "--mode", "full" }, S("a=--classes 'road, car'  --mode full").Options.ToArray());

    static SweepFile File() => new("t", [],
    [
        new SweepFileExperiment("s4al-s1", "t.s4al-s1", "s4al", 1, new Dictionary<string, string>(), "/r/s4al-s1", null, null),
        new SweepFileExperiment("sup-s1", "t.sup-s1", "sup", 1, new Dictionary<string, string>(), "/r/sup-s1", "s4al-s1", null),
        new SweepFileExperiment("again-s1", "t.again-s1", "again", 1, new Dictionary<string, string>(), "/r/again-s1", null, "s4al-s1"),
    ]);

    static ExperimentStatus Status(string id, CyclePhase phase, string? waitingFor = null, string? error = null, params double[] miou) =>
        ExperimentStatus.Unknown(ExperimentId.Parse(id)) with
        {
            Found = true, Phase = phase, Cycle = miou.Length, LastCycle = 2, Attempt = 1,
            Completed = miou.Select((m, i) => new CycleRecord(i, new CycleEvaluation(2, [(long)(100 * m), 0, 0, (long)(100 * m)], 0.1, 1),
                new CheckpointRef("c", new string('a', 64), i, 1, 1), [], 0, 1)).ToArray(),
            WaitingFor = waitingFor is null ? null : ExperimentId.Parse(waitingFor), Error = error,
        };

    [Fact]
    public void The_table_shows_cycle_phase_miou_and_why_an_experiment_waits()
    {
        var rows = SweepTable.Rows(File(), [Status("t.s4al-s1", CyclePhase.Training, miou: [0.5, 0.75]), Status("t.sup-s1", CyclePhase.Waiting, "t.s4al-s1")]);
        Assert.Equal(new SweepRow("s4al-s1", "2/2", "training", "1.0000 1.0000", ""), rows[0]);
        Assert.Equal(new SweepRow("sup-s1", "", "waiting", "", "starts from the labeled set of s4al-s1"), rows[1]);
        Assert.Equal("identical to s4al-s1: trained once", rows[2].Note);
        Assert.Equal("not submitted", SweepTable.Rows(File(), [])[0].Phase);
        // No trainer has taken it yet (attempt 0); once one has, the row names it.
        Assert.Equal("queued", SweepTable.Rows(File(), [Status("t.s4al-s1", CyclePhase.Training) with { Attempt = 0 }])[0].Phase);
        Assert.Equal("on node-b, attempt 2", SweepTable.Rows(File(), [Status("t.s4al-s1", CyclePhase.Training) with { Attempt = 2, Trainer = "node-b" }])[0].Note);
    }

    [Fact]
    public void A_sweep_ends_when_every_experiment_is_done_or_cannot_go_on_because_of_a_failure()
    {
        Assert.Null(SweepOutcome.Of(File(), [Status("t.s4al-s1", CyclePhase.Done), Status("t.sup-s1", CyclePhase.Training)]));
        Assert.Empty(SweepOutcome.Of(File(), [Status("t.s4al-s1", CyclePhase.Done), Status("t.sup-s1", CyclePhase.Done)])!.Failed);
        // The failed experiment's dependent would wait forever: the sweep ends, naming the failure only.
        var failed = SweepOutcome.Of(File(), [Status("t.s4al-s1", CyclePhase.Training, error: "training failed: boom"), Status("t.sup-s1", CyclePhase.Waiting, "t.s4al-s1")]);
        Assert.Equal([("s4al-s1", "training failed: boom")], failed!.Failed);
        Assert.Null(SweepOutcome.Of(File(), [Status("t.s4al-s1", CyclePhase.Training), Status("t.sup-s1", CyclePhase.Waiting, "t.s4al-s1")]));
        Assert.Null(SweepOutcome.Of(File(), [Status("t.s4al-s1", CyclePhase.Done)]));
    }
}
