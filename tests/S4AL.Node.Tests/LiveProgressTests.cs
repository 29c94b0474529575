using S4AL.Domain.Metrics;
using S4AL.Domain;
using System.Collections.Immutable;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Regions;
using S4AL.Learning.Evaluation;
using S4AL.Node.Commands;
using Spectre.Console;
using P = S4AL.Learning.ActiveLearning.ActiveLearningProgress;

namespace S4AL.Node.Tests;

public class LiveProgressTests
{
    static readonly RegionGrid Grid = new(32, 48, 8);
    static readonly LabeledRegionSet Labeled = LabeledRegionSet.Empty(10, Grid).WithFullyLabeled([0]);

    static SegmentationMetrics Metrics(double miou) => new()
    {
        ClassNames = ["a", "b"],
        ClassIoU = [miou, miou],
        ClassAccuracy = [miou, miou],
        ClassPixels = [10, 10],
        PredictedPixels = [10, 10],
        MeanIoU = miou,
        MeanIoUPresent = miou,
        MeanClassAccuracy = miou,
        MeanClassAccuracyPresent = miou,
        PixelAccuracy = miou,
        PixelCount = 20,
    };

    static P.CycleCompleted Completed(int cycle, double share, double miou, int acquired) =>
        new(new CycleResult(cycle, share, 0, Metrics(miou), Enumerable.Range(0, acquired).Select(i => new RegionId(1, i)).ToList(), 12.5, 3.25));

    static readonly LossSummary Losses = new(0.5, 0.3, 0.15, 0.05);

    /// <summary>One whole cycle of a run with <paramref name="cycles"/> as the last cycle index.</summary>
    static IEnumerable<P> Cycle(int cycle, int cycles, double share, double miou)
    {
        yield return new P.CycleStarted(cycle, cycles, 2, Labeled, share);
        for (int e = 0; e < 2; e++)
        {
            for (int s = 0; s < 4; s++) yield return new P.StepCompleted(cycle, e, s, 4, 1f / (s + 1));
            yield return new P.EpochCompleted(cycle, e, 2, 0.001, Losses, 1.5);
        }
        yield return new P.Evaluated(cycle, Metrics(miou));
        if (cycle < cycles)
        {
            for (int i = 1; i <= 10; i++) yield return new P.Scoring(cycle, i, 10);
            yield return new P.Acquired(cycle, [new(1, 0), new(1, 1)], Labeled, share + 0.01);
        }
        yield return Completed(cycle, share, miou, cycle < cycles ? 2 : 0);
    }

    [Fact]
    public void Training_events_drive_the_header_and_training_bar()
    {
        var state = new LiveProgressState();
        Assert.Equal(LivePhase.Waiting, state.Snapshot().Phase);

        state.Apply(new P.CycleStarted(1, 5, 3, Labeled, 0.042));
        var s = state.Snapshot();
        Assert.Equal((1, 5, LivePhase.Training, 0.042), (s.Cycle, s.Cycles, s.Phase, s.LabeledPixelShare));
        Assert.Equal(0, s.TrainingFraction);

        state.Apply(new P.StepCompleted(1, 1, 1, 4, 0.75f));
        s = state.Snapshot();
        Assert.Equal((1, 2, 4, 0.75f), (s.EpochsDone, s.StepsDone, s.StepsPerEpoch, s.Loss));
        Assert.Equal(6.0 / 12, s.TrainingFraction, 6);

        state.Apply(new P.EpochCompleted(1, 1, 3, 0.002, Losses, 2.5));
        s = state.Snapshot();
        Assert.Equal(LivePhase.Training, s.Phase);
        Assert.Equal(new EpochSummary(2, 3, Losses, 0.002, 2.5), s.LastEpoch);
        Assert.Equal(8.0 / 12, s.TrainingFraction, 6);

        state.Apply(new P.EpochCompleted(1, 2, 3, 0.001, Losses, 2.5));
        s = state.Snapshot();
        Assert.Equal(LivePhase.Evaluating, s.Phase);
        Assert.Equal(1, s.TrainingFraction);
    }

