using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Acquisition;

/// <summary>
/// Per-pixel acquisition scores from softmax probabilities (ALGORITHM.md section 2).
/// Higher always means "more worth annotating".
/// </summary>
public static class PixelScores
{
    /// <summary>
    /// Scores every pixel: probabilities [B,C,H,W] (softmax over C) to scores [B,H,W] on the
    /// same device. <see cref="AcquisitionMetric.Random"/> has no per-pixel form: random scores
    /// are drawn per region (<see cref="RandomRegionScores"/>) so that they do not depend on
    /// the network or on how the pool is batched.
    /// </summary>
    public static Tensor Compute(Tensor probabilities, AcquisitionMetric metric)
    {
        if (probabilities.ndim != 4)
            throw new ArgumentException($"probabilities must be [B,C,H,W], got [{string.Join(",", probabilities.shape)}]", nameof(probabilities));
        if (!probabilities.is_floating_point())
            throw new ArgumentException($"probabilities must be floating point, got {probabilities.dtype}", nameof(probabilities));
        long classes = probabilities.shape[1];
        using var scope = NewDisposeScope();
        Tensor result = metric switch
        {
            // xlogy gives 0 for p = 0 where p * log(p) would be 0 * -inf = NaN (the authors'
            // torch.log version produces NaN there, which would poison a region's mean).
            AcquisitionMetric.Entropy => -xlogy(probabilities, probabilities).sum(1),
            AcquisitionMetric.LeastConfidence => 1 - probabilities.amax(1),
            AcquisitionMetric.Margin => Margin(probabilities, classes),
            AcquisitionMetric.Random => throw new ArgumentException(
                "the random metric scores regions, not pixels: use RandomRegionScores (RegionScorer does)", nameof(metric)),
            _ => throw new ArgumentOutOfRangeException(nameof(metric), $"unknown acquisition metric value {(int)metric}"),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The score given to already-annotated pixels before pooling: the lowest value the metric
    /// can take, so that annotated pixels never raise a region's score. For entropy and least
    /// confidence that is 0, as the authors' code sets it; for margin, whose scores lie in
    /// [-1, 0], 0 would be the highest score, so -1 is used instead.
    /// </summary>
    public static float LabeledPixelValue(AcquisitionMetric metric) => metric switch
    {
        AcquisitionMetric.Margin => -1f,
        AcquisitionMetric.Entropy or AcquisitionMetric.LeastConfidence or AcquisitionMetric.Random => 0f,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), $"unknown acquisition metric value {(int)metric}"),
    };

    static Tensor Margin(Tensor probabilities, long classes)
    {
        if (classes < 2)
            throw new ArgumentException($"the margin metric needs at least 2 classes, got {classes}", nameof(probabilities));
        var (top, _) = probabilities.topk(2, dim: 1);
        return -(top.select(1, 0) - top.select(1, 1));
    }
}
