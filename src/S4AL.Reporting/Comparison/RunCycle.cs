namespace S4AL.Reporting.Comparison;

/// <summary>
/// One cycle of a finished run as its cycles.json gives it: trained on <see cref="LabeledPixelShare"/>
/// (0..1) of the pool's pixels. <see cref="MeanIoU"/> is null when the cycle measured nothing (no
/// labeled validation images), which is not the same as 0.
/// </summary>
public sealed record RunCycle(int Cycle, double LabeledPixelShare, double? MeanIoU, IReadOnlyList<ClassIou> ClassIoU);
