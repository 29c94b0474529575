using S4AL.Domain.Metrics;
using S4AL.Learning.Data.Batches;
using S4AL.Learning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Evaluation;

/// <summary>Runs a network over an evaluation set and measures it, as the authors' validation loop does.</summary>
public static class Evaluator
{
    /// <summary>
    /// Evaluates <paramref name="network"/> on images 0..count-1: evaluation mode, inference
    /// mode, logits upsampled (bilinear, align_corners) to the label size if needed, argmax,
    /// confusion matrix over valid labels. The network's training mode is restored afterwards.
    /// </summary>
    /// <param name="batches">Builds an unaugmented batch of the given indices, in that order.</param>
    /// <param name="classNames">Names for the result; default "class0", "class1", ...</param>
    /// <param name="device">Where to run; by default the device of the network's first parameter.</param>
    /// <param name="progress">Called after each batch with the number of images done.</param>
    public static SegmentationMetrics Evaluate(
        SegmentationNetwork network,
        int count,
        Func<IReadOnlyList<int>, SegmentationBatch> batches,
        int batchSize,
        IReadOnlyList<string>? classNames = null,
        Device? device = null,
        Action<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), $"image count must not be negative, got {count}");
        var matrix = Accumulate(network, Enumerable.Range(0, count).ToArray(), batches, batchSize, device, progress, cancellationToken);
        return SegmentationMetrics.From(matrix, classNames);
    }

    /// <summary>
    /// The confusion matrix of <paramref name="network"/> on the given images; for evaluating
    /// shards separately and merging with <see cref="ConfusionMatrix.Merge"/>.
    /// </summary>
    public static ConfusionMatrix Accumulate(
        SegmentationNetwork network,
        IReadOnlyList<int> images,
        Func<IReadOnlyList<int>, SegmentationBatch> batches,
        int batchSize,
        Device? device = null,
        Action<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var matrix = new ConfusionMatrix(network.NumClasses);
        ForEachBatch(network, images, batches, batchSize, device, (_, logits, labels) => matrix.Add(logits.argmax(1), labels), progress, cancellationToken);
        return matrix;
    }

    /// <summary>
    /// The network's class (argmax) per pixel of each given image, at the label size, in the
    /// order given: the pre-annotation people start from.
    /// </summary>
    public static IReadOnlyList<byte[]> Predict(
        SegmentationNetwork network,
        IReadOnlyList<int> images,
        Func<IReadOnlyList<int>, SegmentationBatch> batches,
        int batchSize,
        Device? device = null,
        CancellationToken cancellationToken = default)
    {
        if (network.NumClasses > 255) throw new ArgumentException($"{network.NumClasses} classes do not fit a byte per pixel", nameof(network));
        var predictions = new List<byte[]>(images.Count);
        ForEachBatch(network, images, batches, batchSize, device, (chunk, logits, _) =>
        {
            var classes = logits.argmax(1).to(ScalarType.Byte).cpu();
            for (int i = 0; i < chunk.Length; i++) predictions.Add(classes[i].data<byte>().ToArray());
        }, null, cancellationToken);
        return predictions;
    }

    /// <summary>
    /// Runs the network over the images batch by batch (evaluation and inference mode, restored
    /// afterwards) and hands each batch's logits, upsampled to the label size, with its labels to <paramref name="use"/>.
    /// </summary>
    static void ForEachBatch(
        SegmentationNetwork network,
        IReadOnlyList<int> images,
        Func<IReadOnlyList<int>, SegmentationBatch> batches,
        int batchSize,
        Device? device,
        Action<int[], Tensor, Tensor> use,
        Action<int>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(batches);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be positive, got {batchSize}");
        var dev = device ?? network.parameters().FirstOrDefault()?.device ?? CPU;
        using (new EvalModeScope(network))
        {
            using var inference = inference_mode();
            for (int start = 0; start < images.Count; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var chunk = images.Skip(start).Take(batchSize).ToArray();
                using var scope = NewDisposeScope();
                using var batch = batches(chunk)
                    ?? throw new InvalidOperationException($"the batch builder returned null for images [{string.Join(",", chunk)}]");
                if (!batch.Indices.SequenceEqual(chunk))
                    throw new InvalidOperationException(
                        $"the batch builder returned images [{string.Join(",", batch.Indices)}] for a request of [{string.Join(",", chunk)}]");
                var logits = network.call(batch.Images.to(dev));
                var labels = batch.Labels.to(dev);
                if (logits.ndim != 4 || logits.shape[0] != chunk.Length || logits.shape[1] != network.NumClasses)
                    throw new InvalidOperationException(
                        $"the network returned logits of shape [{string.Join(",", logits.shape)}] for a batch of {chunk.Length} and {network.NumClasses} classes");
                if (logits.shape[2] != labels.shape[1] || logits.shape[3] != labels.shape[2])
                    logits = nn.functional.interpolate(logits, [labels.shape[1], labels.shape[2]], mode: InterpolationMode.Bilinear, align_corners: true);
                use(chunk, logits, labels);
                progress?.Invoke(Math.Min(start + batchSize, images.Count));
            }
        }
    }
}
