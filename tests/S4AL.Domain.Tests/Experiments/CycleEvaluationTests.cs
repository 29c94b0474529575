using S4AL.Domain.Experiments;

namespace S4AL.Domain.Tests.Experiments;

public class CycleEvaluationTests
{
    [Fact]
    public void Mean_iou_averages_every_class_as_the_engine_does()
    {
        // Rows are truth, columns prediction.
        long[] confusion =
        [
            5, 1, 0, 0,
            2, 3, 1, 0,
            0, 0, 0, 0,
            0, 0, 0, 0,
        ];
        // Class 0: 5 / (6 + 7 - 5); class 1: 3 / (6 + 4 - 3); class 2 is only predicted: 0 / 1; class 3 is absent and counts 0.
        double expected = (5.0 / 8 + 3.0 / 7 + 0.0 + 0.0) / 4;
        Assert.Equal(expected, new CycleEvaluation(4, confusion, 0.1, 1).MeanIoU(), 12);
    }

    [Fact]
    public void A_perfect_prediction_has_mean_iou_one()
    {
        Assert.Equal(1.0, new CycleEvaluation(2, [7, 0, 0, 3], 1, 1).MeanIoU());
    }

    [Fact]
    public void A_malformed_matrix_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => new CycleEvaluation(3, new long[8], 0, 0).MeanIoU());
    }

    [Fact]
    public void An_empty_matrix_has_mean_iou_zero()
    {
        Assert.Equal(0.0, new CycleEvaluation(3, new long[9], 0, 0).MeanIoU());
    }
}
