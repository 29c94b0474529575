using S4AL.Domain.Acquisition;
using System.CommandLine;
using S4AL.Learning.Acquisition;
using S4AL.Learning.ActiveLearning;
using S4AL.Node.Commands;

namespace S4AL.Node.Tests;

/// <summary>The options that define an experiment, parsed in process: defaults, the authors' preset and what wins.</summary>
public class RunOptionsTests
{
    static RunRequest Read(params string[] args)
    {
        var options = new RunOptions();
        var command = new Command("run");
        options.AddTo(command);
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        return options.Read(parse);
    }

    [Fact]
    public void By_default_acquired_regions_are_in_the_supervised_loss()
    {
        var settings = Read().Settings;
        Assert.True(settings.SupervisedOnAcquiredRegions);
        Assert.Equal(new ActiveLearningSettings().EpochsPerCycle, settings.EpochsPerCycle);
        Assert.False(Read("--sup-on-regions", "false").Settings.SupervisedOnAcquiredRegions);
        Assert.True(Read("--sup-on-regions").Settings.SupervisedOnAcquiredRegions);
    }

    [Fact]
    public void Full_and_supervised_training_can_stop_at_convergence_and_s4al_cannot()
    {
        Assert.Null(Read("--mode", "full").Settings.Convergence);
        Assert.Equal(new ConvergenceRule(2, 3), Read("--mode", "full", "--eval-every", "2").Settings.Convergence);
        Assert.Equal(new ConvergenceRule(1, 5), Read("--mode", "supervised", "--eval-every", "1", "--patience", "5").Settings.Convergence);
        Assert.Equal("--eval-every: stopping at convergence is for --mode full or supervised (an S4AL round's length is part of the method)",
            Assert.Throws<UsageException>(() => Read("--eval-every", "2")).Message);
        Assert.Equal("--patience goes with --eval-every K", Assert.Throws<UsageException>(() => Read("--mode", "full", "--patience", "2")).Message);
        Assert.Equal("--eval-every 0: must be at least 1", Assert.Throws<UsageException>(() => Read("--mode", "full", "--eval-every", "0")).Message);
        Assert.Equal("--patience 0: must be at least 1", Assert.Throws<UsageException>(() => Read("--mode", "full", "--eval-every", "1", "--patience", "0")).Message);
        // Left out of settings.json when unset: existing run folders keep their definition and checkpoints' settings hash.
        Assert.DoesNotContain("\"convergence\"", new ExperimentDefinition(new(), Read("--mode", "full").Settings).ToJson());
        var json = new ExperimentDefinition(new(), Read("--mode", "full", "--eval-every", "2").Settings).ToJson();
        Assert.Contains("\"convergence\"", json);
        Assert.Equal(new ConvergenceRule(2, 3), ExperimentDefinition.FromJson(json, "test").Settings.Convergence);
    }

    [Fact]
    public void The_authors_preset_sets_every_value_of_their_code_and_command_line()
    {
        var authors = Read("--preset", "authors").Settings;
        Assert.False(authors.SupervisedOnAcquiredRegions);
        Assert.Equal(100, authors.EpochsPerCycle);
        Assert.Equal(50, authors.IterationsPerEpoch);
        Assert.Equal(30, authors.RegionSize);
        Assert.Equal(SelectionBudget.PerImage(4), authors.Budget);
        Assert.Equal(ScoringNetwork.Student, authors.Scorer);
        // The cold start and replay warm-up keep the authors' 10 and 30 of 100 epochs.
        Assert.Equal(10, authors.Ssl.ColdStartEpochs);
        Assert.Equal(30, authors.Ssl.ReplayWarmupEpochs);
    }

    [Fact]
    public void Options_given_explicitly_win_over_the_preset()
    {
        var s = Read("--preset", "authors", "--epochs", "10", "--iters", "80", "--region-size", "8", "--budget", "global", "--global-budget", "160", "--metric", "random").Settings;
        Assert.False(s.SupervisedOnAcquiredRegions);
        Assert.Equal((10, 80, 8), (s.EpochsPerCycle, s.IterationsPerEpoch, s.RegionSize));
        Assert.Equal(SelectionBudget.Global(160), s.Budget);
        Assert.Equal(AcquisitionMetric.Random, s.Metric);
        Assert.Equal((1, 3), (s.Ssl.ColdStartEpochs, s.Ssl.ReplayWarmupEpochs));
        Assert.True(Read("--preset", "authors", "--sup-on-regions", "true").Settings.SupervisedOnAcquiredRegions);
    }

    [Fact]
    public void An_unknown_preset_is_an_error_naming_it()
    {
        var e = Assert.Throws<UsageException>(() => Read("--preset", "paper"));
        Assert.Contains("--preset paper", e.Message);
        Assert.Contains("authors", e.Message);
    }
}
