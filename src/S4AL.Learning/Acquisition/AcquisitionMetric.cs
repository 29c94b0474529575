namespace S4AL.Learning.Acquisition;

/// <summary>How informative a pixel (and so a region) is, computed from the network's softmax output (ALGORITHM.md section 2).</summary>
public enum AcquisitionMetric
{
    /// <summary>A uniform score per region, derived from a hash of (seed, cycle, image, region).</summary>
    Random,
    /// <summary>1 - max_c p_c.</summary>
    LeastConfidence,
    /// <summary>-sum_c p_c log p_c; the paper's best metric and the default.</summary>
    Entropy,
    /// <summary>-(p_(1) - p_(2)): the negative gap between the two largest probabilities.</summary>
    Margin,
}

/// <summary>Names and parsing of <see cref="AcquisitionMetric"/> for settings and the command line.</summary>
public static class AcquisitionMetrics
{
    /// <summary>The metric used when none is configured.</summary>
    public const AcquisitionMetric Default = AcquisitionMetric.Entropy;

    static readonly (AcquisitionMetric Metric, string Name)[] Names =
    [
        (AcquisitionMetric.Random, "random"),
        (AcquisitionMetric.LeastConfidence, "least_confidence"),
        (AcquisitionMetric.Entropy, "entropy"),
        (AcquisitionMetric.Margin, "margin"),
    ];

    /// <summary>The canonical names, as accepted by <see cref="Parse"/>.</summary>
    public static IReadOnlyList<string> ValidNames { get; } = Names.Select(n => n.Name).ToArray();

    /// <summary>Canonical snake_case name of a metric, e.g. "least_confidence".</summary>
    public static string ToName(this AcquisitionMetric metric)
    {
        foreach (var (m, name) in Names)
            if (m == metric) return name;
        throw new ArgumentOutOfRangeException(nameof(metric), $"unknown acquisition metric value {(int)metric}");
    }

    /// <summary>
    /// Parses a metric name. Case, '_', '-' and spaces are ignored, so "least_confidence",
    /// "LeastConfidence" and "least-confidence" are the same metric.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a metric; the message lists the valid names.</exception>
    public static AcquisitionMetric Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryParse(name, out var metric)) return metric;
        throw new ArgumentException(
            $"unknown acquisition metric '{name}'; valid metrics are: {string.Join(", ", ValidNames)}", nameof(name));
    }

    /// <summary>Parses a metric name like <see cref="Parse"/>, returning false instead of throwing.</summary>
    public static bool TryParse(string? name, out AcquisitionMetric metric)
    {
        metric = Default;
        if (string.IsNullOrWhiteSpace(name)) return false;
        var key = Normalize(name);
        foreach (var (m, canonical) in Names)
        {
            if (Normalize(canonical) == key)
            {
                metric = m;
                return true;
            }
        }
        return false;
    }

    static string Normalize(string s) =>
        new(s.Where(ch => ch != '_' && ch != '-' && !char.IsWhiteSpace(ch)).Select(char.ToLowerInvariant).ToArray());
}
