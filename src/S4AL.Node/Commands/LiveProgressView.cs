using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace S4AL.Node.Commands;

/// <summary>Draws a <see cref="LiveProgressSnapshot"/>: a header line, the training and scoring bars, and the finished cycles.</summary>
public static class LiveProgressView
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    const int BarWidth = 30;

    /// <summary>The live frame; only the last <paramref name="maxFinishedRows"/> finished cycles are listed so the frame fits a terminal.</summary>
    public static IRenderable Render(LiveProgressSnapshot s, int maxFinishedRows = 8)
    {
        var parts = new List<IRenderable> { Header(s) };
        if (s.Note is not null) parts.Add(new Markup($"[grey]{Markup.Escape(s.Note)}[/]"));
        parts.Add(Bars(s));
        // On its own line, full width: it is too long to share a row with a bar on an 80-column terminal.
        if (s.LastEpoch is { } e)
            parts.Add(new Markup(string.Create(Inv,
                $"[grey]epoch {e.Epoch}/{e.Epochs}: loss {e.Losses.Total:0.0000} sup {e.Losses.Supervised:0.0000} unsup {e.Losses.Unsupervised:0.0000} replay {e.Losses.Replay:0.0000} lr {e.LearningRate:G3} {e.Seconds:0.0}s[/]")));
        if (!s.Finished.IsEmpty) parts.Add(FinishedTable(s, maxFinishedRows));
        return new Rows(parts);
    }

    /// <summary>What stays on screen once the display stops: the header and every finished cycle.</summary>
    public static IRenderable RenderFinal(LiveProgressSnapshot s)
    {
        var parts = new List<IRenderable> { Header(s) };
        if (!s.Finished.IsEmpty) parts.Add(FinishedTable(s, int.MaxValue));
        return new Rows(parts);
    }

    static Markup Header(LiveProgressSnapshot s)
    {
        var cycle = s.Cycle is not { } c ? "starting"
            : s.Cycles is { } n ? string.Create(Inv, $"cycle {c}/{n}")
            : string.Create(Inv, $"cycle {c}");
        var share = s.LabeledPixelShare is { } p ? string.Create(Inv, $"   labeled {100 * p:0.00}% of pool pixels") : "";
        var miou = s.MeanIoU is { } m ? string.Create(Inv, $"   mIoU {m:0.0000}") : "";
        return new Markup($"[bold]{cycle}[/]   [{PhaseColor(s.Phase)}]{PhaseName(s.Phase)}[/]{share}{miou}");
    }

    static Grid Bars(LiveProgressSnapshot s)
    {
        var grid = new Grid();
        grid.AddColumn(new GridColumn().NoWrap());
        grid.AddColumn(new GridColumn().NoWrap());
        grid.AddColumn(new GridColumn());

        // Between epochs the next one is shown at step 0; after the last, the last one in full.
        bool trained = s.Epochs > 0 && s.EpochsDone >= s.Epochs;
        var train = s.Epochs <= 0 ? "[grey]waiting[/]" : string.Create(Inv,
            $"epoch {Math.Min(s.EpochsDone + 1, s.Epochs)}/{s.Epochs}") +
            (s.StepsPerEpoch > 0 ? string.Create(Inv, $"   step {(trained ? s.StepsPerEpoch : s.StepsDone)}/{s.StepsPerEpoch}") : "") +
            (s.Loss is { } loss ? string.Create(Inv, $"   loss {loss:0.0000}") : "");
        grid.AddRow("train", Bar(s.TrainingFraction), train);

        var score = s.ScoreTotal <= 0 ? "[grey]waiting[/]" : string.Create(Inv, $"{s.Scored}/{s.ScoreTotal} {s.ScoreUnit}");
        grid.AddRow("score", Bar(s.ScoringFraction), score);
        return grid;
    }

    static Table FinishedTable(LiveProgressSnapshot s, int maxRows)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("finished cycles");
        table.AddColumn(new TableColumn("cycle").RightAligned());
        table.AddColumn(new TableColumn("labeled %").RightAligned());
        table.AddColumn(new TableColumn("mIoU").RightAligned());
        table.AddColumn(new TableColumn("acquired").RightAligned());
        table.AddColumn(new TableColumn("train s").RightAligned());
        table.AddColumn(new TableColumn("score s").RightAligned());
        var rows = s.Finished;
        int skip = Math.Max(0, rows.Length - maxRows);
        if (skip > 0) table.Caption(string.Create(Inv, $"{skip} earlier cycle{(skip == 1 ? "" : "s")} not shown"));
        double best = rows.Where(r => !double.IsNaN(r.MeanIoU)).Select(r => r.MeanIoU).DefaultIfEmpty(double.NaN).Max();
        foreach (var r in rows.Skip(skip))
        {
            var miou = double.IsNaN(r.MeanIoU) ? "not measured" : string.Create(Inv, $"{r.MeanIoU:0.0000}");
            table.AddRow(
                r.Cycle.ToString(Inv),
                string.Create(Inv, $"{100 * r.LabeledPixelShare:0.00}"),
                r.MeanIoU == best ? $"[bold green]{miou}[/]" : miou,
                r.AcquiredRegions.ToString(Inv),
                string.Create(Inv, $"{r.TrainSeconds:0.0}"),
                string.Create(Inv, $"{r.ScoreSeconds:0.0}"));
        }
        return table;
    }

    /// <summary>A fixed-width bar with the percentage after it.</summary>
    internal static string Bar(double fraction)
    {
        int filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * BarWidth);
        return string.Create(Inv, $"[green]{new string('━', filled)}[/][grey]{new string('━', BarWidth - filled)}[/] {100 * fraction,3:0}%");
    }

    /// <summary>The lower-case word shown for a phase.</summary>
    public static string PhaseName(LivePhase phase) => phase switch
    {
        LivePhase.Waiting => "waiting",
        LivePhase.Training => "training",
        LivePhase.Evaluating => "evaluating",
        LivePhase.Scoring => "scoring",
        LivePhase.Acquiring => "acquiring",
        LivePhase.Done => "done",
        _ => phase.ToString().ToLowerInvariant(),
    };

    static string PhaseColor(LivePhase phase) => phase switch
    {
        LivePhase.Training => "yellow",
        LivePhase.Evaluating => "blue",
        LivePhase.Scoring => "aqua",
        LivePhase.Acquiring => "fuchsia",
        LivePhase.Done => "green",
        _ => "grey",
    };
}
