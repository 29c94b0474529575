namespace S4AL.Reporting.Comparison;

/// <summary>
/// Names settings by what differs between them, as short as it can be: a setting's name holds,
/// in the order of <see cref="Priority"/>, only the fields that tell it apart from some other
/// setting not yet told apart ("mode=s4al metric=entropy", "mode=s4al metric=random",
/// "mode=supervised-only"). Every name is unique, because each one rules out every other setting.
/// </summary>
public static class SettingNames
{
    /// <summary>Fields a reader thinks of first when settings differ; the others follow in settings.json's order.</summary>
    static readonly string[] Priority =
    [
        "settings.mode", "settings.metric", "settings.scorer", "settings.supervisedOnAcquiredRegions", DefinitionFields.Annotator,
        "settings.network", "settings.backboneWeights", "settings.budget.scope", "settings.budget.count", "settings.regionSize",
        "settings.initialLabeledShare", "settings.cycles", "settings.epochsPerCycle", "settings.lastCycleEpochFactor",
        "settings.iterationsPerEpoch", "settings.batchSize",
    ];

    /// <param name="settings">Each setting's fields (<see cref="DefinitionFields.Of"/>); no two alike.</param>
    public static IReadOnlyList<string> Of(IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var values = settings.Select(f => f.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)).ToList();
        string? Value(int setting, string key) => values[setting].GetValueOrDefault(key);
        var keys = settings.SelectMany(f => f.Select(p => p.Key)).Distinct(StringComparer.Ordinal).ToList();
        var differing = keys.Where(k => values.Select((_, i) => Value(i, k)).Distinct().Count() > 1)
            .OrderBy(k => Array.IndexOf(Priority, k) switch { < 0 => Priority.Length + keys.IndexOf(k), var p => p })
            .ToList();
        if (settings.Count == 1) return [Label("settings.mode", Value(0, "settings.mode"))];

        var names = new List<string>();
        for (int s = 0; s < settings.Count; s++)
        {
            var alike = Enumerable.Range(0, settings.Count).Where(o => o != s).ToHashSet();
            var parts = new List<string>();
            foreach (var key in differing)
            {
                if (alike.Count == 0) break;
                var value = Value(s, key);
                if (alike.RemoveWhere(o => Value(o, key) != value) > 0) parts.Add(Label(key, value));
            }
            if (alike.Count > 0)
                throw new ArgumentException($"settings {s} and {alike.First()} have the same fields; group runs into settings before naming them", nameof(settings));
            names.Add(string.Join(" ", parts));
        }
        return names;
    }

    /// <summary>"mode=s4al" for settings.mode: every setting field is under "settings", so the prefix says nothing.</summary>
    static string Label(string key, string? value) =>
        $"{(key.StartsWith(DefinitionFields.SettingsPrefix, StringComparison.Ordinal) ? key[DefinitionFields.SettingsPrefix.Length..] : key)}={value ?? "(none)"}";
}
