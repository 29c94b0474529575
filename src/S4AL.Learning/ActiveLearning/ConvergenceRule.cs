using S4AL.Domain.Experiments;

namespace S4AL.Learning.ActiveLearning;

/// <summary>
/// When a training round that is evaluated as it goes has stopped improving: "% of full
/// supervision" needs full supervision trained until validation mIoU no longer rises (issue 14),
/// and one run that stops there costs one schedule where a grid of ever longer schedules costs
/// their sum.
/// </summary>
/// <param name="EvaluateEveryEpochs">Epochs between two evaluations.</param>
/// <param name="Patience">Evaluations in a row without a gain after which the round stops.</param>
public sealed record ConvergenceRule(int EvaluateEveryEpochs, int Patience)
{
    /// <summary>Whether an evaluation is due after <paramref name="epochsDone"/> epochs.</summary>
    public bool IsDue(int epochsDone) => epochsDone > 0 && epochsDone % EvaluateEveryEpochs == 0;

    /// <summary>
    /// True when none of the last <see cref="Patience"/> evaluations beat the best one before them
    /// (equal is no gain). Fewer evaluations than Patience + 1 never converge.
    /// </summary>
    public bool HasConverged(IReadOnlyList<TrainingCurvePoint> curve)
    {
        if (curve.Count <= Patience) return false;
        double before = curve.Take(curve.Count - Patience).Max(p => p.MeanIoU);
        return curve.Skip(curve.Count - Patience).All(p => p.MeanIoU <= before);
    }

    /// <summary>The evaluation the round reports: the best, the earliest of equals (fewer steps for the same result).</summary>
    public static TrainingCurvePoint Best(IReadOnlyList<TrainingCurvePoint> curve)
    {
        if (curve.Count == 0) throw new ArgumentException("the curve has no evaluation", nameof(curve));
        var best = curve[0];
        foreach (var p in curve) if (p.MeanIoU > best.MeanIoU) best = p;
        return best;
    }

    public void Validate()
    {
        if (EvaluateEveryEpochs < 1) throw new ArgumentOutOfRangeException(nameof(EvaluateEveryEpochs), EvaluateEveryEpochs, "evaluate every 1 epoch or more");
        if (Patience < 1) throw new ArgumentOutOfRangeException(nameof(Patience), Patience, "a patience of at least 1 evaluation");
    }
}
