using System.CommandLine;
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
            var result = ComparisonReport.Write(parse.GetValue(folders)!, parse.GetValue(output)!);
            foreach (var warning in result.Warnings) Console.Error.WriteLine($"s4al: warning: {warning}");
            Print(result, Console.Out);
            return 0;
        }));
        return cmd;
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
