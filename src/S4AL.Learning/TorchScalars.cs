using TorchSharp;

namespace S4AL.Learning;

/// <summary>
/// Keeps TorchSharp scalars alive until the end of a block of tensor operations.
/// Why: an implicit conversion such as <c>t.mul(0.5)</c> makes a temporary <see cref="Scalar"/>
/// that nothing references once its native handle has been read, so a garbage collection
/// started by another thread (the batch prefetcher allocates steadily) can finalize it and free
/// the native scalar while libtorch is still reading it. Seen here as rare crashes
/// ("Expected false to be true ... toFloat") in long Release runs. Write <c>t.mul(S[0.5])</c>
/// with <c>using var S = new ScalarScope();</c> instead; the scope disposes them at its end.
/// </summary>
internal sealed class ScalarScope : IDisposable
{
    readonly List<Scalar> _scalars = new(16);

    public Scalar this[double value] => Keep(value.ToScalar());
    public Scalar this[long value] => Keep(value.ToScalar());

    Scalar Keep(Scalar scalar)
    {
        _scalars.Add(scalar);
        return scalar;
    }

    public void Dispose()
    {
        foreach (var s in _scalars) s.Dispose();
        _scalars.Clear();
    }
}

/// <summary>
/// Scalars rooted for the life of the process. TorchSharp's one-argument <c>add(x)</c> and
/// <c>add_(x)</c> (and the tensor <c>+</c> operator, which calls <c>add</c>) pass a temporary
/// alpha Scalar made from the literal 1; once its handle is read nothing references it, so the
/// finalizer thread can free it while libtorch still reads it, and libtorch then fails with
/// "Expected false to be true ... toFloat" (seen in BatchAugmentations.ColorJitter). Every add
/// here names its alpha: <c>x.add_(y, TorchScalars.One)</c>.
/// </summary>
internal static class TorchScalars
{
    public static readonly Scalar One = 1.ToScalar();
}