    [Fact]
    public void Scoring_then_acquisition_then_the_finished_table()
    {
        var state = new LiveProgressState();
        foreach (var e in Cycle(0, 2, 0.02, 0.30).TakeWhile(e => e is not P.Scoring)) state.Apply(e);
        var s = state.Snapshot();
        Assert.Equal(LivePhase.Scoring, s.Phase);
        Assert.Equal(0.30, s.MeanIoU);

        state.Apply(new P.Scoring(0, 3, 10));
        s = state.Snapshot();
        Assert.Equal((3, 10, "images", LivePhase.Scoring), (s.Scored, s.ScoreTotal, s.ScoreUnit, s.Phase));
        Assert.Equal(0.3, s.ScoringFraction, 6);

        state.Apply(new P.ShardsScored(0, 2, 4));
        s = state.Snapshot();
        Assert.Equal((2, 4, "shards"), (s.Scored, s.ScoreTotal, s.ScoreUnit));
        state.Apply(new P.ShardsScored(0, 4, 4));
        Assert.Equal(LivePhase.Acquiring, state.Snapshot().Phase);

        state.Apply(new P.Acquired(0, [new(1, 0)], Labeled, 0.035));
        Assert.Equal(0.035, state.Snapshot().LabeledPixelShare);
        state.Apply(Completed(0, 0.02, 0.30, 1));
        s = state.Snapshot();
        Assert.Equal([new FinishedCycle(0, 0.02, 0.30, 1, 12.5, 3.25)], s.Finished.ToArray());
        Assert.NotEqual(LivePhase.Done, s.Phase);

        foreach (var e in Cycle(1, 2, 0.035, 0.40).Concat(Cycle(2, 2, 0.045, 0.45))) state.Apply(e);
        s = state.Snapshot();
        Assert.Equal(LivePhase.Done, s.Phase);
        Assert.Equal([0, 1, 2], s.Finished.Select(f => f.Cycle));
        Assert.Equal(0.45, s.Finished[^1].MeanIoU);
    }

    [Fact]
    public void The_last_cycle_stays_evaluating_until_it_completes()
    {
        var state = new LiveProgressState();
        foreach (var e in Cycle(3, 3, 0.05, 0.5).TakeWhile(e => e is not P.CycleCompleted)) state.Apply(e);
        Assert.Equal(LivePhase.Evaluating, state.Snapshot().Phase);
    }

    [Fact]
    public void A_resumed_run_shows_where_it_picked_up_and_replaces_a_rerun_cycle()
    {
        var state = new LiveProgressState();
        state.Apply(Completed(0, 0.02, 0.30, 2));
        state.Apply(new P.Resumed(1, "Scoring", "3 of 8 shards done"));
        var s = state.Snapshot();
        Assert.Equal((1, LivePhase.Scoring), (s.Cycle, s.Phase));
        Assert.Equal("resumed at cycle 1 (Scoring): 3 of 8 shards done", s.Note);

        state.Apply(new P.Resumed(1, "waiting for annotations?", ""));
        Assert.Equal(LivePhase.Scoring, state.Snapshot().Phase);

        state.Apply(Completed(0, 0.02, 0.33, 2));
        Assert.Equal([0.33], state.Snapshot().Finished.Select(f => f.MeanIoU));
    }

    [Fact]
    public void Every_event_changes_the_version_so_the_renderer_redraws()
    {
        var state = new LiveProgressState();
        long before = state.Snapshot().Version;
        state.Apply(new P.StepCompleted(0, 0, 0, 4, 1f));
        Assert.True(state.Snapshot().Version > before);
    }

