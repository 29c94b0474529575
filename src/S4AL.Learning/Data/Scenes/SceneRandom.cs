namespace S4AL.Learning.Data.Scenes;

/// <summary>
/// SplitMix64: a tiny, fast generator whose output is fixed by its seed on every platform
/// and .NET version (System.Random's seeded sequence is an implementation detail), so a
/// generated scene is the same wherever it is rebuilt.
/// </summary>
internal struct SceneRandom
{
    ulong _state;

    public SceneRandom(ulong seed) => _state = seed;

    /// <summary>A generator for item <paramref name="index"/> of a stream named by <paramref name="seed"/> and <paramref name="salt"/>.</summary>
    public static SceneRandom For(int seed, int index, ulong salt = 0)
    {
        var r = new SceneRandom(((ulong)(uint)seed << 32 | (uint)index) ^ (salt * 0xD6E8FEB86659FD93UL));
        r.NextULong(); // decorrelate neighbouring seeds
        return r;
    }

    public ulong NextULong()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public float NextFloat() => (NextULong() >> 40) * (1f / (1 << 24));

    public float Uniform(float lo, float hi) => lo + (hi - lo) * NextFloat();

    /// <summary>Uniform integer in [lo, hi).</summary>
    public int Next(int lo, int hi) => hi <= lo ? lo : lo + (int)((NextULong() >> 33) % (ulong)(hi - lo));

    public bool Chance(float p) => NextFloat() < p;

    /// <summary>Approximately normal (sum of four uniforms), cheap enough for per-pixel noise.</summary>
    public float Gaussian()
    {
        ulong u = NextULong();
        int s = (int)(u & 0xFFFF) + (int)((u >> 16) & 0xFFFF) + (int)((u >> 32) & 0xFFFF) + (int)(u >> 48);
        // Sum of 4 uniforms on [0, 65535]: mean 131070, sd 65535 * sqrt(4/12).
        return (s - 131070f) / 37836.6f;
    }

    /// <summary>Index drawn with probability proportional to <paramref name="weights"/>.</summary>
    public int Pick(ReadOnlySpan<float> weights)
    {
        float total = 0;
        foreach (var w in weights) total += w;
        float x = NextFloat() * total;
        for (int i = 0; i < weights.Length; i++)
        {
            x -= weights[i];
            if (x < 0) return i;
        }
        return weights.Length - 1;
    }
}
