using S4AL.Domain.Experiments;
using S4AL.Domain;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Regions;
using S4AL.Learning.Data.Scenes;
using S4AL.Learning.Networks;
using S4AL.Learning.Training;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.ActiveLearning;

/// <summary>A fully supervised round evaluated as it trains: stops at convergence, and a resumed round keeps its curve.</summary>
public class ConvergenceRunTests
{
    static ActiveLearningSettings Full(ConvergenceRule? rule) => new()
    {
        Mode = TrainingMode.FullySupervised,
        EpochsPerCycle = 20,
        IterationsPerEpoch = 2,
        BatchSize = 4,
        RegionSize = 8,
        Network = NetworkKind.Tiny,
        Ssl = new SslSettings { ColdStartEpochs = 1, ReplayWarmupEpochs = 2 },
        Seed = 5,
        Convergence = rule,
    };

    static readonly SyntheticSceneDataset Pool = new(8, seed: 21, height: 16, width: 16);

    static CycleTrainingRun NewRun(ActiveLearningSettings settings) =>
        new(Pool, settings, CPU, 0, settings.LastCycle(), LabeledRegionSet.Empty(Pool.Count, new RegionGrid(16, 16, 8)).WithFullyLabeled(Enumerable.Range(0, Pool.Count)));

    [Fact]
    public void A_round_stops_once_the_rule_sees_no_gain_and_not_before()
    {
        using var run = NewRun(Full(new ConvergenceRule(EvaluateEveryEpochs: 2, Patience: 2)));
        Assert.Equal(40, run.Epochs);
        double[] mious = [0.30, 0.40, 0.39, 0.40];
        foreach (var miou in mious)
        {
            Assert.False(run.IsFinished);
            run.RunEpoch();
            Assert.False(run.EvaluationDue);
            Assert.Throws<InvalidOperationException>(() => run.RecordEvaluation(0));
            run.RunEpoch();
            Assert.True(run.EvaluationDue);
            run.RecordEvaluation(miou);
            Assert.False(run.EvaluationDue);
        }
        // 0.39 and 0.40 after the best 0.40: two evaluations without a gain.
        Assert.True(run.IsFinished);
        Assert.Equal(8, run.EpochsDone);
        Assert.Equal([2, 4, 6, 8], run.Curve.Select(p => p.EpochsDone));
        Assert.Equal([4L, 8, 12, 16], run.Curve.Select(p => p.Steps));
        Assert.Equal(new TrainingCurvePoint(4, 8, 0.40), ConvergenceRule.Best(run.Curve));
    }

    [Fact]
    public void A_resumed_round_continues_the_same_curve()
    {
        var settings = Full(new ConvergenceRule(1, 3));
        var dir = Directory.CreateTempSubdirectory("s4al-convergence-").FullName;
        var path = Path.Combine(dir, "cp" + Learning.Checkpoints.CheckpointFile.Extension);
        IReadOnlyList<TrainingCurvePoint> before;
        using (var run = NewRun(settings))
        {
            foreach (var miou in new[] { 0.2, 0.3 })
            {
                run.RunEpoch();
                run.RecordEvaluation(miou);
            }
            before = run.Curve.ToList();
            run.SaveCheckpoint(path);
        }
        using var resumed = CycleTrainingRun.Resume(path, null, Pool, settings, CPU, 0, 0,
            LabeledRegionSet.Empty(Pool.Count, new RegionGrid(16, 16, 8)).WithFullyLabeled(Enumerable.Range(0, Pool.Count)));
        Assert.Equal(before, resumed.Curve);
        Assert.Equal(2, resumed.EpochsDone);
        Assert.False(resumed.EvaluationDue);
        resumed.RunEpoch();
        Assert.Equal(new TrainingCurvePoint(3, 6, 0.25), resumed.RecordEvaluation(0.25));
    }

    [Fact]
    public void Without_a_rule_nothing_is_evaluated_and_checkpoints_carry_no_curve()
    {
        using var run = NewRun(Full(null));
        run.RunEpoch();
        Assert.False(run.EvaluationDue);
        Assert.Null(run.Position.Curve);
    }

    [Fact]
    public void Stopping_at_convergence_is_refused_for_s4al_and_for_a_rule_below_one()
    {
        var e = Assert.Throws<ArgumentException>(() => (Full(new ConvergenceRule(1, 3)) with { Mode = TrainingMode.S4al }).Validate());
        Assert.Contains("setting Convergence", e.Message);
        e = Assert.Throws<ArgumentException>(() => Full(new ConvergenceRule(1, 0)).Validate());
        Assert.Contains("Convergence.Patience = 0", e.Message);
    }
}
