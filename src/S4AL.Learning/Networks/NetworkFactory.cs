namespace S4AL.Learning.Networks;

/// <summary>How a network is built beyond its kind and class count.</summary>
/// <param name="ChannelsLast">
/// Lay the conv weights out channels-last (NHWC, see <see cref="Networks.ChannelsLast"/>).
/// Measured on 2 CPU threads with DeepLabv3+ MobileNetV2, batch 4 (before channels-last
/// activations became the default): the forward pass was about a quarter faster, but at 360x480
/// the backward pass slower (~3.3 vs ~2.6 s), so a training step gained nothing. With row-major
/// weights and channels-last activations (<paramref name="ChannelsLastActivations"/>) forward
/// and backward are both faster, which is why that is the default and this is off.
/// </param>
/// <param name="ChannelsLastActivations">
/// Run the convolutions on channels-last activations with row-major weights (see
/// <see cref="SegmentationNetwork.ChannelsLastActivations"/>); on by default: it is the fastest
/// layout measured here for training and for inference.
/// </param>
public sealed record NetworkOptions(bool ChannelsLast = false, bool ChannelsLastActivations = true)
{
    /// <summary>The defaults.</summary>
    public static NetworkOptions Default { get; } = new();
}

/// <summary>Builds the networks the engine trains, by kind or by name.</summary>
public static class NetworkFactory
{
    private static readonly (string Name, NetworkKind Kind)[] Names =
    [
        ("mbv2", NetworkKind.MobileNetV2),
        ("mobilenetv2", NetworkKind.MobileNetV2),
        ("resnet50", NetworkKind.ResNet50),
        ("r50", NetworkKind.ResNet50),
        ("tiny", NetworkKind.Tiny),
    ];

    /// <summary>The names <see cref="ParseKind"/> accepts (case-insensitive).</summary>
    public static IReadOnlyList<string> ValidNames { get; } = Names.Select(n => n.Name).ToArray();

    /// <summary>A freshly initialised network of the given kind (the backbone not pretrained).</summary>
    public static SegmentationNetwork Create(NetworkKind kind, int numClasses, NetworkOptions? options = null)
    {
        options ??= NetworkOptions.Default;
        SegmentationNetwork network = kind switch {
            NetworkKind.MobileNetV2 => new DeepLabV3PlusMobileNetV2(numClasses),
            NetworkKind.ResNet50 => new DeepLabV3PlusResNet50(numClasses),
            NetworkKind.Tiny => new TinySegNet(numClasses),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Unknown network kind; valid kinds: {string.Join(", ", Enum.GetNames<NetworkKind>())}."),
        };
        if (options.ChannelsLast) network.ToChannelsLast();
        network.ChannelsLastActivations = options.ChannelsLastActivations;
        return network;
    }

    /// <summary>A freshly initialised network named as on the command line ("mbv2", "r50", "tiny", ...).</summary>
    public static SegmentationNetwork Create(string name, int numClasses, NetworkOptions? options = null) =>
        Create(ParseKind(name), numClasses, options);

    /// <summary>
    /// The kind for a name: "mbv2"/"mobilenetv2", "resnet50"/"r50", "tiny" (case-insensitive).
    /// Throws listing the valid names otherwise.
    /// </summary>
    public static NetworkKind ParseKind(string name)
    {
        if (TryParseKind(name, out var kind)) return kind;
        throw new ArgumentException(
            $"Unknown network '{name}'; valid names: {string.Join(", ", ValidNames)}.", nameof(name));
    }

    /// <summary>Like <see cref="ParseKind"/> without throwing.</summary>
    public static bool TryParseKind(string? name, out NetworkKind kind)
    {
        var trimmed = name?.Trim();
        foreach (var (n, k) in Names) {
            if (string.Equals(n, trimmed, StringComparison.OrdinalIgnoreCase)) {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }
}
