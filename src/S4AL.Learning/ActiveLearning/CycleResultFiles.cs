using System.Globalization;
using System.Text;
using System.Text.Json;

using S4AL.Learning.Storage;

namespace S4AL.Learning.ActiveLearning;

/// <summary>
/// Writes per-cycle results as CSV (one row a cycle, snake_case columns) and JSON (camelCase keys,
/// IoU written "iou"/"miou" as in the CSV, with per-class IoU, the acquired regions and the
/// training attempts); metrics of a run without labeled validation images are left empty. Cycles labeled by people add the annotation round's figures (empty with the oracle).
/// A round trained to convergence adds its curve: "curve" in cycles.json, and curve.csv (one row an evaluation).
/// </summary>
public static class CycleResultFiles
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string ToCsv(IReadOnlyList<CycleResult> cycles)
    {
        var sb = new StringBuilder("cycle,labeled_pixel_share,labeled_regions,miou,mean_class_accuracy,pixel_accuracy,acquired_regions,train_seconds,score_seconds,attempts," +
            "regions_queried,regions_labeled,annotated_pixels,annotation_seconds,annotation_seconds_median,annotators,iterations\n");
        foreach (var c in cycles)
            sb.AppendLine(string.Join(",",
                c.Cycle.ToString(CultureInfo.InvariantCulture),
                F(c.LabeledPixelShare), c.LabeledRegions.ToString(CultureInfo.InvariantCulture),
                M(c, c.Evaluation.MeanIoU), M(c, c.Evaluation.MeanClassAccuracy), M(c, c.Evaluation.PixelAccuracy),
                c.Acquired.Count.ToString(CultureInfo.InvariantCulture), F(c.TrainSeconds), F(c.ScoreSeconds),
                c.Attempts.ToString(CultureInfo.InvariantCulture),
                I(c.Annotation?.RegionsQueried), I(c.Annotation?.RegionsLabeled), I(c.Annotation?.LabeledPixels),
                c.Annotation is { } a ? F(a.SecondsSum) : "", c.Annotation?.SecondsMedian is { } m ? F(m) : "", I(c.Annotation?.Annotators),
                I(c.Steps)));
        return sb.ToString();
    }

    public const string CurveFileName = "curve.csv";

    /// <summary>curve.csv: every evaluation of the rounds trained to convergence (cycle, epochs, iterations, miou).</summary>
    public static string CurveToCsv(IReadOnlyList<CycleResult> cycles)
    {
        var sb = new StringBuilder("cycle,epochs,iterations,miou\n");
        foreach (var c in cycles)
            foreach (var p in c.Curve ?? [])
                sb.AppendLine(string.Join(",", c.Cycle.ToString(CultureInfo.InvariantCulture), p.EpochsDone.ToString(CultureInfo.InvariantCulture),
                    p.Steps.ToString(CultureInfo.InvariantCulture), F(p.MeanIoU)));
        return sb.ToString();
    }

    public static string ToJson(IReadOnlyList<CycleResult> cycles) =>
        JsonSerializer.Serialize(cycles.Select(c => new
        {
            c.Cycle,
            c.LabeledPixelShare,
            c.LabeledRegions,
            Miou = Measured(c, c.Evaluation.MeanIoU),
            MeanClassAccuracy = Measured(c, c.Evaluation.MeanClassAccuracy),
            PixelAccuracy = Measured(c, c.Evaluation.PixelAccuracy),
            ClassIou = c.Evaluation.ClassNames.Select((name, i) => new { Class = name, Iou = Finite(c.Evaluation.ClassIoU[i]) }),
            Acquired = c.Acquired.Select(r => new[] { r.Image, r.Region }),
            c.TrainSeconds,
            c.ScoreSeconds,
            c.Attempts,
            Iterations = c.Steps,
            Curve = c.Curve?.Select(p => new { Epochs = p.EpochsDone, Iterations = p.Steps, Miou = p.MeanIoU }),
            FailedAttempts = c.Failures.Select(f => new { f.Attempt, f.Reason }),
            Annotation = c.Annotation is { } a ? new
            {
                a.RegionsQueried, a.RegionsLabeled, a.LabeledPixels, a.SecondsSum, a.SecondsMedian, a.Annotators, a.Corrections,
            } : null,
        }), Json);

    /// <summary>Writes cycles.csv and cycles.json into <paramref name="folder"/> atomically (temporary file, then rename).</summary>
    public static void Write(string folder, IReadOnlyList<CycleResult> cycles)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteText(Path.Combine(folder, "cycles.csv"), ToCsv(cycles));
        AtomicFile.WriteText(Path.Combine(folder, "cycles.json"), ToJson(cycles));
        if (cycles.Any(c => c.Curve is { Count: > 0 })) AtomicFile.WriteText(Path.Combine(folder, CurveFileName), CurveToCsv(cycles));
    }


    // Without labeled validation images nothing is measured: empty (CSV) or null (JSON), never 0.
    static string M(CycleResult c, double v) => c.Evaluation.Measured ? F(v) : "";
    static double? Measured(CycleResult c, double v) => c.Evaluation.Measured ? v : null;
    static string I(long? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "";
    static string F(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
    static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
