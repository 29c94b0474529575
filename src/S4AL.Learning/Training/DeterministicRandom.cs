namespace S4AL.Learning.Training;

/// <summary>
/// A small seeded PRNG (xoshiro256**, seeded through SplitMix64) whose whole state is four
/// 64-bit words, so it can be checkpointed and restored exactly; System.Random offers neither
/// a stable algorithm across .NET versions nor access to its state.
/// </summary>
public sealed class DeterministicRandom
{
    ulong _s0, _s1, _s2, _s3;

    public DeterministicRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    DeterministicRandom(ReadOnlySpan<ulong> state) => SetState(state);

    /// <summary>Recreates a generator from <see cref="GetState"/>.</summary>
    public static DeterministicRandom FromState(ReadOnlySpan<ulong> state) => new(state);

    /// <summary>The four state words; feeding them to <see cref="FromState"/> continues the same sequence.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4) throw new ArgumentException($"a xoshiro256** state has 4 words, got {state.Length}", nameof(state));
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new ArgumentException("an all-zero xoshiro256** state is invalid (the generator would emit only zeros)", nameof(state));
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform integer in [0, <paramref name="exclusiveMax"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int exclusiveMax)
    {
        if (exclusiveMax <= 0) throw new ArgumentOutOfRangeException(nameof(exclusiveMax), $"{exclusiveMax} must be positive");
        ulong n = (ulong)exclusiveMax;
        UInt128 m = (UInt128)NextUInt64() * n;
        ulong low = (ulong)m;
        if (low < n)
        {
            ulong threshold = (0 - n) % n;
            while (low < threshold)
            {
                m = (UInt128)NextUInt64() * n;
                low = (ulong)m;
            }
        }
        return (int)(ulong)(m >> 64);
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fisher-Yates shuffle from the back, as Python's random.shuffle does.</summary>
    public void Shuffle<T>(IList<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>The SplitMix64 finalizer: a well-mixed 64-bit hash of <paramref name="value"/>, for deriving seeds.</summary>
    public static ulong Hash(ulong value)
    {
        ulong x = value;
        return SplitMix(ref x);
    }

    static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
