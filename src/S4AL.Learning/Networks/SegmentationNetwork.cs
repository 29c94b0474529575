using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Networks;

/// <summary>The networks the engine can train.</summary>
public enum NetworkKind
{
    /// <summary>DeepLabv3+ on MobileNetV2 (the authors' default).</summary>
    MobileNetV2,
    /// <summary>DeepLabv3+ on ResNet-50 (the larger option).</summary>
    ResNet50,
    /// <summary>A few convolutions; for tests and quick experiments only.</summary>
    Tiny,
}

/// <summary>
/// A semantic segmentation network: forward(x [B,3,H,W]) returns logits [B,C,H,W] at the
/// input's resolution (bilinear, align_corners = true, as the authors upsample before any
/// loss or score).
/// </summary>
public abstract class SegmentationNetwork : nn.Module<Tensor, Tensor>
{
    protected SegmentationNetwork(string name) : base(name) { }

    public abstract NetworkKind Kind { get; }
    public abstract int NumClasses { get; }

    /// <summary>
    /// Loads ImageNet weights saved by PyTorch (torch.save(model.state_dict()), .pt/.pth)
    /// into the backbone; keys follow torchvision's names. Keys of the classifier head are
    /// skipped. Throws naming the file and the first key that does not fit.
    /// </summary>
    public abstract void LoadBackboneStateDict(string path);
}
