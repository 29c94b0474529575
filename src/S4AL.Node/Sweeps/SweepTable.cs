using System.Collections.Immutable;
using System.Globalization;
using S4AL.Domain.Experiments;
using Spectre.Console;
using Spectre.Console.Rendering;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Node.Sweeps;

/// <summary>One experiment of a sweep as a row of its status table.</summary>
public sealed record SweepRow(string Experiment, string Cycle, string Phase, string Miou, string Note);

/// <summary>
/// Where every experiment of a sweep stands, as a table: its cycle, phase, the mIoU of each
/// finished cycle, and why it waits or stopped. Rows are plain data (tested), the Spectre table
/// and the plain lines are two views of them.
/// </summary>
public static class SweepTable
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The rows, in the sweep's order; an experiment the coordinator does not know yet is "not submitted".</summary>
    public static ImmutableArray<SweepRow> Rows(SweepFile sweep, IReadOnlyList<ExperimentStatus> statuses)
    {
        var byId = statuses.Where(s => s.Found).ToDictionary(s => s.Experiment.Value);
        return sweep.Experiments.Select(e =>
        {
            if (e.SameAs is { } same) return new SweepRow(e.Name, "", "", "", $"identical to {same}: trained once");
            if (!byId.TryGetValue(e.Id, out var s)) return new SweepRow(e.Name, "", "not submitted", "", "");
            var miou = string.Join(" ", s.Completed.Select(h => h.Evaluation.Measured ? h.Evaluation.MeanIoU().ToString("0.0000", Inv) : "-"));
            var phase = s.Phase switch
            {
                CyclePhase.Waiting => "waiting",
                CyclePhase.Scoring => $"scoring {s.ShardsScored}/{s.Shards}",
                CyclePhase.Training when s.Attempt == 0 => "queued",
                var p => p.ToString().ToLowerInvariant(),
            };
            var note = s.Error is { } error ? $"failed: {error}"
                : s.WaitingFor is { } w ? $"starts from the labeled set of {sweep.NameOf(w.Value)}"
                : s.Trainer is { } t && s.Phase == CyclePhase.Training ? $"on {t}{(s.Attempt > 1 ? $", attempt {s.Attempt}" : "")}"
                : "";
            return new SweepRow(e.Name, s.Phase == CyclePhase.Waiting ? "" : $"{s.Cycle}/{s.LastCycle}", phase, miou, note);
        }).ToImmutableArray();
    }

    /// <summary>How many of the sweep's trained experiments are done.</summary>
    public static (int Done, int Total) Count(SweepFile sweep, IReadOnlyList<ExperimentStatus> statuses)
    {
        var done = statuses.Where(s => s.Found && s.Phase == CyclePhase.Done).Select(s => s.Experiment.Value).ToHashSet();
        var trained = sweep.Experiments.Where(e => e.SameAs is null).ToList();
        return (trained.Count(e => done.Contains(e.Id)), trained.Count);
    }

    public static IRenderable Render(string title, IReadOnlyList<SweepRow> rows)
    {
        var table = new Table { Border = TableBorder.Simple, Title = new TableTitle(Markup.Escape(title)) };
        table.AddColumn("experiment").AddColumn("cycle").AddColumn("phase").AddColumn("mIoU by cycle").AddColumn("");
        foreach (var r in rows) table.AddRow(Markup.Escape(r.Experiment), Markup.Escape(r.Cycle), Markup.Escape(r.Phase), Markup.Escape(r.Miou), Markup.Escape(r.Note));
        return table;
    }

    /// <summary>The table as plain text lines (logs, redirected output, `s4al status`).</summary>
    public static IEnumerable<string> Lines(IReadOnlyList<SweepRow> rows)
    {
        var all = rows.Prepend(new SweepRow("experiment", "cycle", "phase", "mIoU by cycle", "")).ToList();
        int w0 = all.Max(r => r.Experiment.Length), w1 = all.Max(r => r.Cycle.Length), w2 = all.Max(r => r.Phase.Length), w3 = all.Max(r => r.Miou.Length);
        return all.Select(r => $"{r.Experiment.PadRight(w0)}  {r.Cycle.PadRight(w1)}  {r.Phase.PadRight(w2)}  {r.Miou.PadRight(w3)}  {r.Note}".TrimEnd());
    }

    /// <summary>One line for a row that changed (the plain display prints only changes).</summary>
    public static string Change(SweepRow r) =>
        string.Join(" ", new[] { r.Experiment + ":", r.Cycle.Length > 0 ? $"cycle {r.Cycle}" : "", r.Phase, r.Miou.Length > 0 ? $"mIoU {r.Miou}" : "", r.Note }.Where(x => x.Length > 0));
}
