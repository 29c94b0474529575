using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using S4AL.Actors.Coordinator;
using S4AL.Actors.Hosting;
using S4AL.Actors.Serialization;
using S4AL.Domain.Experiments;
using S4AL.Node.Runs;

namespace S4AL.Node.Commands;

/// <summary>`s4al status --run-dir DIR`: where a run stands, read from its journal (safe while the run goes on).</summary>
public static class StatusCommand
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var runDir = new Option<string>("--run-dir") { Description = "The run folder", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON" };
        var cmd = new Command("status", "Show where a run stands: cycle, phase, last checkpoint, finished cycles with their mIoU, and whether a process is working on it.");
        cmd.Options.Add(runDir);
        cmd.Options.Add(json);
        cmd.SetAction(parse => CommandErrors.Guard(() => Show(parse.GetValue(runDir)!, parse.GetValue(json), Console.Out)));
        return cmd;
    }

    public static int Show(string runDir, bool asJson, TextWriter output)
    {
        var dir = Path.GetFullPath(runDir);
        if (!Directory.Exists(dir)) throw new UsageException($"--run-dir {runDir}: no such folder");
        var journal = Path.Combine(dir, RunFolder.JournalFileName);
        if (!File.Exists(journal)) throw new UsageException($"--run-dir {runDir}: no run here (no {RunFolder.JournalFileName}; runs made with --runtime in-process have no journal)");
        RunFolder.CheckJournal(journal);
        var state = Read(journal);
        bool running = RunFolder.IsInUse(dir);
        if (asJson)
        {
            output.WriteLine(JsonSerializer.Serialize(state.Experiments.Values.Select(s => new
            {
                experiment = s.Id.Value,
                phase = s.Phase.ToString().ToLowerInvariant(),
                cycle = s.Cycle,
                lastCycle = s.Plan.LastCycle,
                attempt = s.Attempt,
                running,
                shardsScored = s.ScoredShards.Count,
                shards = s.Phase is CyclePhase.Scoring or CyclePhase.Acquiring ? s.Shards().Length : 0,
                lastCheckpoint = s.LastCheckpoint,
                cycles = s.History.Select(h => new { cycle = h.Cycle, labeledPixelShare = h.Evaluation.LabeledPixelShare, miou = h.Evaluation.MeanIoU(), acquired = h.Acquired.Length }),
            }), new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        if (state.Experiments.IsEmpty) output.WriteLine($"{dir}: the journal holds no experiment yet");
        foreach (var s in state.Experiments.Values)
        {
            var where = s.Phase switch
            {
                CyclePhase.Done => "done",
                CyclePhase.Training => s.LastCheckpoint is { } c
                    ? $"cycle {s.Cycle}/{s.Plan.LastCycle}: training (attempt {s.Attempt}), last checkpoint after epoch {c.EpochsDone} (step {c.Step})"
                    : $"cycle {s.Cycle}/{s.Plan.LastCycle}: training (attempt {s.Attempt}), no checkpoint yet",
                CyclePhase.Scoring => $"cycle {s.Cycle}/{s.Plan.LastCycle}: scoring, {s.ScoredShards.Count} of {s.Shards().Length} shards done",
                _ => $"cycle {s.Cycle}/{s.Plan.LastCycle}: {s.Phase.ToString().ToLowerInvariant()}",
            };
            output.WriteLine($"experiment {s.Id} in {s.Plan.RunDirectory}");
            output.WriteLine($"  {where}; {(running ? "a process is working on it" : s.IsDone ? "finished" : "stopped: run `s4al run --run-dir " + runDir + "` to resume")}");
            foreach (var h in s.History)
                output.WriteLine(string.Create(Inv, $"  cycle {h.Cycle}: {100 * h.Evaluation.LabeledPixelShare:0.00}% labeled -> mIoU {h.Evaluation.MeanIoU():0.0000}, {h.Acquired.Length} regions acquired"));
        }
        return 0;
    }

    static CoordinatorState Read(string journal)
    {
        var config = ConfigurationFactory.ParseString(S4alMessagePackSerializer.Hocon)
            .WithFallback(PersistenceOptions.Sqlite(journal).ToHocon())
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = ERROR\nakka.stdout-loglevel = OFF\nakka.log-dead-letters = off"));
        using var system = ActorSystem.Create("s4al-status", config);
        try
        {
            return JournalReader.ReadAsync(system, new CoordinatorOptions().PersistenceId, TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        }
        finally
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
        }
    }
}
