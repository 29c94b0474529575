using S4AL.Learning.Training;

namespace S4AL.Learning.Tests.Training;

public class PolyLrAndSettingsTests
{
    [Theory]
    [InlineData(0, 100, 0.01)]
    [InlineData(50, 100, 0.005358867312681466)] // 0.01 * 0.5^0.9
    [InlineData(99, 100, 1.5848931924611134e-4)] // 0.01 * 0.01^0.9
    [InlineData(100, 100, 1e-6)]                 // floored at min lr
    public void Poly_schedule_follows_the_authors_formula(int epoch, int total, double expected)
    {
        Assert.Equal(expected, PolyLrSchedule.LearningRate(new SslSettings(), epoch, total), 12);
    }

    [Fact]
    public void Poly_schedule_rejects_epochs_outside_the_run()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PolyLrSchedule.LearningRate(0.01, 101, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => PolyLrSchedule.LearningRate(0.01, -1, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => PolyLrSchedule.LearningRate(0.01, 0, 0));
    }

    [Fact]
    public void Defaults_are_the_authors_code()
    {
        var s = new SslSettings().Validate();
        Assert.Equal((0.01, 0.9, true, 5e-4, 0.99), (s.LearningRate, s.Momentum, s.Nesterov, s.WeightDecay, s.EmaDecay));
        Assert.Equal((10, 1.5, 30, 1, 50), (s.ColdStartEpochs, s.ColdStartSupervisedWeight, s.ReplayWarmupEpochs, s.ReplayFromCycle, s.ReplayCapacity));
        Assert.Equal((0.97, 0.75, 1.25, 3, 2), (s.ConfidenceThreshold, s.ScaleMin, s.ScaleMax, s.BalancedHeadClasses, s.BalancedTailClasses));
        Assert.True(s.IsColdStart(9));
        Assert.False(s.IsColdStart(10));
        Assert.False(s.UsesReplay(0, 50));
        Assert.False(s.UsesReplay(1, 29));
        Assert.True(s.UsesReplay(1, 30));
        Assert.False(s.FillsReplay(1, 9));
        Assert.True(s.FillsReplay(1, 10));
    }

    [Theory]
    [InlineData(nameof(SslSettings.LearningRate))]
    [InlineData(nameof(SslSettings.EmaDecay))]
    [InlineData(nameof(SslSettings.ScaleMax))]
    [InlineData(nameof(SslSettings.ReplayCapacity))]
    [InlineData(nameof(SslSettings.ConfidenceThreshold))]
    [InlineData(nameof(SslSettings.ColorJitterProbability))]
    [InlineData(nameof(SslSettings.BalancedTailClasses))]
    public void Invalid_settings_name_the_setting(string name)
    {
        var bad = name switch
        {
            nameof(SslSettings.LearningRate) => new SslSettings { LearningRate = -1 },
            nameof(SslSettings.EmaDecay) => new SslSettings { EmaDecay = 1.0 },
            nameof(SslSettings.ScaleMax) => new SslSettings { ScaleMin = 1.5, ScaleMax = 1.0 },
            nameof(SslSettings.ReplayCapacity) => new SslSettings { ReplayCapacity = 0 },
            nameof(SslSettings.ConfidenceThreshold) => new SslSettings { ConfidenceThreshold = 1.5 },
            nameof(SslSettings.ColorJitterProbability) => new SslSettings { ColorJitterProbability = double.NaN },
            _ => new SslSettings { BalancedHeadClasses = 0, BalancedTailClasses = 0 },
        };
        var ex = Assert.Throws<ArgumentException>(() => bad.Validate());
        Assert.Contains($"SslSettings.{name}", ex.Message);
    }
}
