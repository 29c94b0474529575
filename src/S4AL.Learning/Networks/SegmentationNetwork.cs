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

    /// <summary>
    /// Run the convolutions on channels-last (NHWC) activations: the DeepLab networks re-lay the
    /// input out once at the start of the backbone and libtorch's oneDNN convolutions, batch
    /// norms and upsamplings keep that layout; the weights stay row-major, so state dicts, the
    /// flat parameter buffers and the EMA are unaffected. Logits come out row-major either way.
    /// Why: on 2 CPU threads, MobileNetV2 DeepLabv3+ batch 4 at 360x480 ran forward + backward
    /// in 2.89 s instead of 3.76 s and the no-grad forward in 0.83 s instead of 1.15 s
    /// (docs/benchmarks.md). ResNet-50 at 360x480: 12.0 s instead of 13.6 s and 2.5 s instead of
    /// 3.3 s; at 96x128 its forward + backward is about 8% slower (0.74 s instead of 0.67-0.69 s)
    /// while its no-grad forward is faster, so small-image ResNet training may prefer it off.
    /// Set by <see cref="NetworkOptions.ChannelsLastActivations"/>; the tiny network ignores it.
    /// </summary>
    public bool ChannelsLastActivations { get; set; }
    public abstract int NumClasses { get; }

    /// <summary>
    /// Loads ImageNet weights saved by PyTorch (torch.save(model.state_dict()), .pt/.pth)
    /// into the backbone; keys follow torchvision's names. Keys of the classifier head are
    /// skipped. Throws naming the file and the first key that does not fit.
    /// </summary>
    public abstract void LoadBackboneStateDict(string path);
}
