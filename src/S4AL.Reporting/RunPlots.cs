using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Regions;

namespace S4AL.Reporting;

/// <summary>
/// The pictures of a run folder: miou.png (mIoU against the share of labeled pixels, one point
/// per finished cycle) and acquired-cycle-N.png (the regions cycle N acquired over a few pool
/// images). Both derive from the cycle results alone, so writing them again changes nothing.
/// </summary>
public static class RunPlots
{
    public const string LearningCurveFileName = "miou.png";

    public static string AcquisitionFileName(int cycle) => $"acquired-cycle-{cycle}.png";

    /// <param name="initial">The labeled set before the first cycle (to shade what was labeled before each acquisition).</param>
    public static void Write(string folder, IReadOnlyList<CycleResult> results, ISegmentationDataset pool, LabeledRegionSet initial, string title)
    {
        if (results.Count == 0) return;
        // A cycle without labeled validation images measured nothing: no point rather than a false 0.
        var points = results.Where(r => r.Evaluation.Measured).Select(r => new CurvePoint(r.Cycle, r.LabeledPixelShare, r.Evaluation.MeanIoU)).ToList();
        if (points.Count > 0) LearningCurvePlot.Write(Path.Combine(folder, LearningCurveFileName), points, title);
        var before = initial;
        foreach (var r in results)
        {
            if (r.Acquired.Count == 0) continue;
            var path = Path.Combine(folder, AcquisitionFileName(r.Cycle));
            // An acquisition never changes once made: draw each one once.
            if (!File.Exists(path)) AcquisitionImage.Write(path, pool, before, r.Acquired);
            before = before.WithRegions(r.Acquired);
        }
    }
}
