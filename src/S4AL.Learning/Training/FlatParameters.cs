using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Training;

/// <summary>
/// Re-homes a network's parameters into one flat buffer (and, optionally, their gradients into
/// a second one) so that the optimizer step and the EMA update are a handful of kernels over
/// the whole network instead of several per parameter tensor, which matters on a GPU where
/// each of the ~1,300 per-tensor launches of a MobileNetV2 DeepLab costs time. Each parameter
/// becomes a strided view of the buffer with its own memory layout (channels-last conv weights
/// stay channels-last); the Parameter objects are the same, so modules, state dicts and
/// autograd are unaffected. The buffers own the memory: keep this object alive as long as the
/// network, and do not move or re-layout the network afterwards.
/// </summary>
public sealed class FlatParameters : IDisposable
{
    readonly Parameter[] _parameters;
    readonly Tensor[]? _gradViews;

    /// <param name="parameters">Dense tensors (contiguous or any permuted dense layout) of one dtype and device.</param>
    /// <param name="withGradients">Also give every parameter a .grad that is a view of <see cref="Gradients"/>.</param>
    /// <param name="layoutOf">
    /// Optional tensors whose strides the views take, element for element; used to lay a
    /// teacher out exactly like its student so that flat element i is the same weight in both.
    /// </param>
    public FlatParameters(IEnumerable<Parameter> parameters, bool withGradients, IReadOnlyList<Tensor>? layoutOf = null)
    {
        var unique = new List<Parameter>();
        foreach (var p in parameters)
            if (!unique.Any(q => ReferenceEquals(q, p))) unique.Add(p);
        if (unique.Count == 0) throw new ArgumentException("no parameters to flatten", nameof(parameters));
        if (layoutOf is not null && layoutOf.Count != unique.Count)
            throw new ArgumentException($"{layoutOf.Count} layout tensors for {unique.Count} parameters", nameof(layoutOf));
        _parameters = unique.ToArray();

        var first = _parameters[0];
        var strides = new long[_parameters.Length][];
        long total = 0;
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (p.dtype != first.dtype || p.device_type != first.device_type || p.device_index != first.device_index)
                throw new ArgumentException($"parameter {i} is {p.dtype} on {p.device}, parameter 0 is {first.dtype} on {first.device}: one flat buffer needs one dtype and device", nameof(parameters));
            var layout = layoutOf?[i] ?? p;
            if (!layout.shape.SequenceEqual(p.shape))
                throw new ArgumentException($"layout tensor {i} [{string.Join(",", layout.shape)}] does not match parameter [{string.Join(",", p.shape)}]", nameof(layoutOf));
            strides[i] = IsDense(p.shape, layout.stride()) ? layout.stride() : ContiguousStrides(p.shape);
            total += p.numel();
        }
        Count = total;

        using (no_grad())
        {
            Values = empty([total], first.dtype, first.device).DetachFromDisposeScope();
            long offset = 0;
            for (int i = 0; i < _parameters.Length; i++)
            {
                var p = _parameters[i];
                using var view = Values.as_strided(p.shape, strides[i], offset);
                view.copy_(p);
                p.set_(view);
                offset += p.numel();
            }
            if (withGradients)
            {
                Gradients = zeros([total], first.dtype, first.device).DetachFromDisposeScope();
                _gradViews = new Tensor[_parameters.Length];
                offset = 0;
                for (int i = 0; i < _parameters.Length; i++)
                {
                    _gradViews[i] = Gradients.as_strided(_parameters[i].shape, strides[i], offset).DetachFromDisposeScope();
                    offset += _parameters[i].numel();
                }
                AttachGradients();
            }
        }
    }

    /// <summary>All parameter values, flat; parameter i is a strided view of it.</summary>
    public Tensor Values { get; }
    /// <summary>All gradients, flat (null unless built with gradients).</summary>
    public Tensor? Gradients { get; }
    /// <summary>Number of scalar weights.</summary>
    public long Count { get; }
    /// <summary>The parameters, in buffer order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>
    /// Zeroes <see cref="Gradients"/> (one kernel) and re-attaches each parameter's .grad view,
    /// so backward accumulates into the flat buffer even if something set a .grad to null
    /// (Module.zero_grad does). Attaching is host-side bookkeeping only.
    /// </summary>
    public void ZeroGradients()
    {
        if (Gradients is null) throw new InvalidOperationException("these flat parameters were built without gradients");
        using (no_grad()) Gradients.zero_();
        AttachGradients();
    }

    void AttachGradients()
    {
        for (int i = 0; i < _parameters.Length; i++) _parameters[i].grad = _gradViews![i];
    }

    /// <summary>True when the strides describe a non-overlapping layout without gaps (any permutation of a contiguous one).</summary>
    static bool IsDense(long[] shape, long[] strides)
    {
        long expected = 1;
        foreach (var d in Enumerable.Range(0, shape.Length).Where(d => shape[d] != 1).OrderBy(d => strides[d]))
        {
            if (strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int d = shape.Length - 1; d >= 0; d--) { strides[d] = s; s *= Math.Max(1, shape[d]); }
        return strides;
    }

    public void Dispose()
    {
        if (_gradViews is not null)
        {
            foreach (var p in _parameters) p.grad = null;
            foreach (var v in _gradViews) v.Dispose();
        }
        Gradients?.Dispose();
        // Values stays referenced by the parameters' storage; disposing our handle only drops this reference.
        Values.Dispose();
    }
}

