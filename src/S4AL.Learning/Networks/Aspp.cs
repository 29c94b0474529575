using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Networks;

/// <summary>
/// Atrous spatial pyramid pooling of the authors' <c>networks/aspp.py</c>: a 1x1 branch, one 3x3
/// branch per atrous rate, an image-pooling branch, concatenated and projected to 256 channels
/// (BatchNorm, ReLU, Dropout 0.5). Keys: <c>convs.N.*</c>, <c>project.*</c>.
/// </summary>
public sealed class ASPPModule : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> convs;
    private readonly Sequential project;

    /// <summary>Creates the module (DeepLabv3+ at output stride 16 uses rates 6, 12, 18).</summary>
    public ASPPModule(long inChannels, IReadOnlyList<long> atrousRates, long outChannels = 256) : base(nameof(ASPPModule))
    {
        ArgumentNullException.ThrowIfNull(atrousRates);
        var modules = new List<nn.Module<Tensor, Tensor>>
        {
            nn.Sequential(nn.Conv2d(inChannels, outChannels, 1, bias: false), nn.BatchNorm2d(outChannels), nn.ReLU()),
        };
        foreach (var rate in atrousRates)
            modules.Add(ASPPConv(inChannels, outChannels, rate));
        modules.Add(new ASPPPooling(inChannels, outChannels));
        convs = nn.ModuleList(modules.ToArray());

        project = nn.Sequential(
            nn.Conv2d(modules.Count * outChannels, outChannels, 1, bias: false),
            nn.BatchNorm2d(outChannels),
            nn.ReLU(),
            nn.Dropout(0.5));
        RegisterComponents();
    }

    /// <summary>A 3x3 atrous conv branch: conv (padding = dilation), BatchNorm, ReLU.</summary>
    public static Sequential ASPPConv(long inChannels, long outChannels, long dilation) =>
        nn.Sequential(
            nn.Conv2d(inChannels, outChannels, 3, padding: dilation, dilation: dilation, bias: false),
            nn.BatchNorm2d(outChannels),
            nn.ReLU());

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var branches = new Tensor[convs.Count];
        for (var i = 0; i < branches.Length; i++)
            branches[i] = convs[i] is Sequential branch && branch.GetType() == typeof(Sequential)
                ? AtrousConvolution.RunSequential(branch, x)
                : convs[i].call(x);
        // Row-major from here on, also when the backbone ran channels-last: the decoder (projection,
        // upsampling, 3x3 head) channels-last made a 360x480 training step 26% slower (13.3 s
        // instead of 10.5 s) on 2 CPU threads. A no-op when the concatenation already is row-major.
        var concatenated = cat(branches, 1).contiguous();
        foreach (var b in branches) b.Dispose();
        return project.call(concatenated).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The image-pooling branch: global average pool, 1x1 conv, BatchNorm, ReLU, then broadcast back to
/// the input size (bilinear from 1x1, as the authors). A Sequential so its keys are <c>1.weight</c>
/// etc. like the authors' <c>nn.Sequential</c> subclass.
/// </summary>
public sealed class ASPPPooling : Sequential
{
    /// <summary>Creates the branch.</summary>
    public ASPPPooling(long inChannels, long outChannels)
        : base(
            nn.AdaptiveAvgPool2d(1),
            nn.Conv2d(inChannels, outChannels, 1, bias: false),
            nn.BatchNorm2d(outChannels),
            nn.ReLU())
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        // PyTorch refuses BatchNorm on one value per channel in training; libtorch would silently
        // turn the running variance into NaN instead. Fail the same way PyTorch does.
        if (training && x.shape[0] == 1)
            throw new ArgumentException(
                "ASPP image pooling needs a batch of at least 2 in training mode (BatchNorm over a 1x1 map has one value per channel); use eval() for single images.",
                nameof(x));
        using var scope = NewDisposeScope();
        var pooled = base.forward(x);
        return nn.functional.interpolate(pooled, [x.shape[2], x.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false)
            .MoveToOuterDisposeScope();
    }
}
