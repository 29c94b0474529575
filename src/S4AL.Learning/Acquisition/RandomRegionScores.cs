namespace S4AL.Learning.Acquisition;

/// <summary>
/// Scores of the random metric. Each region's score is a pure function of
/// (seed, cycle, image, region), so the ranking does not depend on batch size, shard
/// layout, scoring order or the machine that computes it: a re-run shard after a crash
/// returns exactly what the lost one would have.
/// </summary>
public static class RandomRegionScores
{
    /// <summary>A score uniform in [0, 1) with 24 bits of resolution (exactly representable as float).</summary>
    public static float Score(long seed, int cycle, int image, int region)
    {
        // SplitMix64's finalizer chained over the fields; adding a distinct odd constant
        // per step keeps (0,0,0,0) and field swaps from colliding.
        ulong h = Mix((ulong)seed + 0x9E3779B97F4A7C15UL);
        h = Mix(h + (uint)cycle + 0xBF58476D1CE4E5B9UL);
        h = Mix(h + (uint)image + 0x94D049BB133111EBUL);
        h = Mix(h + (uint)region + 0xD6E8FEB86659FD93UL);
        return (h >> 40) * (1f / (1 << 24));
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
