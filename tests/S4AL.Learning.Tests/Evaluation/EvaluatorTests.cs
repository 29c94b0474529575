using S4AL.Domain.Metrics;
using S4AL.Learning.Evaluation;
using S4AL.Learning.Tests.Acquisition;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Evaluation;

public class EvaluatorTests
{
    const int H = 16, W = 20, Classes = 3;

    [Fact]
    public void Evaluates_every_image_once_in_eval_and_inference_mode()
    {
        var net = new TinyTestNetwork(Classes, seed: 1);
        net.train();
        var pool = new TestPool(H, W, Classes);
        var progress = new List<int>();
        var metrics = Evaluator.Evaluate(net, 5, pool.Batch, batchSize: 2, ["a", "b", "c"], progress: progress.Add);

        Assert.Equal([[0, 1], [2, 3], [4]], pool.Requests);
        Assert.Equal([2, 4, 5], progress);
        Assert.False(net.LastForwardTraining);
        Assert.True(net.LastForwardInference);
        Assert.True(net.training);
        Assert.Equal(["a", "b", "c"], metrics.ClassNames.ToArray());

        // The same counts computed image by image, by hand.
        var expected = new long[Classes * Classes];
        net.eval();
        for (int i = 0; i < 5; i++)
        {
            using var scope = NewDisposeScope();
            using var batch = pool.Batch([i]);
            long[] predicted, labels;
            using (no_grad())
                predicted = net.call(batch.Images).argmax(1).data<long>().ToArray();
            labels = batch.Labels.data<long>().ToArray();
            for (int p = 0; p < labels.Length; p++)
                if (labels[p] < Classes) expected[labels[p] * Classes + predicted[p]]++;
        }
        var reference = SegmentationMetrics.From(ConfusionMatrix.FromCounts(Classes, expected));
        Assert.Equal(reference.PixelCount, metrics.PixelCount);
        Assert.Equal(5 * (H * W - 3), metrics.PixelCount); // 3 ignore pixels per image
        Assert.Equal(reference.ClassIoU.ToArray(), metrics.ClassIoU.ToArray());
        Assert.Equal(reference.MeanIoU, metrics.MeanIoU);
        Assert.Equal(reference.PixelAccuracy, metrics.PixelAccuracy);
    }

    [Fact]
    public void Shard_matrices_merge_to_the_whole_set_result()
    {
        var net = new TinyTestNetwork(Classes, seed: 2);
        var pool = new TestPool(H, W, Classes);
        var whole = Evaluator.Accumulate(net, [0, 1, 2, 3], pool.Batch, batchSize: 4);
        var merged = ConfusionMatrix.Merge([
            Evaluator.Accumulate(net, [3, 1], pool.Batch, batchSize: 1),
            Evaluator.Accumulate(net, [0, 2], pool.Batch, batchSize: 2)]);
        Assert.Equal(whole.Counts, merged.Counts);
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        var net = new TinyTestNetwork(Classes, seed: 3);
        var pool = new TestPool(H, W, Classes);
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluator.Evaluate(net, 2, pool.Batch, batchSize: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluator.Evaluate(net, -1, pool.Batch, batchSize: 2));
        Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(net, 2, pool.Batch, batchSize: 2, classNames: ["only one"]));
        Assert.Throws<InvalidOperationException>(() => Evaluator.Evaluate(net, 2, ids => pool.Batch([.. ids, 7]), batchSize: 2));
    }
}
