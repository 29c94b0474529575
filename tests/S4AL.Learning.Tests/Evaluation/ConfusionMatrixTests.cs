using S4AL.Domain.Metrics;
using S4AL.Learning.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Evaluation;

public class ConfusionMatrixTests
{
    // rows = truth, columns = prediction, row-major
    static readonly long[] Counts =
    [
        5, 1, 0,
        2, 3, 1,
        0, 0, 4,
    ];

    [Fact]
    public void Metrics_match_hand_computation()
    {
        var m = SegmentationMetrics.From(ConfusionMatrix.FromCounts(3, Counts), ["road", "car", "sky"]);
        // class 0: TP 5, truth 6, predicted 7 -> 5 / (6 + 7 - 5)
        // class 1: TP 3, truth 6, predicted 4 -> 3 / (6 + 4 - 3)
        // class 2: TP 4, truth 4, predicted 5 -> 4 / (4 + 5 - 4)
        double[] iou = [5.0 / 8, 3.0 / 7, 4.0 / 5];
        double[] acc = [5.0 / 6, 3.0 / 6, 4.0 / 4];
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(iou[c], m.ClassIoU[c], 12);
            Assert.Equal(acc[c], m.ClassAccuracy[c], 12);
        }
        Assert.Equal(iou.Average(), m.MeanIoU, 12);
        Assert.Equal(iou.Average(), m.MeanIoUPresent, 12);
        Assert.Equal(acc.Average(), m.MeanClassAccuracy, 12);
        Assert.Equal(12.0 / 16, m.PixelAccuracy, 12);
        Assert.Equal(16, m.PixelCount);
        Assert.Equal([6L, 6, 4], m.ClassPixels.ToArray());
        Assert.Equal([7L, 4, 5], m.PredictedPixels.ToArray());
        Assert.Equal(["road", "car", "sky"], m.ClassNames.ToArray());
        Assert.Contains("car", m.FormatTable());
    }

    [Fact]
    public void Absent_classes_count_as_zero_in_the_authors_means_and_are_skipped_in_the_present_ones()
    {
        // Class 3 never occurs; class 2 is predicted once but never true.
        var m = SegmentationMetrics.From(ConfusionMatrix.FromCounts(4,
        [
            4, 0, 1, 0,
            1, 2, 0, 0,
            0, 0, 0, 0,
            0, 0, 0, 0,
        ]));
        double iou0 = 4.0 / (5 + 5 - 4), iou1 = 2.0 / (3 + 2 - 2);
        Assert.Equal(0, m.ClassIoU[2]);
        Assert.Equal(0, m.ClassIoU[3]);
        Assert.Equal((iou0 + iou1) / 4, m.MeanIoU, 12);             // authors: nanmean over all 4, none is NaN
        Assert.Equal((iou0 + iou1 + 0) / 3, m.MeanIoUPresent, 12);  // class 2 has a false positive, so it is present
        Assert.Equal((4.0 / 5 + 2.0 / 3) / 4, m.MeanClassAccuracy, 12);
        Assert.Equal((4.0 / 5 + 2.0 / 3) / 2, m.MeanClassAccuracyPresent, 12);
        Assert.Equal(["class0", "class1", "class2", "class3"], m.ClassNames.ToArray());
    }

    [Fact]
    public void Counts_from_tensors_skip_labels_outside_the_class_range()
    {
        using var scope = NewDisposeScope();
        var labels = tensor(new long[] { 0, 1, 2, 255, -1, 1, 2, 3, 0 }, [1, 3, 3]);
        var predicted = tensor(new long[] { 0, 2, 2, 1, 0, 1, 0, 1, 1 }, [1, 3, 3]);
        var cm = new ConfusionMatrix(3);
        cm.Add(predicted, labels);
        Assert.Equal([1L, 1, 0, 0, 1, 1, 1, 0, 1], cm.Counts);
        Assert.Equal(6, cm.Total);

        // uint8 label maps (255 = ignore) and int32 predictions work too, and counts accumulate.
        cm.Add(predicted.to(int32), tensor(new byte[] { 0, 1, 2, 255, 255, 1, 2, 3, 0 }, [1, 3, 3]));
        Assert.Equal([2L, 2, 0, 0, 2, 2, 2, 0, 2], cm.Counts);
    }

    [Fact]
    public void Accumulating_batches_equals_one_big_batch_and_merge_sums()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(9);
        var labels = randint(0, 6, [4, 8, 8], generator: g); // 5 = ignore for a 5-class matrix
        var predicted = randint(0, 5, [4, 8, 8], generator: g);
        var whole = new ConfusionMatrix(5);
        whole.Add(predicted, labels);
        var a = new ConfusionMatrix(5);
        var b = new ConfusionMatrix(5);
        a.Add(predicted[TensorIndex.Slice(0, 1)], labels[TensorIndex.Slice(0, 1)]);
        b.Add(predicted[TensorIndex.Slice(1, 4)], labels[TensorIndex.Slice(1, 4)]);
        Assert.Equal(whole.Counts, ConfusionMatrix.Merge([a, b]).Counts);
        Assert.Equal(labels.lt(5).sum().item<long>(), whole.Total);
        // Merging did not change its inputs.
        Assert.Equal(a.Total + b.Total, whole.Total);
    }

    [Fact]
    public void Bad_inputs_are_rejected()
    {
        using var scope = NewDisposeScope();
        var cm = new ConfusionMatrix(3);
        Assert.Throws<ArgumentException>(() => cm.Add(zeros(2, 2, dtype: int64), zeros(2, 3, dtype: int64)));
        Assert.Throws<ArgumentException>(() => cm.Add(zeros(2, 2), zeros(2, 2, dtype: int64)));
        var e = Assert.Throws<ArgumentException>(() => cm.Add(full(2, 2, 3L), zeros(2, 2, dtype: int64)));
        Assert.Contains("[0, 3)", e.Message);
        Assert.Throws<ArgumentException>(() => cm.Add(new ConfusionMatrix(4)));
        Assert.Throws<InvalidDataException>(() => ConfusionMatrix.FromCounts(2, new long[6]));
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.FromCounts(2, [1, -1, 0, 0]));
        Assert.Throws<ArgumentException>(() => SegmentationMetrics.From(cm, ["a", "b"]));
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.Merge([]));
        // Nothing counted: zeros, not NaN.
        var empty = SegmentationMetrics.From(cm);
        Assert.Equal(0, empty.PixelAccuracy);
        Assert.Equal(0, empty.MeanIoU);
    }
}
