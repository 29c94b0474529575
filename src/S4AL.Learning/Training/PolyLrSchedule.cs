namespace S4AL.Learning.Training;

/// <summary>
/// The authors' PolyLR: lr = max(base * (1 - epoch/epochs)^power, minLr), stepped once per
/// epoch (epoch is the 0-based index of the epoch about to run).
/// </summary>
public static class PolyLrSchedule
{
    public static double LearningRate(double baseLr, int epoch, int totalEpochs, double power = 0.9, double minLr = 1e-6)
    {
        if (totalEpochs < 1) throw new ArgumentOutOfRangeException(nameof(totalEpochs), $"total epochs {totalEpochs} must be >= 1");
        if (epoch < 0 || epoch > totalEpochs) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch {epoch} must be in [0, {totalEpochs}]");
        return Math.Max(baseLr * Math.Pow(1.0 - (double)epoch / totalEpochs, power), minLr);
    }

    public static double LearningRate(SslSettings settings, int epoch, int totalEpochs) =>
        LearningRate(settings.LearningRate, epoch, totalEpochs, settings.PolyPower, settings.MinLearningRate);
}
