using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using S4AL.Learning.Acquisition;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data;
using S4AL.Learning.Networks;
using TorchSharp;

namespace S4AL.Node.Commands;

/// <summary>`s4al run`: a whole active-learning experiment on one machine.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var o = new ExperimentOptions();
        var cmd = new Command("run", "Run a complete S4AL experiment (initial set, cycles of training, scoring, acquisition and oracle annotation, evaluation after each cycle) on this machine.");
        o.AddTo(cmd);
        cmd.SetAction(parse => CommandErrors.Guard(() =>
        {
            var spec = o.Read(parse);
            return Run(spec, Console.Out);
        }));
        return cmd;
    }

    public static int Run(ExperimentSpec spec, TextWriter output)
    {
        torch.set_num_threads(spec.Threads);
        var (pool, validation) = Datasets.Open(spec.Data);
        Directory.CreateDirectory(spec.RunDir);
        ExperimentReport.WriteAtomically(Path.Combine(spec.RunDir, "settings.json"),
            JsonSerializer.Serialize(spec, new JsonSerializerOptions { WriteIndented = true }));
        output.WriteLine($"pool: {pool.Name} ({pool.Count} images {pool.Height}x{pool.Width}, {pool.NumClasses} classes); validation: {validation.Count} images; run folder: {spec.RunDir}");

        var watch = Stopwatch.StartNew();
        var driver = new ActiveLearningDriver(pool, validation, spec.Settings, spec.Device);
        var results = new List<CycleResult>();
        var progress = new ConsoleProgress(output, live: ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
        var labeledPath = Path.Combine(spec.RunDir, "labeled.json");
        var report = new Progress(progress, e =>
        {
            switch (e)
            {
                case ActiveLearningProgress.CycleStarted c: LabeledSetFile.Write(labeledPath, c.Labeled); break;
                case ActiveLearningProgress.Acquired a: LabeledSetFile.Write(labeledPath, a.Labeled); break;
                case ActiveLearningProgress.CycleCompleted c:
                    results.Add(c.Result);
                    ExperimentReport.Write(spec.RunDir, results);
                    break;
            }
        });
        var start = spec.LabeledFrom is null ? null : LabeledSetFile.Read(spec.LabeledFrom);
        driver.Run(report, start: start);
        output.WriteLine($"done in {watch.Elapsed.TotalSeconds:0.0}s; results: {Path.Combine(spec.RunDir, "cycles.csv")}");
        foreach (var r in results)
            output.WriteLine($"  cycle {r.Cycle}: {100 * r.LabeledPixelShare:0.00}% labeled -> mIoU {r.Evaluation.MeanIoU:0.0000}");
        return 0;
    }

    /// <summary>Forwards every event after saving what it changes (labeled set, per-cycle results), so a crash keeps finished work.</summary>
    sealed class Progress(IProgress<ActiveLearningProgress> inner, Action<ActiveLearningProgress> save) : IProgress<ActiveLearningProgress>
    {
        public void Report(ActiveLearningProgress value)
        {
            save(value);
            inner.Report(value);
        }
    }
}