/// <summary>
/// PyTorch's SGD (momentum, dampening 0, optional Nesterov, L2 weight decay) over
/// <see cref="FlatParameters"/>: d = g + wd p; b = m b + d (b = d at the first step);
/// d = d + m b (Nesterov) or b; p -= lr d. Five kernels per step for the whole network.
/// </summary>
public sealed class FlatSgd : IDisposable
{
    readonly FlatParameters _parameters;
    Tensor? _momentumBuffer;

    public FlatSgd(FlatParameters parameters, double learningRate, double momentum, double weightDecay, bool nesterov)
    {
        _parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        if (parameters.Gradients is null) throw new ArgumentException("SGD needs flat parameters built with gradients", nameof(parameters));
        if (!(learningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), $"learning rate {learningRate} must be >= 0");
        if (!(momentum >= 0)) throw new ArgumentOutOfRangeException(nameof(momentum), $"momentum {momentum} must be >= 0");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weight decay {weightDecay} must be >= 0");
        if (nesterov && momentum <= 0) throw new ArgumentException("Nesterov momentum needs momentum > 0", nameof(nesterov));
        LearningRate = learningRate;
        Momentum = momentum;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
    }

    public double LearningRate { get; set; }
    public double Momentum { get; }
    public double WeightDecay { get; }
    public bool Nesterov { get; }
    /// <summary>The flat momentum buffer; null before the first step (as in PyTorch).</summary>
    public Tensor? MomentumBuffer => _momentumBuffer;

    public void ZeroGrad() => _parameters.ZeroGradients();

    public void Step()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var p = _parameters.Values;
        var d = _parameters.Gradients!.add(p, alpha: WeightDecay);
        if (Momentum != 0)
        {
            if (_momentumBuffer is null) _momentumBuffer = d.clone().DetachFromDisposeScope();
            else _momentumBuffer.mul_(Momentum).add_(d);
            d = Nesterov ? d.add_(_momentumBuffer, alpha: Momentum) : _momentumBuffer;
        }
        p.add_(d, alpha: -LearningRate);
    }

    /// <summary>Replaces the momentum buffer (null = not started); copied into a buffer of this optimizer's device.</summary>
    public void SetMomentumBuffer(Tensor? buffer)
    {
        if (buffer is null)
        {
            _momentumBuffer?.Dispose();
            _momentumBuffer = null;
            return;
        }
        if (!buffer.shape.SequenceEqual(_parameters.Values.shape) || buffer.dtype != _parameters.Values.dtype)
            throw new ArgumentException($"momentum buffer {buffer.dtype} [{string.Join(",", buffer.shape)}] does not fit {_parameters.Values.dtype} [{_parameters.Count}]", nameof(buffer));
        _momentumBuffer ??= zeros_like(_parameters.Values).DetachFromDisposeScope();
        using (no_grad()) _momentumBuffer.copy_(buffer);
    }

    public void Dispose() => _momentumBuffer?.Dispose();
}
