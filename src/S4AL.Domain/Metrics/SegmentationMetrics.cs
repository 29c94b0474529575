using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace S4AL.Domain.Metrics;

/// <summary>
/// Segmentation quality from a confusion matrix (ALGORITHM.md section 5). Immutable.
/// <para>
/// Which classes the means cover: the authors' metrics_utils.calculate_iou divides by
/// (denominator + 1e-10), so a class with no pixel in truth or prediction gets IoU 0, never
/// NaN, and np.nanmean then averages over <em>all</em> C classes. <see cref="MeanIoU"/> and
/// <see cref="MeanClassAccuracy"/> follow that, so numbers compare with the paper's. The
/// "present classes" variants skip undefined classes instead (IoU: TP+FP+FN = 0; accuracy:
/// no truth pixels), as the unmodified NVIDIA formula with NaN would. On CamVid and
/// Cityscapes test sets every class occurs, and the two agree.
/// </para>
/// </summary>
public sealed record SegmentationMetrics
{
    /// <summary>Class names, index = class id.</summary>
    public required ImmutableArray<string> ClassNames { get; init; }
    /// <summary>Per class TP / (TP + FP + FN); 0 where the denominator is 0 (as the authors' epsilon gives).</summary>
    public required ImmutableArray<double> ClassIoU { get; init; }
    /// <summary>Per class TP / (truth pixels of the class), i.e. recall; 0 for a class absent from the truth.</summary>
    public required ImmutableArray<double> ClassAccuracy { get; init; }
    /// <summary>Per class ground-truth pixel count (row sums).</summary>
    public required ImmutableArray<long> ClassPixels { get; init; }
    /// <summary>Per class predicted pixel count over valid pixels (column sums).</summary>
    public required ImmutableArray<long> PredictedPixels { get; init; }
    /// <summary>Mean IoU over all classes (the authors' convention: undefined classes count as 0).</summary>
    public required double MeanIoU { get; init; }
    /// <summary>Mean IoU over classes present in truth or prediction (TP + FP + FN &gt; 0); 0 if none.</summary>
    public required double MeanIoUPresent { get; init; }
    /// <summary>Mean per-class accuracy over all classes (the authors' "MPCA": absent classes count as 0).</summary>
    public required double MeanClassAccuracy { get; init; }
    /// <summary>Mean per-class accuracy over classes with ground-truth pixels; 0 if none.</summary>
    public required double MeanClassAccuracyPresent { get; init; }
    /// <summary>Correct pixels / counted pixels; 0 when nothing was counted.</summary>
    public required double PixelAccuracy { get; init; }
    /// <summary>Pixels counted (valid labels only).</summary>
    public required long PixelCount { get; init; }
    /// <summary>Whether any pixel was counted; without labeled validation images none is, and mIoU is not measured (not 0).</summary>
    public bool Measured => PixelCount > 0;
    /// <summary>mIoU as people read it: "0.4312", or "not measured".</summary>
    public string MeanIoUText => Measured ? MeanIoU.ToString("0.0000", CultureInfo.InvariantCulture) : "not measured";

    public int NumClasses => ClassNames.Length;

    /// <summary>Computes every metric from <paramref name="matrix"/>; names default to "class0", "class1", ...</summary>
    public static SegmentationMetrics From(ConfusionMatrix matrix, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int c = matrix.NumClasses;
        if (classNames is not null && classNames.Count != c)
            throw new ArgumentException($"{classNames.Count} class names for a {c}-class confusion matrix", nameof(classNames));
        var names = classNames?.ToImmutableArray() ?? Enumerable.Range(0, c).Select(i => $"class{i}").ToImmutableArray();

        var iou = new double[c];
        var acc = new double[c];
        var truth = new long[c];
        var predicted = new long[c];
        long correct = 0;
        double iouPresentSum = 0, accPresentSum = 0;
        int iouPresent = 0, accPresent = 0;
        for (int k = 0; k < c; k++)
        {
            long tp = matrix.TruePositives(k);
            truth[k] = matrix.TruthCount(k);
            predicted[k] = matrix.PredictedCount(k);
            long union = truth[k] + predicted[k] - tp;
            correct += tp;
            if (union > 0) { iou[k] = (double)tp / union; iouPresentSum += iou[k]; iouPresent++; }
            if (truth[k] > 0) { acc[k] = (double)tp / truth[k]; accPresentSum += acc[k]; accPresent++; }
        }
        long total = truth.Sum();
        return new SegmentationMetrics
        {
            ClassNames = names,
            ClassIoU = [.. iou],
            ClassAccuracy = [.. acc],
            ClassPixels = [.. truth],
            PredictedPixels = [.. predicted],
            MeanIoU = iou.Average(),
            MeanIoUPresent = iouPresent > 0 ? iouPresentSum / iouPresent : 0,
            MeanClassAccuracy = acc.Average(),
            MeanClassAccuracyPresent = accPresent > 0 ? accPresentSum / accPresent : 0,
            PixelAccuracy = total > 0 ? (double)correct / total : 0,
            PixelCount = total,
        };
    }

    /// <summary>A per-class table like the authors' get_stats print, values in percent.</summary>
    public string FormatTable()
    {
        var inv = CultureInfo.InvariantCulture;
        int width = Math.Max(5, ClassNames.Max(n => n.Length));
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"{"Id",3}  {"label".PadRight(width)}  {"IoU",7}  {"Acc",7}  {"Pixels",12}");
        for (int k = 0; k < NumClasses; k++)
            sb.AppendLine(inv, $"{k,3}  {ClassNames[k].PadRight(width)}  {ClassIoU[k] * 100,7:F2}  {ClassAccuracy[k] * 100,7:F2}  {ClassPixels[k],12}");
        sb.AppendLine(inv, $"mIoU = {MeanIoU * 100:F2}  mean class accuracy = {MeanClassAccuracy * 100:F2}  pixel accuracy = {PixelAccuracy * 100:F2}");
        return sb.ToString();
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"mIoU {MeanIoU:P2}, mean class acc {MeanClassAccuracy:P2}, pixel acc {PixelAccuracy:P2} over {PixelCount} pixels, {NumClasses} classes");
}
