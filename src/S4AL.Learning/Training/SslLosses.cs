using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace S4AL.Learning.Training;

/// <summary>
/// The losses of S4AL's semi-supervised step and the teacher's pseudo-labels, on batched
/// tensors of any device. Labels are int64 [B,H,W] with <see cref="SslSettings.IgnoreIndex"/>
/// (255) for pixels without a class; logits are [B,C,H,W] at the labels' resolution.
/// </summary>
public static class SslLosses
{
    const long Ignore = SslSettings.IgnoreIndex;

    /// <summary>
    /// L_sup: cross-entropy averaged over the pixels whose label is not 255 (the authors'
    /// F.cross_entropy(ignore_index=-1)). A batch without a single valid pixel gives 0 instead
    /// of PyTorch's NaN, so one empty crop cannot poison the weights.
    /// </summary>
    public static Tensor Supervised(Tensor logits, Tensor labels)
    {
        CheckShapes(logits, labels, nameof(Supervised));
        using var scope = NewDisposeScope();
        var sum = cross_entropy(logits, labels, ignore_index: Ignore, reduction: nn.Reduction.Sum);
        var count = labels.ne(Ignore).sum().clamp_min(1);
        return sum.div(count).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// L_unsup as the authors' compute_unsupervised_loss computes it:
    /// per pixel l = p * CE(student, y_hat) (p omitted when <paramref name="confidenceWeighting"/>
    /// is false), per image eta_b = #(valid pixels with p &gt;= threshold) / #(valid pixels),
    /// and L = sum_b eta_b * sum_pixels l / #(pixels with l &gt; 0). The denominator pools the
    /// whole batch (torch.mean(masked_select(weighting * loss, loss &gt; 0))), so pixels with
    /// p = 0 (padding of the scale augmentation) or ignored labels do not dilute the mean.
    /// Differences to the code, both for robustness: the eta numerator counts valid pixels
    /// only (the code also counts annotated pixels whose truth is "ignore", which carry p = 1,
    /// and can exceed 1), and empty denominators give 0 instead of NaN.
    /// </summary>
    /// <returns>The scalar loss and eta per image (float32 [B]).</returns>
    public static (Tensor Loss, Tensor Eta) Unsupervised(Tensor logits, Tensor targets, Tensor confidence, double threshold, bool confidenceWeighting = true)
    {
        CheckShapes(logits, targets, nameof(Unsupervised));
        if (!confidence.shape.SequenceEqual(targets.shape))
            throw new ArgumentException($"{nameof(Unsupervised)}: confidence [{string.Join(",", confidence.shape)}] must have the targets' shape [{string.Join(",", targets.shape)}]");
        using var scope = NewDisposeScope();
        var valid = targets.ne(Ignore);
        var confident = confidence.ge(threshold).logical_and_(valid);
        var eta = confident.sum([1, 2]).to(ScalarType.Float32).div_(valid.sum([1, 2]).clamp_min(1));
        var pixelLoss = cross_entropy(logits, targets, ignore_index: Ignore, reduction: nn.Reduction.None);
        if (confidenceWeighting) pixelLoss = pixelLoss.mul(confidence);
        var counted = pixelLoss.gt(0).sum().clamp_min(1);
        var loss = pixelLoss.mul(eta.view(-1, 1, 1)).sum().div(counted);
        return (loss.MoveToOuterDisposeScope(), eta.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Teacher pseudo-labels: p = max softmax probability, y_hat = argmax; where
    /// <paramref name="annotated"/> is true the truth replaces y_hat and p = 1 (the code's
    /// pseudo_labels[mask] = segmap[mask]; pseudo_logits[mask] = 1). Annotated pixels whose
    /// truth is 255 thereby become ignore pixels.
    /// </summary>
    public static (Tensor Labels, Tensor Confidence) PseudoLabels(Tensor teacherLogits, Tensor? annotated, Tensor? trueLabels)
    {
        using var scope = NewDisposeScope();
        var (confidence, labels) = softmax(teacherLogits, 1).max(1);
        if (annotated is not null)
        {
            if (trueLabels is null) throw new ArgumentNullException(nameof(trueLabels), "annotated pixels need their true labels");
            labels = where(annotated, trueLabels, labels);
            confidence.masked_fill_(annotated, 1.0);
        }
        return (labels.MoveToOuterDisposeScope(), confidence.MoveToOuterDisposeScope());
    }

    static void CheckShapes(Tensor logits, Tensor labels, string what)
    {
        if (logits.ndim != 4 || labels.ndim != 3 || logits.shape[0] != labels.shape[0] || logits.shape[2] != labels.shape[1] || logits.shape[3] != labels.shape[2])
            throw new ArgumentException($"{what}: logits [{string.Join(",", logits.shape)}] must be [B,C,H,W] over labels [{string.Join(",", labels.shape)}] ([B,H,W])");
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"{what}: labels must be int64, got {labels.dtype}");
    }
}
