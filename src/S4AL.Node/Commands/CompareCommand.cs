using System.CommandLine;
using S4AL.Node.Sweeps;
using S4AL.Reporting.Comparison;
using static S4AL.Reporting.Comparison.ComparisonNumbers;

namespace S4AL.Node.Commands;

/// <summary>
/// `s4al compare FOLDERS... --out DIR`: groups finished runs into settings (same settings.json
/// but for the seed) and writes the plot and tables that compare them (<see cref="ComparisonReport"/>).
/// </summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var folders = new Argument<string[]>("folders")
        {
            Description = "Run folders (settings.json and cycles.json), or folders holding run folders (in them or one level below), e.g. the OUT of scripts/bench-quality.sh",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out") { Description = "Folder to write compare.png, compare.md, compare.csv and compare.html into (created if missing)", Required = true };
        var cmd = new Command("compare", "Compare settings over seeds: mIoU against labeled pixels (mean, min-max band), final mIoU with spread, % of full supervision, paired differences per seed, per-class IoU.");
        cmd.Arguments.Add(folders);
        cmd.Options.Add(output);
        cmd.SetAction(parse => CommandErrors.Guard(() =>
        {
            var given = parse.GetValue(folders)!;
            var result = ComparisonReport.Write(given, parse.GetValue(output)!, SweepSettings(given));
            foreach (var warning in result.Warnings) Console.Error.WriteLine($"s4al: warning: {warning}");
            Print(result, Console.Out);
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// The setting names the sweeps among <paramref name="folders"/> gave their run folders (by full
    /// path): a folder that is a sweep's, a run folder in one, or a folder holding sweeps. Taken
    /// relative to where sweep.json is now, so a moved sweep keeps its names.
    /// </summary>
    public static Func<string, string?> SweepSettings(IEnumerable<string> folders)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var folder in folders.Select(Path.GetFullPath).Where(Directory.Exists))
        {
            var candidates = new List<string> { folder };
            if (Path.GetDirectoryName(folder) is { } parent) candidates.Add(parent);
            candidates.AddRange(Directory.GetDirectories(folder));
            foreach (var candidate in candidates)
                if (SweepFile.Read(candidate) is { } sweep)
                    foreach (var e in sweep.Experiments)
                        if (e.Setting is { Length: > 0 } setting) names[Path.Combine(candidate, Path.GetFileName(e.RunDirectory))] = setting;
        }
        return folder => names.GetValueOrDefault(Path.GetFullPath(folder));
    }

    static void Print(ComparisonOutput result, TextWriter output)
    {
        var c = result.Comparison;
        output.WriteLine($"{c.RunCount} runs of {c.Settings.Count} settings on {c.Dataset}");
        foreach (var f in c.Finals)
        {
            var ofFull = f.OfFull is { } of && f.Setting != of.Reference ? $", {Percent(of.OfMeans)} of full supervision" : "";
            output.WriteLine($"  {f.Setting}: final mIoU {Miou(f.Mean)} ({Seeds(f.PerSeed.Count)}, {Miou(f.Min)}-{Miou(f.Max)}){ofFull}");
        }
        output.WriteLine($"written: {string.Join(", ", result.Files)}");
    }
}
