using S4AL.Domain.Experiments;

namespace S4AL.Reporting.Comparison;

/// <summary>
/// One cycle of a finished run as its cycles.json gives it: trained on <see cref="LabeledPixelShare"/>
/// (0..1) of the pool's pixels. <see cref="MeanIoU"/> is null when the cycle measured nothing (no
/// labeled validation images), which is not the same as 0. <see cref="Iterations"/>: the training
/// round's iterations (null in files written before they were kept). <see cref="Curve"/>: the
/// evaluations of a round trained to convergence (null for a fixed schedule).
/// </summary>
public sealed record RunCycle(int Cycle, double LabeledPixelShare, double? MeanIoU, IReadOnlyList<ClassIou> ClassIoU,
    long? Iterations = null, IReadOnlyList<TrainingCurvePoint>? Curve = null);