    [Fact]
    public void Concurrent_reports_lose_no_finished_cycle()
    {
        var state = new LiveProgressState();
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            state.Apply(new P.StepCompleted(0, 0, i, 200, i));
            state.Apply(Completed(i, 0.01, 0.2, 0));
            _ = state.Snapshot();
        });
        var s = state.Snapshot();
        Assert.Equal(Enumerable.Range(0, 200), s.Finished.Select(f => f.Cycle));
        Assert.Equal(400, s.Version);
    }

    static (IAnsiConsole Console, StringWriter Text) PlainConsole()
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 120;
        return (console, text);
    }

    [Fact]
    public void The_view_renders_header_bars_and_table()
    {
        var state = new LiveProgressState();
        foreach (var e in Cycle(0, 5, 0.02, 0.3125)) state.Apply(e);
        state.Apply(new P.CycleStarted(1, 5, 2, Labeled, 0.0342));
        state.Apply(new P.EpochCompleted(1, 0, 2, 0.001, Losses, 1.5));
        state.Apply(new P.StepCompleted(1, 1, 2, 4, 0.4321f));
        var (console, text) = PlainConsole();
        console.Write(LiveProgressView.Render(state.Snapshot()));
        var output = text.ToString();

        Assert.Contains("cycle 1/5", output);
        Assert.Contains("training", output);
        Assert.Contains("labeled 3.42% of pool pixels", output);
        Assert.Contains("epoch 2/2   step 3/4", output);
        Assert.Contains("loss 0.4321", output);
        Assert.Contains("88%", output);
        Assert.Contains("epoch 1/2: loss 0.5000 sup 0.3000 unsup 0.1500 replay 0.0500 lr 0.001 1.5s", output);
        Assert.Contains("finished cycles", output);
        Assert.Contains("0.3125", output);
        Assert.Contains("2.00", output);
    }

    [Fact]
    public void After_the_last_epoch_the_bar_shows_it_complete()
    {
        var state = new LiveProgressState();
        foreach (var e in Cycle(0, 1, 0.02, 0.3).TakeWhile(e => e is not P.Evaluated)) state.Apply(e);
        var (console, text) = PlainConsole();
        console.Write(LiveProgressView.Render(state.Snapshot()));
        Assert.Contains("evaluating", text.ToString());
        Assert.Contains("100%  epoch 2/2   step 4/4", text.ToString());
    }

    [Fact]
    public void Long_runs_list_only_the_latest_cycles_live_but_all_at_the_end()
    {
        var state = new LiveProgressState();
        for (int c = 0; c < 12; c++) state.Apply(Completed(c, 0.01 * (c + 1), 0.1 + 0.01 * c, 1));
        var (console, text) = PlainConsole();
        console.Write(LiveProgressView.Render(state.Snapshot(), maxFinishedRows: 8));
        Assert.Contains("4 earlier cycles not shown", text.ToString());
        Assert.DoesNotContain("0.1300", text.ToString());

        var (final, finalText) = PlainConsole();
        final.Write(LiveProgressView.RenderFinal(state.Snapshot()));
        Assert.Contains("0.1300", finalText.ToString());
        Assert.Contains("0.2100", finalText.ToString());
    }

    [Fact]
    public void Live_display_takes_reports_from_many_threads_and_leaves_the_final_table()
    {
        var (console, text) = PlainConsole();
        var display = new LiveProgress(console, TimeSpan.FromMilliseconds(5));
        Parallel.For(0, 4, t =>
        {
            for (int i = 0; i < 500; i++) display.Report(new P.StepCompleted(0, 0, i, 500, i));
        });
        foreach (var e in Cycle(0, 1, 0.02, 0.3333).Concat(Cycle(1, 1, 0.03, 0.4444))) display.Report(e);
        Assert.Equal(LivePhase.Done, display.Snapshot().Phase);
        display.Dispose();
        display.Dispose();

        var output = text.ToString();
        Assert.Contains("done", output);
        Assert.Contains("0.3333", output);
        Assert.Contains("0.4444", output);
        Assert.DoesNotContain("failed", output);
    }

    [Fact]
    public void Redirected_or_foreign_writers_get_plain_lines()
    {
        using var display = ProgressDisplay.Create(new StringWriter());
        Assert.IsType<ConsoleProgress>(display);
        Assert.True(ProgressDisplay.UseLive(outputIsConsole: true, outputRedirected: false, interactive: true));
        Assert.False(ProgressDisplay.UseLive(outputIsConsole: true, outputRedirected: true, interactive: true));
        Assert.False(ProgressDisplay.UseLive(outputIsConsole: true, outputRedirected: false, interactive: false));
        Assert.False(ProgressDisplay.UseLive(outputIsConsole: false, outputRedirected: false, interactive: true));
    }
}
