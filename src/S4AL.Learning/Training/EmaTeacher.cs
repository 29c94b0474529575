using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Training;

/// <summary>
/// The mean teacher: after every optimizer step, theta' = d theta' + (1 - d) theta with
/// d = min(1 - 1/(t + 1), m), t = number of updates so far (the authors' EMA class). The first
/// update therefore copies the student, and the average warms up before settling at m.
/// As in the code only parameters are averaged by default; batch-norm running statistics of
/// the teacher come from its own forward passes (see <see cref="SslSettings.EmaAveragesBuffers"/>).
/// The update runs under no_grad and writes the teacher's tensors in place.
/// </summary>
public sealed class EmaTeacher : IDisposable
{
    readonly (Tensor Teacher, Tensor Student)[] _pairs;
    // One device scalar for the interpolation weight: filling it is a kernel, whereas a new
    // tensor per update would be a host-to-device copy (a synchronisation on CUDA).
    readonly Tensor _weight;

    /// <param name="teacher">The averaged network; its parameters and buffers are overwritten in place.</param>
    /// <param name="student">The trained network, same architecture and device.</param>
    /// <param name="maxDecay">m, the upper bound of the decay (0.99).</param>
    /// <param name="averageBuffers">Also average floating-point buffers (batch-norm running statistics).</param>
    public EmaTeacher(nn.Module teacher, nn.Module student, double maxDecay, bool averageBuffers = false)
    {
        if (!(maxDecay >= 0 && maxDecay < 1)) throw new ArgumentOutOfRangeException(nameof(maxDecay), $"EMA decay {maxDecay} must be in [0, 1)");
        MaxDecay = maxDecay;
        var pairs = Pair(teacher.named_parameters().Select(p => (p.name, (Tensor)p.parameter)),
                         student.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), "parameter");
        if (averageBuffers)
            pairs.AddRange(FloatingBufferPairs(teacher, student));
        _pairs = pairs.ToArray();
        _weight = MakeWeight(_pairs);
    }

    /// <summary>
    /// An EMA over explicit (teacher, student) tensor pairs of equal shape, dtype and device,
    /// e.g. the two <see cref="FlatParameters.Values"/> buffers, which makes the update one kernel.
    /// </summary>
    public EmaTeacher(IEnumerable<(Tensor Teacher, Tensor Student)> pairs, double maxDecay)
    {
        if (!(maxDecay >= 0 && maxDecay < 1)) throw new ArgumentOutOfRangeException(nameof(maxDecay), $"EMA decay {maxDecay} must be in [0, 1)");
        MaxDecay = maxDecay;
        _pairs = pairs.ToArray();
        for (int i = 0; i < _pairs.Length; i++)
        {
            var (t, s) = _pairs[i];
            if (!t.shape.SequenceEqual(s.shape) || t.dtype != s.dtype || t.device_type != s.device_type || t.device_index != s.device_index)
                throw new ArgumentException($"pair {i}: teacher [{string.Join(",", t.shape)}] {t.dtype} on {t.device} differs from student [{string.Join(",", s.shape)}] {s.dtype} on {s.device}", nameof(pairs));
        }
        _weight = MakeWeight(_pairs);
    }

    static Tensor MakeWeight((Tensor Teacher, Tensor Student)[] pairs)
    {
        if (pairs.Length == 0) throw new ArgumentException("nothing to average: no (teacher, student) tensors");
        var first = pairs[0].Teacher;
        if (pairs.Any(p => p.Teacher.dtype != first.dtype || p.Teacher.device_type != first.device_type || p.Teacher.device_index != first.device_index))
            throw new ArgumentException("all averaged tensors must share one dtype and device");
        return zeros(Array.Empty<long>(), first.dtype, first.device).DetachFromDisposeScope();
    }

    public double MaxDecay { get; }

    /// <summary>t: how many updates have run. Settable so a restored trainer continues the warm-up where it stopped.</summary>
    public long Updates { get; set; }

    /// <summary>The decay the next <see cref="Update"/> uses.</summary>
    public double NextDecay => Math.Min(1.0 - 1.0 / (Updates + 1), MaxDecay);

    /// <summary>theta' = d theta' + (1 - d) theta for every pair, in place; then t += 1.</summary>
    public void Update()
    {
        double decay = NextDecay;
        using (no_grad())
        {
            _weight.fill_(1.0 - decay);
            // lerp_(theta, 1 - d) = theta' + (1 - d)(theta - theta') = d theta' + (1 - d) theta, one kernel per tensor.
            foreach (var (t, s) in _pairs) t.lerp_(s, _weight);
        }
        Updates++;
    }

    /// <summary>Makes the teacher an exact copy of the student (all parameters and, if averaged, buffers).</summary>
    public void CopyStudent()
    {
        using (no_grad())
            foreach (var (t, s) in _pairs) t.copy_(s);
    }

    public void Dispose() => _weight.Dispose();

    /// <summary>The floating-point buffers (batch-norm running statistics) of two networks of one architecture, paired by name.</summary>
    public static List<(Tensor Teacher, Tensor Student)> FloatingBufferPairs(nn.Module teacher, nn.Module student) =>
        Pair(teacher.named_buffers().Where(b => b.buffer.is_floating_point()),
             student.named_buffers().Where(b => b.buffer.is_floating_point()), "buffer");

    static List<(Tensor Teacher, Tensor Student)> Pair(IEnumerable<(string name, Tensor tensor)> teacher, IEnumerable<(string name, Tensor tensor)> student, string kind)
    {
        var studentByName = student.ToDictionary(p => p.name, p => p.tensor);
        var result = new List<(Tensor Teacher, Tensor Student)>();
        foreach (var (name, t) in teacher)
        {
            if (!studentByName.Remove(name, out var s))
                throw new ArgumentException($"teacher {kind} '{name}' has no counterpart in the student; both must be the same architecture");
            if (!t.shape.SequenceEqual(s.shape) || t.dtype != s.dtype || t.device_type != s.device_type || t.device_index != s.device_index)
                throw new ArgumentException($"{kind} '{name}': teacher [{string.Join(",", t.shape)}] {t.dtype} on {t.device} differs from student [{string.Join(",", s.shape)}] {s.dtype} on {s.device}");
            result.Add((t, s));
        }
        if (studentByName.Count > 0)
            throw new ArgumentException($"student {kind} '{studentByName.Keys.First()}' has no counterpart in the teacher; both must be the same architecture");
        return result;
    }
}
