namespace S4AL.Reporting.Comparison;

/// <summary>
/// Groups runs into settings by their definition without the seed, in the order the runs come
/// (full supervision last), and names them. Refuses runs of different datasets (their mIoU does not compare) and two runs
/// of one setting with the same seed (settings.json cannot tell them apart).
/// </summary>
public static class SettingGrouping
{
    /// <param name="sweepSetting">The name a sweep gave a run's setting (by run folder), null where none: when every
    /// setting has exactly one such name and no two share one, those names are used (they are what the user chose).</param>
    public static IReadOnlyList<ComparedSetting> Group(IReadOnlyList<ComparedRun> runs, Func<string, string?>? sweepSetting = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("no run to group", nameof(runs));
        var fields = runs.Select(r => DefinitionFields.Of(r.Definition)).ToList();
        for (int r = 1; r < runs.Count; r++) CheckSameDataset(runs[0], fields[0], runs[r], fields[r]);

        var keys = new List<string>();
        var members = new List<List<ComparedRun>>();
        var settingFields = new List<IReadOnlyList<KeyValuePair<string, string>>>();
        for (int r = 0; r < runs.Count; r++)
        {
            var key = string.Join("\n", fields[r].Select(f => $"{f.Key}={f.Value}"));
            int index = keys.IndexOf(key);
            if (index < 0)
            {
                keys.Add(key);
                members.Add([]);
                settingFields.Add(fields[r]);
                index = keys.Count - 1;
            }
            if (members[index].Find(m => m.Seed == runs[r].Seed) is { } twin)
                throw new InvalidDataException($"{twin.Folder} and {runs[r].Folder} are the same setting with the same seed {ComparisonNumbers.Int(runs[r].Seed)} " +
                    "(settings.json cannot tell them apart, e.g. runs started from different --labeled-from sets); compare them separately");
            members[index].Add(runs[r]);
        }
        var names = SettingNames.Of(settingFields);
        var given = sweepSetting is null ? null : members.Select(m => m.Select(r => sweepSetting(r.Folder)).Distinct().ToList()).ToList();
        bool useGiven = given is not null && given.All(g => g is [{ }]) && given.Select(g => g[0]).Distinct(StringComparer.Ordinal).Count() == given.Count;
        // Full supervision is the yardstick, not a contender: it goes last.
        return members.Select((m, i) => useGiven
                ? new ComparedSetting(given![i][0]!, m.OrderBy(r => r.Seed).ToList(), names[i])
                : new ComparedSetting(names[i], m.OrderBy(r => r.Seed).ToList()))
            .OrderBy(s => s.IsFullSupervision).ToList();
    }

    static void CheckSameDataset(ComparedRun first, IReadOnlyList<KeyValuePair<string, string>> firstFields, ComparedRun other, IReadOnlyList<KeyValuePair<string, string>> otherFields)
    {
        static Dictionary<string, string> Data(IReadOnlyList<KeyValuePair<string, string>> f) =>
            f.Where(p => p.Key.StartsWith(DefinitionFields.DataPrefix, StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var a = Data(firstFields);
        var b = Data(otherFields);
        var differences = a.Keys.Union(b.Keys).Where(k => a.GetValueOrDefault(k) != b.GetValueOrDefault(k))
            .Select(k => $"{k} {a.GetValueOrDefault(k) ?? "(none)"} vs {b.GetValueOrDefault(k) ?? "(none)"}").ToList();
        if (differences.Count > 0)
            throw new InvalidDataException($"{first.Folder} and {other.Folder} are runs of different datasets ({string.Join(", ", differences)}); compare runs of one dataset");
    }
}
