using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Data.Batches;

/// <summary>
/// A batch ready for a network, on one device.
/// Images: float32 [B,3,H,W], normalized with the ImageNet mean and std (backbones expect it).
/// Labels: int64 [B,H,W], class index or 255 where the pixel has no (revealed) label.
/// Annotated: bool [B,H,W], true where the label is revealed to the learner; for a fully
/// labeled batch it is all true except nothing (ignore pixels are annotated but carry 255).
/// Indices: the dataset indices of the images, in batch order.
/// The batch owns its tensors; dispose it when done.
/// </summary>
public sealed class SegmentationBatch : IDisposable
{
    public SegmentationBatch(Tensor images, Tensor labels, Tensor annotated, int[] indices)
    {
        if (images.ndim != 4 || images.shape[1] != 3) throw new ArgumentException($"images must be [B,3,H,W], got [{string.Join(",", images.shape)}]");
        if (labels.ndim != 3 || labels.shape[0] != images.shape[0] || labels.shape[1] != images.shape[2] || labels.shape[2] != images.shape[3])
            throw new ArgumentException($"labels must be [B,H,W] matching images, got [{string.Join(",", labels.shape)}]");
        if (!annotated.shape.SequenceEqual(labels.shape)) throw new ArgumentException("annotated mask must have the labels' shape");
        if (indices.Length != images.shape[0]) throw new ArgumentException($"{indices.Length} indices for a batch of {images.shape[0]}");
        Images = images;
        Labels = labels;
        Annotated = annotated;
        Indices = indices;
    }

    public Tensor Images { get; }
    public Tensor Labels { get; }
    public Tensor Annotated { get; }
    public int[] Indices { get; }
    public int Size => Indices.Length;

    public SegmentationBatch To(Device device) =>
        new(Images.to(device), Labels.to(device), Annotated.to(device), Indices);

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        Annotated.Dispose();
    }
}
