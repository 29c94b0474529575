using S4AL.Domain.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Evaluation;

/// <summary>Counts a batch of predictions into a <see cref="ConfusionMatrix"/> where the tensors live.</summary>
public static class ConfusionCounting
{
    /// <summary>
    /// Adds a batch: <paramref name="predictions"/> and <paramref name="labels"/> are integer
    /// class maps of the same shape (e.g. argmax [B,H,W] and labels [B,H,W]) on any device;
    /// counting runs there with one bincount and only C*C numbers come back to the CPU. Pixels
    /// whose label is outside [0, C) (255 = ignore, -1) are not counted.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes differ, a tensor is not integer, or a counted prediction is outside [0, C).</exception>
    public static void Add(this ConfusionMatrix matrix, Tensor predictions, Tensor labels)
    {
        if (!predictions.shape.SequenceEqual(labels.shape))
            throw new ArgumentException($"predictions [{string.Join(",", predictions.shape)}] and labels [{string.Join(",", labels.shape)}] differ in shape");
        if (predictions.is_floating_point() || labels.is_floating_point())
            throw new ArgumentException($"predictions ({predictions.dtype}) and labels ({labels.dtype}) must be integer class maps");
        int c = matrix.NumClasses;
        using var scope = NewDisposeScope();
        var truth = labels.flatten().to(int64);
        var predicted = predictions.flatten().to(int64).to(truth.device);
        var valid = truth.ge(0).logical_and(truth.lt(c));
        truth = truth.masked_select(valid);
        predicted = predicted.masked_select(valid);
        if (truth.numel() == 0) return;
        long min = predicted.min().item<long>(), max = predicted.max().item<long>();
        if (min < 0 || max >= c)
            throw new ArgumentException($"a prediction is outside [0, {c}) (range {min}..{max})", nameof(predictions));
        matrix.Add(truth.mul(c).add_(predicted).bincount(null, (long)c * c).cpu().data<long>().ToArray());
    }
}
