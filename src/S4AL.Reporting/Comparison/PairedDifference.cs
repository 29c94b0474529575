namespace S4AL.Reporting.Comparison;

/// <summary>
/// Final mIoU of setting <see cref="A"/> minus setting <see cref="B"/>, seed by seed over the
/// seeds both ran: the same seed gives both the same data and initial set, so the difference
/// shows the settings' effect without the spread between seeds.
/// </summary>
public sealed record PairedDifference(string A, string B, IReadOnlyList<SeedValue> PerSeed)
{
    public double Mean => SeedStatistics.Mean(PerSeed);
    public double Min => SeedStatistics.Min(PerSeed);
    public double Max => SeedStatistics.Max(PerSeed);

    /// <summary>On how many of the paired seeds A is ahead.</summary>
    public int AheadCount => PerSeed.Count(d => d.Value > 0);

    /// <summary>
    /// Every pair of settings other than full supervision (A before B in the order given), with
    /// the pairs that share no seed in <paramref name="unpaired"/>.
    /// </summary>
    public static IReadOnlyList<PairedDifference> Of(IReadOnlyList<FinalMiou> finals, out IReadOnlyList<(string A, string B)> unpaired)
    {
        var compared = finals.Where(f => !f.IsFullSupervision).ToList();
        var pairs = new List<PairedDifference>();
        var none = new List<(string, string)>();
        for (int a = 0; a < compared.Count; a++)
        {
            for (int b = a + 1; b < compared.Count; b++)
            {
                var other = compared[b].PerSeed.ToDictionary(v => v.Seed, v => v.Value);
                var differences = compared[a].PerSeed.Where(v => other.ContainsKey(v.Seed)).Select(v => new SeedValue(v.Seed, v.Value - other[v.Seed])).ToList();
                if (differences.Count > 0) pairs.Add(new PairedDifference(compared[a].Setting, compared[b].Setting, differences));
                else none.Add((compared[a].Setting, compared[b].Setting));
            }
        }
        unpaired = none;
        return pairs;
    }
}
