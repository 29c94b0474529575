using S4AL.Domain.Experiments;
using S4AL.Learning.ActiveLearning;

namespace S4AL.Learning.Tests.ActiveLearning;

public class ConvergenceRuleTests
{
    static IReadOnlyList<TrainingCurvePoint> Curve(params double[] mious) =>
        mious.Select((m, i) => new TrainingCurvePoint((i + 1) * 5, (i + 1) * 400L, m)).ToList();

    [Fact]
    public void Evaluations_are_due_every_k_epochs_and_never_before_the_first_epoch()
    {
        var rule = new ConvergenceRule(EvaluateEveryEpochs: 5, Patience: 3);
        Assert.Equal([5, 10, 15], Enumerable.Range(0, 17).Where(rule.IsDue));
    }

    [Theory]
    // Three in a row without beating the best before them: converged.
    [InlineData(new[] { 0.30, 0.40, 0.39, 0.40, 0.38 }, true)]
    // Equal to the best is no gain.
    [InlineData(new[] { 0.40, 0.40, 0.40, 0.40 }, true)]
    // A gain in the last three: not yet.
    [InlineData(new[] { 0.30, 0.40, 0.39, 0.41, 0.38 }, false)]
    // Still rising.
    [InlineData(new[] { 0.30, 0.35, 0.40, 0.45 }, false)]
    // Fewer than patience + 1 evaluations: never.
    [InlineData(new[] { 0.50, 0.40, 0.30 }, false)]
    [InlineData(new double[0], false)]
    public void A_round_has_converged_when_the_last_evaluations_bring_no_gain(double[] mious, bool converged) =>
        Assert.Equal(converged, new ConvergenceRule(5, Patience: 3).HasConverged(Curve(mious)));

    [Fact]
    public void The_best_evaluation_is_reported_the_earliest_of_equals()
    {
        var curve = Curve(0.30, 0.42, 0.41, 0.42, 0.40);
        Assert.Equal(new TrainingCurvePoint(10, 800, 0.42), ConvergenceRule.Best(curve));
        Assert.Throws<ArgumentException>(() => ConvergenceRule.Best([]));
    }

    [Fact]
    public void Settings_below_one_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvergenceRule(0, 3).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvergenceRule(5, 0).Validate());
        new ConvergenceRule(1, 1).Validate();
    }
}
