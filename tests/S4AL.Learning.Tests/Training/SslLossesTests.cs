using S4AL.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Training;

public class SslLossesTests
{
    static double Ce(double[] logits, int target)
    {
        double max = logits.Max();
        double lse = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
        return lse - logits[target];
    }

    /// <summary>[B,C,1,W] logits from per-pixel rows logits[b][x][c].</summary>
    static Tensor Logits(double[][][] logits)
    {
        int b = logits.Length, w = logits[0].Length, c = logits[0][0].Length;
        var data = new float[b * c * w];
        for (int i = 0; i < b; i++) for (int x = 0; x < w; x++) for (int k = 0; k < c; k++) data[(i * c + k) * w + x] = (float)logits[i][x][k];
        return tensor(data, [b, c, 1, w]);
    }

    [Fact]
    public void Supervised_loss_averages_cross_entropy_over_non_ignored_pixels()
    {
        using var scope = NewDisposeScope();
        double[][][] l = [[[2.0, 0.5, -1], [0.1, 0.2, 0.3], [3, -2, 0]]];
        var labels = tensor(new long[] { 1, 255, 0 }, [1, 1, 3]);
        var loss = SslLosses.Supervised(Logits(l), labels).item<float>();
        Assert.Equal((Ce(l[0][0], 1) + Ce(l[0][2], 0)) / 2, loss, 5);
    }

    [Fact]
    public void Supervised_loss_is_zero_not_nan_when_every_pixel_is_ignored()
    {
        using var scope = NewDisposeScope();
        var loss = SslLosses.Supervised(Logits([[[1.0, 2.0], [0.5, 0.1]]]), tensor(new long[] { 255, 255 }, [1, 1, 2])).item<float>();
        Assert.Equal(0f, loss);
    }

    [Fact]
    public void Unsupervised_loss_weights_pixels_by_confidence_and_images_by_eta()
    {
        using var scope = NewDisposeScope();
        // Image 0: p = 0.99 (confident), 0.97 (exactly the threshold, counts: >=), 0.5, ignore.
        // Image 1: p = 0.98, 0 (padding: no loss, not in the denominator), 0.6, 0.4.
        double[][][] l =
        [
            [[1, 0], [0, 2], [0.3, 0.2], [5, 5]],
            [[0, 1], [1, 1], [2, -1], [0.5, 0.7]],
        ];
        long[] t = [0, 1, 1, 255, 1, 0, 0, 1];
        double[] p = [0.99, 0.97, 0.5, 1.0, 0.98, 0.0, 0.6, 0.4];
        var targets = tensor(t, [2, 1, 4]);
        var confidence = tensor(p.Select(v => (float)v).ToArray(), [2, 1, 4]);

        var (loss, eta) = SslLosses.Unsupervised(Logits(l), targets, confidence, 0.97);

        // eta_b = #(valid with p >= 0.97) / #valid: image 0 -> 2/3 (the ignored p = 1 pixel does not count), image 1 -> 1/4.
        double[] expectedEta = [2.0 / 3, 1.0 / 4];
        Assert.Equal(expectedEta[0], eta[0].item<float>(), 5);
        Assert.Equal(expectedEta[1], eta[1].item<float>(), 5);
        double sum = 0; int counted = 0;
        for (int i = 0; i < 8; i++)
        {
            if (t[i] == 255) continue;
            double pixel = p[i] * Ce(l[i / 4][i % 4], (int)t[i]);
            if (pixel > 0) counted++;
            sum += expectedEta[i / 4] * pixel;
        }
        Assert.Equal(6, counted);
        Assert.Equal(sum / counted, loss.item<float>(), 5);
    }

    [Fact]
    public void Unsupervised_loss_without_confidence_weighting_uses_plain_cross_entropy()
    {
        using var scope = NewDisposeScope();
        double[][][] l = [[[1, 0], [0, 2]]];
        var targets = tensor(new long[] { 0, 0 }, [1, 1, 2]);
        var confidence = tensor(new float[] { 1f, 0.5f }, [1, 1, 2]);
        var (loss, eta) = SslLosses.Unsupervised(Logits(l), targets, confidence, 0.97, confidenceWeighting: false);
        Assert.Equal(0.5, eta.item<float>(), 6);
        Assert.Equal(0.5 * (Ce(l[0][0], 0) + Ce(l[0][1], 0)) / 2, loss.item<float>(), 5);
    }

    [Fact]
    public void Pseudo_labels_take_argmax_and_max_probability_and_annotated_pixels_take_the_truth()
    {
        using var scope = NewDisposeScope();
        double[][][] l = [[[2, 0, 0], [0, 0, 3], [1, 1, 4], [0, 5, 0]]];
        var annotated = tensor(new[] { false, true, true, false }, [1, 1, 4]);
        var truth = tensor(new long[] { 255, 0, 255, 255 }, [1, 1, 4]);
        var (labels, confidence) = SslLosses.PseudoLabels(Logits(l), annotated, truth);

        Assert.Equal(new long[] { 0, 0, 255, 1 }, labels.data<long>().ToArray());
        var p = confidence.data<float>().ToArray();
        Assert.Equal(Math.Exp(2) / (Math.Exp(2) + 2), p[0], 5);
        Assert.Equal(1f, p[1]);
        Assert.Equal(1f, p[2]);
        Assert.Equal(Math.Exp(5) / (Math.Exp(5) + 2), p[3], 5);
    }

    [Fact]
    public void Annotated_pixels_with_ignore_truth_drop_out_of_the_unsupervised_loss()
    {
        using var scope = NewDisposeScope();
        double[][][] teacher = [[[3, 0], [0, 3]]];
        var (labels, confidence) = SslLosses.PseudoLabels(Logits(teacher), tensor(new[] { false, true }, [1, 1, 2]), tensor(new long[] { 255, 255 }, [1, 1, 2]));
        double[][][] student = [[[0.2, 0.1], [-4, 4]]];
        var (loss, eta) = SslLosses.Unsupervised(Logits(student), labels, confidence, 0.97);
        double p0 = Math.Exp(3) / (Math.Exp(3) + 1);
        Assert.Equal(0f, eta.item<float>()); // the one valid pixel has p < 0.97
        Assert.Equal(0.0, loss.item<float>(), 6);
        var (lossNoThreshold, _) = SslLosses.Unsupervised(Logits(student), labels, confidence, 0.5);
        Assert.Equal(p0 * Ce(student[0][0], 0), lossNoThreshold.item<float>(), 5);
    }

    [Fact]
    public void Losses_reject_mismatched_shapes()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => SslLosses.Supervised(zeros(1, 2, 3, 4), zeros([1, 3, 5], ScalarType.Int64)));
        Assert.Contains("Supervised", ex.Message);
        Assert.Throws<ArgumentException>(() => SslLosses.Unsupervised(zeros(1, 2, 3, 4), zeros([1, 3, 4], ScalarType.Int64), zeros(1, 3, 5), 0.97));
    }
}
