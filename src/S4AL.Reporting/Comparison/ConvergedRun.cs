using S4AL.Domain.Experiments;
using S4AL.Learning.ActiveLearning;

namespace S4AL.Reporting.Comparison;

/// <summary>
/// A run whose last round was trained to convergence (e.g. full supervision with
/// <c>--eval-every</c>): its curve, the best evaluation (the model the run reports, so the level
/// "% of full" divides by) and the last (where the round stopped).
/// </summary>
public sealed record ConvergedRun(string Setting, int Seed, IReadOnlyList<TrainingCurvePoint> Curve)
{
    public TrainingCurvePoint Best => ConvergenceRule.Best(Curve);

    public TrainingCurvePoint Stopped => Curve[^1];

    public static IReadOnlyList<ConvergedRun> Of(IReadOnlyList<ComparedSetting> settings) =>
        settings.SelectMany(s => s.Runs.Where(r => r.Final.Curve is { Count: > 0 }).Select(r => new ConvergedRun(s.Name, r.Seed, r.Final.Curve!))).ToList();
}
