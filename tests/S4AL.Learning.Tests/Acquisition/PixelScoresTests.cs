using S4AL.Learning.Acquisition;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Acquisition;

public class PixelScoresTests
{
    /// <summary>[1,C,1,N]: one pixel per given distribution.</summary>
    static Tensor Pixels(params float[][] distributions)
    {
        int c = distributions[0].Length, n = distributions.Length;
        var data = new float[c * n];
        for (int p = 0; p < n; p++)
            for (int k = 0; k < c; k++)
                data[k * n + p] = distributions[p][k];
        return tensor(data, [1, c, 1, n]);
    }

    static float[] Scores(AcquisitionMetric metric, params float[][] distributions)
    {
        using var scope = NewDisposeScope();
        var s = PixelScores.Compute(Pixels(distributions), metric);
        Assert.Equal(new long[] { 1, 1, distributions.Length }, s.shape);
        return s.data<float>().ToArray();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(11)]
    public void Uniform_distribution_has_maximal_entropy_and_confusion(int classes)
    {
        var uniform = Enumerable.Repeat(1f / classes, classes).ToArray();
        Assert.Equal(Math.Log(classes), Scores(AcquisitionMetric.Entropy, uniform)[0], 5);
        Assert.Equal(1 - 1.0 / classes, Scores(AcquisitionMetric.LeastConfidence, uniform)[0], 6);
        Assert.Equal(0, Scores(AcquisitionMetric.Margin, uniform)[0], 6);
    }

    [Fact]
    public void One_hot_distribution_scores_lowest_and_entropy_is_not_nan()
    {
        var oneHot = new[] { 0f, 1f, 0f, 0f };
        Assert.Equal(0f, Scores(AcquisitionMetric.Entropy, oneHot)[0]);
        Assert.Equal(0f, Scores(AcquisitionMetric.LeastConfidence, oneHot)[0]);
        Assert.Equal(-1f, Scores(AcquisitionMetric.Margin, oneHot)[0]);
    }

    [Fact]
    public void Values_match_hand_computation()
    {
        float[] a = [0.5f, 0.3f, 0.2f], b = [0.1f, 0.6f, 0.3f];
        var entropy = Scores(AcquisitionMetric.Entropy, a, b);
        Assert.Equal(-(0.5 * Math.Log(0.5) + 0.3 * Math.Log(0.3) + 0.2 * Math.Log(0.2)), entropy[0], 5);
        Assert.Equal(-(0.1 * Math.Log(0.1) + 0.6 * Math.Log(0.6) + 0.3 * Math.Log(0.3)), entropy[1], 5);
        var lc = Scores(AcquisitionMetric.LeastConfidence, a, b);
        Assert.Equal(0.5, lc[0], 6);
        Assert.Equal(0.4, lc[1], 6);
        var margin = Scores(AcquisitionMetric.Margin, a, b);
        Assert.Equal(-(0.5 - 0.3), margin[0], 6);
        Assert.Equal(-(0.6 - 0.3), margin[1], 6);
    }

    [Fact]
    public void Scores_every_pixel_of_a_batch_independently()
    {
        using var scope = NewDisposeScope();
        var probs = nn.functional.softmax(randn(2, 4, 3, 5, generator: new Generator(7)), 1);
        var s = PixelScores.Compute(probs, AcquisitionMetric.Entropy);
        Assert.Equal(new long[] { 2, 3, 5 }, s.shape);
        // Pixel (1, 2, 4) computed on its own.
        var p = probs[1, TensorIndex.Colon, 2, 4].data<float>().ToArray();
        Assert.Equal(-p.Sum(x => x * Math.Log(x)), s[1, 2, 4].item<float>(), 5);
    }

    [Fact]
    public void Bad_inputs_are_rejected()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => PixelScores.Compute(ones(2, 3, 4), AcquisitionMetric.Entropy));
        Assert.Throws<ArgumentException>(() => PixelScores.Compute(ones(1, 3, 2, 2, dtype: int64), AcquisitionMetric.Entropy));
        Assert.Throws<ArgumentException>(() => PixelScores.Compute(ones(1, 1, 2, 2), AcquisitionMetric.Margin));
        var e = Assert.Throws<ArgumentException>(() => PixelScores.Compute(ones(1, 3, 2, 2) / 3, AcquisitionMetric.Random));
        Assert.Contains("regions", e.Message);
    }

    [Fact]
    public void Labeled_pixel_value_is_each_metrics_minimum()
    {
        // A labeled pixel must never make a partly labeled region more attractive.
        Assert.Equal(0f, PixelScores.LabeledPixelValue(AcquisitionMetric.Entropy));
        Assert.Equal(0f, PixelScores.LabeledPixelValue(AcquisitionMetric.LeastConfidence));
        Assert.Equal(-1f, PixelScores.LabeledPixelValue(AcquisitionMetric.Margin));
        Assert.Equal(-1f, Scores(AcquisitionMetric.Margin, [1f, 0f])[0]);
    }
}
