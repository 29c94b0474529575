using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Microsoft.Extensions.Hosting;
using S4AL.Actors.Coordinator;
using S4AL.Actors.Hosting;
using S4AL.Actors.Serialization;
using S4AL.Domain.Experiments;
using S4AL.Node.Configuration;
using S4AL.Node.Hosting;
using S4AL.Node.Runs;
using S4AL.Node.Sweeps;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Node.Commands;

/// <summary>
/// `s4al status`: where runs stand: read from a run folder's journal (safe while the run goes
/// on), or asked of a running cluster's coordinator (--seed-nodes).
/// </summary>
public static class StatusCommand
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var runDir = new Option<string?>("--run-dir") { Description = "A run folder of `s4al run` (reads its journal)" };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON" };
        var watch = new Option<bool>("--watch") { Description = "For a sweep's folder: keep the table on screen, updated, until every experiment is done (Ctrl+C stops watching, not the sweep)" };
        var cluster = new ClusterOptions();
        var cmd = new Command("status", "Show where runs stand: cycle, phase, attempt, last checkpoint, finished cycles with their mIoU. With --run-dir from the folder's journal; with --seed-nodes from the running cluster.");
        cmd.Options.Add(runDir);
        cmd.Options.Add(json);
        cmd.Options.Add(watch);
        cluster.AddTo(cmd);
        cmd.SetAction(parse => CommandErrors.Guard(() =>
        {
            var dir = parse.GetValue(runDir);
            var node = S4alConfiguration.Load(cluster.Given(parse)).Node;
            if (dir is not null && !parse.GetValue(json) && SweepFile.Read(Path.GetFullPath(dir)) is { } sweep)
                return PrintSweep(sweep, dir, node, parse.GetValue(watch), Console.Out);
            if (parse.GetValue(watch)) throw new UsageException("--watch follows a sweep: give --run-dir of a sweep's folder");
            if (dir is not null)
            {
                var (statuses, running) = FromRunFolder(dir);
                return Print(statuses, running, dir, parse.GetValue(json), Console.Out);
            }
            if (node.SeedNodes.Count == 0) throw new UsageException("give --run-dir DIR (a run folder) or --seed-nodes (a running cluster)");
            using var client = CoordinatorClient.Connect(node, null);
            return Print(client.Ask<ExperimentList>(new ListExperiments()).Experiments, running: null, null, parse.GetValue(json), Console.Out);
        }));
        return cmd;
    }

    /// <summary>A sweep's folder: its experiments as a table, from its journal (a sweep run here) or from the cluster (--seed-nodes).</summary>
    static int PrintSweep(SweepFile sweep, string dir, NodeSection node, bool watch, TextWriter output)
    {
        using var client = node.SeedNodes.Count > 0 ? CoordinatorClient.Connect(node, null) : null;
        var journal = new ReadWhenChanged<IReadOnlyList<ExperimentStatus>>(Path.Combine(dir, RunFolder.JournalFileName), () => FromRunFolder(dir).Statuses, []);
        Func<IReadOnlyList<ExperimentStatus>> list = client is not null
            ? () => client.Ask<ExperimentList>(new ListExperiments()).Experiments
            : journal.Get;
        IReadOnlyList<ExperimentStatus> statuses;
        if (watch)
        {
            SweepCommand.Follow(sweep, list, output, CancellationToken.None);
            statuses = list();
        }
        else
        {
            statuses = list();
            foreach (var line in SweepTable.Lines(SweepTable.Rows(sweep, statuses))) output.WriteLine(line);
        }
        var (done, total) = SweepTable.Count(sweep, statuses);
        output.WriteLine(client is not null ? $"{done} of {total} experiments done" :
            $"{done} of {total} experiments done; {(RunFolder.IsInUse(Path.GetFullPath(dir)) ? "a process is working on it" : done == total ? "finished" : $"stopped: run `s4al sweep --run-dir {dir}` to resume")}");
        return 0;
    }

    static (IReadOnlyList<ExperimentStatus> Statuses, bool Running) FromRunFolder(string runDir) =>
        (RunFolder.ReadExperiments(runDir).Select(s => ExperimentStatus.Of(s, null)).ToList(), RunFolder.IsInUse(Path.GetFullPath(runDir)));

    static int Print(IReadOnlyList<ExperimentStatus> statuses, bool? running, string? runDir, bool asJson, TextWriter output)
    {
        if (asJson)
        {
            output.WriteLine(ToJson(statuses, running));
            return 0;
        }
        if (statuses.Count == 0) output.WriteLine(runDir is null ? "the cluster knows no experiment" : $"{runDir}: the journal holds no experiment yet");
        foreach (var s in statuses)
        {
            var where = s.Phase switch
            {
                CyclePhase.Done => "done",
                CyclePhase.Waiting => $"waiting for experiment {s.WaitingFor} to finish (it starts from that one's labeled set)",
                CyclePhase.Training when s.Attempt == 0 => $"cycle {s.Cycle}/{s.LastCycle}: waiting for a free trainer",
                CyclePhase.Training => s.LastCheckpoint is { } c
                    ? $"cycle {s.Cycle}/{s.LastCycle}: training (attempt {s.Attempt}{Failed(s.Failures)}), last checkpoint after epoch {c.EpochsDone} (step {c.Step})"
                    : $"cycle {s.Cycle}/{s.LastCycle}: training (attempt {s.Attempt}{Failed(s.Failures)}), no checkpoint yet",
                CyclePhase.Scoring => $"cycle {s.Cycle}/{s.LastCycle}: scoring, {s.ShardsScored} of {s.Shards} shards done",
                CyclePhase.Annotating when s.Annotator == AnnotatorMode.Human =>
                    $"cycle {s.Cycle} annotating: {s.RegionsLabeled} of {s.RegionsQueried} regions labeled",
                _ => $"cycle {s.Cycle}/{s.LastCycle}: {s.Phase.ToString().ToLowerInvariant()}",
            };
            var activity = running switch
            {
                true => "a process is working on it",
                false when s.Phase == CyclePhase.Done => "finished",
                false => $"stopped: run `s4al run --run-dir {runDir}` to resume",
                null => s.Trainer is { } t ? $"training on {t}" : s.Phase == CyclePhase.Done ? "finished" : "in the cluster",
            };
            output.WriteLine($"experiment {s.Experiment} in {s.RunDirectory}");
            output.WriteLine($"  {where}; {activity}");
            if (s.Error is { } error) output.WriteLine($"  failed: {error} (submit it again to retry)");
            if (s.TraceId is { } trace) output.WriteLine($"  trace of cycle {s.Cycle}: {trace} (find it in Jaeger by this id)");
            foreach (var h in s.Completed)
            {
                var attempts = h.Attempts > 1 ? $", {h.Attempts} training attempts" : "";
                output.WriteLine(string.Create(Inv, $"  cycle {h.Cycle}: {100 * h.Evaluation.LabeledPixelShare:0.00}% labeled -> mIoU {(h.Evaluation.Measured ? h.Evaluation.MeanIoU().ToString("0.0000", Inv) : "not measured")}, {h.Acquired.Length} regions acquired{attempts}"));
                foreach (var f in h.Failures) output.WriteLine($"    attempt {f.Attempt} failed: {f.Reason}");
            }
        }
        return 0;
    }

    static string Failed(IReadOnlyList<FailedAttempt> failures) =>
        failures.Count == 0 ? "" : "; " + string.Join("; ", failures.Select(f => $"attempt {f.Attempt} failed: {f.Reason}"));

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The --json form: camelCase keys throughout (IoU written "miou"), one object per experiment.</summary>
    public static string ToJson(IReadOnlyList<ExperimentStatus> statuses, bool? running) =>
        JsonSerializer.Serialize(statuses.Select(s => new
        {
            Experiment = s.Experiment.Value,
            RunDirectory = s.RunDirectory,
            Phase = s.Phase.ToString().ToLowerInvariant(),
            s.Cycle,
            s.LastCycle,
            s.Attempt,
            FailedAttempts = s.Failures.Select(f => new { f.Attempt, f.Reason }),
            Running = running,
            s.Trainer,
            s.TraceId,
            s.ShardsScored,
            s.Shards,
            Annotator = s.Annotator.ToString().ToLowerInvariant(),
            WaitingFor = s.WaitingFor?.Value,
            s.Error,
            Annotation = s.Phase == CyclePhase.Annotating && s.Annotator == AnnotatorMode.Human ? new { s.RegionsQueried, s.RegionsLabeled } : null,
            LastCheckpoint = s.LastCheckpoint is { } c ? new { c.Path, c.Sha256, c.Cycle, c.EpochsDone, c.Step } : null,
            Cycles = s.Completed.Select(h => new
            {
                h.Cycle,
                h.Evaluation.LabeledPixelShare,
                Miou = h.Evaluation.Measured ? h.Evaluation.MeanIoU() : (double?)null,
                Acquired = h.Acquired.Length,
                h.Attempts,
                FailedAttempts = h.Failures.Select(f => new { f.Attempt, f.Reason }),
                h.Annotation,
            }),
        }), Json);
}
