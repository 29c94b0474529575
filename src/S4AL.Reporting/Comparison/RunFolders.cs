using S4AL.Learning.ActiveLearning;

namespace S4AL.Reporting.Comparison;

/// <summary>
/// Finds and reads run folders: a folder given is a run folder (it has settings.json) or a sweep
/// holding run folders, directly or one level deeper. A run folder without cycles.json, or with
/// fewer cycles than its settings plan, has not finished: it is left out with a warning, and
/// only when nothing finished is that an error.
/// </summary>
public static class RunFolders
{
    public const string SettingsFile = "settings.json", CyclesFile = "cycles.json";

    // Sweeps are laid out as sweep/<setting>-s<seed>/ (scripts/bench-quality.sh) or sweep/<setting>/<seed>/.
    const int SweepDepth = 2;

    public static FoundRuns Read(IReadOnlyList<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        if (folders.Count == 0) throw new ArgumentException("give at least one run folder or folder of run folders");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var runs = new List<ComparedRun>();
        var warnings = new List<string>();
        foreach (var folder in folders.SelectMany(Find))
        {
            // The same run reached twice (a sweep and one of its runs) counts once.
            if (!seen.Add(Path.GetFullPath(folder))) continue;
            if (ReadRun(folder, out var unfinished) is { } run) runs.Add(run);
            else warnings.Add(unfinished!);
        }
        if (runs.Count == 0) throw new InvalidDataException($"no finished run to compare: {string.Join("; ", warnings)}");
        return new FoundRuns(runs, warnings);
    }

    /// <summary>The run folders <paramref name="folder"/> is or holds, in ordinal order of their paths.</summary>
    public static IReadOnlyList<string> Find(string folder)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(folder);
        if (!Directory.Exists(trimmed)) throw new DirectoryNotFoundException($"{folder}: no such folder");
        if (IsRunFolder(trimmed)) return [trimmed];
        var runs = Below(trimmed, SweepDepth);
        if (runs.Count == 0)
            throw new InvalidDataException($"{folder}: neither a run folder (no {SettingsFile}) nor a folder of run folders (none in it or one level below)");
        return runs;
    }

    static List<string> Below(string folder, int depth) =>
        depth == 0 ? [] : Directory.GetDirectories(folder).Order(StringComparer.Ordinal)
            .SelectMany(d => IsRunFolder(d) ? [d] : Below(d, depth - 1)).ToList();

    static bool IsRunFolder(string folder) => File.Exists(Path.Combine(folder, SettingsFile));

    /// <summary>The run, or null and why it was left out.</summary>
    static ComparedRun? ReadRun(string folder, out string? unfinished)
    {
        var settingsPath = Path.Combine(folder, SettingsFile);
        var definition = ExperimentDefinition.FromJson(File.ReadAllText(settingsPath), settingsPath);
        var cyclesPath = Path.Combine(folder, CyclesFile);
        unfinished = null;
        if (!File.Exists(cyclesPath))
        {
            unfinished = $"{folder}: unfinished (no {CyclesFile}); skipped";
            return null;
        }
        var cycles = CyclesJson.Parse(File.ReadAllText(cyclesPath), cyclesPath);
        int planned = definition.Settings.LastCycle() + 1;
        if (cycles.Count < planned)
        {
            unfinished = $"{folder}: unfinished ({cycles.Count} of {planned} cycles in {CyclesFile}); skipped";
            return null;
        }
        return new ComparedRun(folder, definition, cycles);
    }
}
