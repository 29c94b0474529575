using S4AL.Learning.Acquisition;

namespace S4AL.Learning.Tests.Acquisition;

public class AcquisitionMetricTests
{
    [Theory]
    [InlineData("random", AcquisitionMetric.Random)]
    [InlineData("entropy", AcquisitionMetric.Entropy)]
    [InlineData("Entropy", AcquisitionMetric.Entropy)]
    [InlineData("least_confidence", AcquisitionMetric.LeastConfidence)]
    [InlineData("LeastConfidence", AcquisitionMetric.LeastConfidence)]
    [InlineData("least-confidence", AcquisitionMetric.LeastConfidence)]
    [InlineData(" MARGIN ", AcquisitionMetric.Margin)]
    public void Parses_names_ignoring_case_and_separators(string name, AcquisitionMetric expected)
    {
        Assert.Equal(expected, AcquisitionMetrics.Parse(name));
        Assert.True(AcquisitionMetrics.TryParse(name, out var m));
        Assert.Equal(expected, m);
    }

    [Theory]
    [InlineData("entropyy")]
    [InlineData("bald")]
    [InlineData("")]
    public void Unknown_name_is_rejected_with_the_valid_names(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => AcquisitionMetrics.Parse(name));
        Assert.Contains($"'{name}'", e.Message);
        foreach (var valid in new[] { "random", "least_confidence", "entropy", "margin" })
            Assert.Contains(valid, e.Message);
        Assert.False(AcquisitionMetrics.TryParse(name, out _));
    }

    [Fact]
    public void Every_metric_round_trips_through_its_name()
    {
        foreach (var metric in Enum.GetValues<AcquisitionMetric>())
            Assert.Equal(metric, AcquisitionMetrics.Parse(metric.ToName()));
        Assert.Equal(AcquisitionMetric.Entropy, AcquisitionMetrics.Default);
    }
}
