using System.Globalization;
using S4AL.Learning.ActiveLearning;

namespace S4AL.Node.Commands;

/// <summary>
/// Prints experiment progress: on a terminal the current step is redrawn in place;
/// when output is redirected (logs, CI) only whole lines are written, one per epoch and event.
/// </summary>
public sealed class ConsoleProgress(TextWriter output, bool live) : IProgressDisplay
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    bool _midLine;

    public void Report(ActiveLearningProgress value)
    {
        switch (value)
        {
            case ActiveLearningProgress.StepCompleted s when live:
                Write(string.Create(Inv, $"\rcycle {s.Cycle} epoch {s.Epoch + 1} step {s.Step + 1}/{s.StepsPerEpoch} loss {s.Loss:0.0000}   "));
                _midLine = true;
                break;
            case ActiveLearningProgress.StepCompleted:
                break;
            case ActiveLearningProgress.CycleStarted c:
                Line(string.Create(Inv, $"cycle {c.Cycle}/{c.Cycles}: training {c.Epochs} epochs, {c.Labeled.FullyLabeledImages.Count} fully labeled images and {c.Labeled.AcquiredRegionCount} regions, {100 * c.LabeledPixelShare:0.00}% of pool pixels labeled"));
                break;
            case ActiveLearningProgress.EpochCompleted e:
                Line(string.Create(Inv, $"cycle {e.Cycle} epoch {e.Epoch + 1}/{e.Epochs} loss {e.Losses.Total:0.0000} (sup {e.Losses.Supervised:0.0000} unsup {e.Losses.Unsupervised:0.0000} replay {e.Losses.Replay:0.0000}) lr {e.LearningRate:0.000000} {e.Seconds:0.0}s"));
                break;
            case ActiveLearningProgress.Evaluated v:
                Line(v.Result.Measured
                    ? string.Create(Inv, $"cycle {v.Cycle} validation: mIoU {v.Result.MeanIoU:0.0000}, mean class accuracy {v.Result.MeanClassAccuracy:0.0000}, pixel accuracy {v.Result.PixelAccuracy:0.0000}")
                    : $"cycle {v.Cycle} validation: mIoU not measured (no labeled validation images)");
                break;
            case ActiveLearningProgress.Scoring s when live || s.ImagesScored == s.Images:
                if (live) { Write(string.Create(Inv, $"\rcycle {s.Cycle} scoring {s.ImagesScored}/{s.Images} images   ")); _midLine = true; }
                if (s.ImagesScored == s.Images) Line(string.Create(Inv, $"cycle {s.Cycle} scored {s.Images} pool images"));
                break;
            case ActiveLearningProgress.ShardsScored s:
                if (live) { Write(string.Create(Inv, $"\rcycle {s.Cycle} scoring: {s.ShardsDone}/{s.Shards} shards   ")); _midLine = true; }
                if (s.ShardsDone == s.Shards) Line(string.Create(Inv, $"cycle {s.Cycle} scored {s.Shards} pool shards"));
                break;
            case ActiveLearningProgress.Resumed r:
                Line(string.Create(Inv, $"resuming in cycle {r.Cycle} ({r.Phase}): {r.Detail}"));
                break;
            case ActiveLearningProgress.Acquired a:
                Line(string.Create(Inv, $"cycle {a.Cycle} acquired {a.Regions.Count} regions: {100 * a.LabeledPixelShare:0.00}% of pool pixels now labeled"));
                break;
            case ActiveLearningProgress.Annotating a when a.Labeled == 0:
                Line(string.Create(Inv, $"cycle {a.Cycle} annotating: 0 of {a.Queried} regions labeled; label them on the annotation page (its address is printed above), or export them with `s4al export --run-dir {a.RunDirectory} --format masks --out DIR`, " +
                    $"import the labels with `s4al import --run-dir {a.RunDirectory} --format masks DIR` (or end the round: `s4al annotate --run-dir {a.RunDirectory} --close`)"));
                break;
            case ActiveLearningProgress.Annotating a:
                if (live) { Write(string.Create(Inv, $"\rcycle {a.Cycle} annotating: {a.Labeled} of {a.Queried} regions labeled   ")); _midLine = true; }
                if (a.Labeled == a.Queried) Line(string.Create(Inv, $"cycle {a.Cycle} annotated: {a.Queried} regions labeled"));
                break;
            case ActiveLearningProgress.CycleCompleted c:
                Line(string.Create(Inv, $"cycle {c.Result.Cycle} done: train {c.Result.TrainSeconds:0.0}s, score {c.Result.ScoreSeconds:0.0}s"));
                break;
        }
    }

    void Write(string text)
    {
        lock (output) output.Write(text);
    }

    void Line(string text)
    {
        lock (output)
        {
            if (_midLine) { output.Write("\r" + new string(' ', 79) + "\r"); _midLine = false; }
            output.WriteLine(text);
        }
    }

    /// <summary>Clears a half-drawn progress line, so what follows starts on a clean line.</summary>
    public void Dispose()
    {
        lock (output)
        {
            if (_midLine) { output.Write("\r" + new string(' ', 79) + "\r"); _midLine = false; }
        }
    }
}
