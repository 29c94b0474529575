using MessagePack;

namespace S4AL.Domain.Experiments;

/// <summary>
/// One evaluation on the validation split while a round trains (a round trained to convergence
/// is evaluated every few epochs and stops when the curve stops rising).
/// </summary>
/// <param name="EpochsDone">Epochs trained when it was measured.</param>
/// <param name="Steps">Optimizer steps (iterations) trained when it was measured.</param>
/// <param name="MeanIoU">Validation mIoU of the student.</param>
[MessagePackObject]
public sealed record TrainingCurvePoint(
    [property: Key(0)] int EpochsDone,
    [property: Key(1)] long Steps,
    [property: Key(2)] double MeanIoU);
