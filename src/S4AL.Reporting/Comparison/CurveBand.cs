namespace S4AL.Reporting.Comparison;

/// <summary>
/// One cycle of a setting's learning curve: at <see cref="LabeledPercent"/> of the pool's pixels
/// (the mean over seeds, in percent) the mean mIoU of the <see cref="Seeds"/> seeds that
/// measured it, with their lowest and highest.
/// </summary>
public sealed record CurveBand(int Cycle, double LabeledPercent, double Mean, double Min, double Max, int Seeds);
