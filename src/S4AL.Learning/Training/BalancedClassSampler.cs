using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Training;

/// <summary>
/// How balanced ClassMix picks the classes it pastes from a replay image, derived from the
/// labeled pixels' class counts so it works for any dataset (the authors hard-code head and
/// tail lists for CamVid and Cityscapes). The formula:
/// <list type="number">
/// <item>Smoothed class share f_c = (n_c + 1) / (N + C), n_c labeled pixels of class c, N = sum n_c.</item>
/// <item>Head = the fewest classes, taken by decreasing f_c (ties: lower index first), whose
/// shares sum to at least <see cref="SslSettings.HeadPixelShare"/>; tail = the rest.</item>
/// <item>Draws per image: kT = min(<see cref="SslSettings.BalancedTailClasses"/>, |tail|, cap),
/// kH = min(<see cref="SslSettings.BalancedHeadClasses"/>, |head|, cap - kT), cap = max(1, C/2),
/// so at most half of the classes are pasted, like ClassMix (the cap leaves CamVid's 3+2 of 11
/// and Cityscapes' 3+3 of 19 unchanged; it matters only for datasets with few classes).</item>
/// <item>Within each group classes are drawn without replacement with probability
/// proportional to w_c = f_c^-beta (beta = <see cref="SslSettings.TailBias"/>; 0 = uniform
/// within the group, as in the code), by the exponential-race method: key_c = -ln(u_c)/w_c,
/// the k smallest keys win.</item>
/// </list>
/// A class is thus favoured twice when it is rare: it is in the tail, which gets guaranteed
/// draws regardless of its small pixel share, and it has a larger weight within its group.
/// </summary>
public sealed class BalancedClassSampler : IDisposable
{
    /// <summary>Width of selection tables: every label value 0..254 plus the ignore value 255.</summary>
    public const int LabelRange = 256;

    readonly Tensor _weights;      // [C] float32
    readonly Tensor _headPenalty;  // [C]: 0 for head classes, +inf for tail
    readonly Tensor _tailPenalty;  // [C]: 0 for tail classes, +inf for head
    readonly Tensor _one;          // bool scalar for scatter

    public BalancedClassSampler(IReadOnlyList<long> labeledClassCounts, SslSettings settings, Device device)
    {
        settings.Validate();
        int c = labeledClassCounts.Count;
        if (c < 1 || c >= LabelRange) throw new ArgumentException($"class counts: {c} classes, expected 1..{LabelRange - 1}", nameof(labeledClassCounts));
        for (int i = 0; i < c; i++)
            if (labeledClassCounts[i] < 0) throw new ArgumentException($"class counts: class {i} has a negative count {labeledClassCounts[i]}", nameof(labeledClassCounts));

        long total = labeledClassCounts.Sum();
        Shares = labeledClassCounts.Select(n => (n + 1.0) / (total + (double)c)).ToArray();
        var byShare = Enumerable.Range(0, c).OrderByDescending(i => Shares[i]).ThenBy(i => i).ToArray();
        var head = new List<int>();
        double cumulative = 0;
        foreach (var cls in byShare)
        {
            if (cumulative >= settings.HeadPixelShare) break;
            head.Add(cls);
            cumulative += Shares[cls];
        }
        HeadClasses = head.Order().ToArray();
        TailClasses = Enumerable.Range(0, c).Except(head).ToArray();
        Weights = Shares.Select(f => Math.Pow(f, -settings.TailBias)).ToArray();

        int cap = Math.Max(1, c / 2);
        TailDraws = Math.Min(Math.Min(settings.BalancedTailClasses, TailClasses.Count), cap);
        HeadDraws = Math.Min(Math.Min(settings.BalancedHeadClasses, HeadClasses.Count), cap - TailDraws);

        var isHead = new bool[c];
        foreach (var h in HeadClasses) isHead[h] = true;
        _weights = tensor(Weights.Select(w => (float)w).ToArray(), device: device).DetachFromDisposeScope();
        _headPenalty = tensor(isHead.Select(h => h ? 0f : float.PositiveInfinity).ToArray(), device: device).DetachFromDisposeScope();
        _tailPenalty = tensor(isHead.Select(h => h ? float.PositiveInfinity : 0f).ToArray(), device: device).DetachFromDisposeScope();
        _one = tensor(true, device: device).DetachFromDisposeScope();
        NumClasses = c;
    }

    public int NumClasses { get; }
    /// <summary>f_c, the smoothed share of labeled pixels per class.</summary>
    public IReadOnlyList<double> Shares { get; }
    /// <summary>w_c = f_c^-beta, the within-group sampling weight.</summary>
    public IReadOnlyList<double> Weights { get; }
    public IReadOnlyList<int> HeadClasses { get; }
    public IReadOnlyList<int> TailClasses { get; }
    public int HeadDraws { get; }
    public int TailDraws { get; }

    /// <summary>
    /// Draws the pasted classes for <paramref name="batch"/> images: bool [batch, 256], true at
    /// the chosen class values (index = label value; the ignore value 255 is never chosen).
    /// </summary>
    public Tensor SampleSelection(int batch, Generator generator)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), $"batch {batch} must be >= 1");
        using var scope = NewDisposeScope();
        var u = rand([batch, NumClasses], ScalarType.Float32, _weights.device, generator: generator);
        var keys = u.log_().neg_().div_(_weights);
        var selection = zeros([batch, LabelRange], ScalarType.Bool, _weights.device);
        if (HeadDraws > 0)
        {
            var idx = keys.add(_headPenalty).topk(HeadDraws, dim: 1, largest: false).indexes;
            selection.scatter_(1, idx, _one.expand(idx.shape));
        }
        if (TailDraws > 0)
        {
            var idx = keys.add(_tailPenalty).topk(TailDraws, dim: 1, largest: false).indexes;
            selection.scatter_(1, idx, _one.expand(idx.shape));
        }
        return selection.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _weights.Dispose();
        _headPenalty.Dispose();
        _tailPenalty.Dispose();
        _one.Dispose();
    }
}
