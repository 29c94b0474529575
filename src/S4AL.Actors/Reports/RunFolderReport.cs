using S4AL.Actors.Workspace;
using S4AL.Domain.Metrics;
using S4AL.Domain.Experiments;
using S4AL.Domain;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Regions;
using S4AL.Learning.Evaluation;
using S4AL.Reporting;

namespace S4AL.Actors.Reports;

/// <summary>
/// The results of a run folder, derived from the experiment state alone, so writing them again
/// (after a restart) gives the same files: cycles.csv / cycles.json, labeled.json, miou.png and acquired-cycle-N.png.
/// </summary>
public static class RunFolderReport
{
    public const string LabeledSetFileName = "labeled.json";

    /// <summary>The engine's per-cycle results of every finished cycle.</summary>
    public static IReadOnlyList<CycleResult> CycleResults(ExperimentState state, OpenedDatasets data)
    {
        var results = new List<CycleResult>();
        int labeledRegions = state.Plan.InitialRegions.Length;
        foreach (var record in state.History)
        {
            var metrics = Metrics(record.Evaluation, data.Pool.ClassNames);
            results.Add(new CycleResult(record.Cycle, record.Evaluation.LabeledPixelShare, labeledRegions, metrics,
                record.Acquired.Select(r => new RegionId(r.Image, r.Region)).ToList(), record.Evaluation.TrainSeconds, record.ScoreSeconds,
                record.Attempts, record.Failures.Select(f => new FailedTrainingAttempt(f.Attempt, f.Reason)).ToList(), record.Annotation,
                record.Model.Step, record.Evaluation.Curve));
            labeledRegions += record.Acquired.Length;
        }
        return results;
    }

    public static SegmentationMetrics Metrics(CycleEvaluation evaluation, IReadOnlyList<string> classNames) =>
        evaluation.Matrix().ToMetrics(classNames.Count == evaluation.NumClasses ? classNames : null);

    /// <summary>Writes every result file of the run folder (atomically, file by file).</summary>
    public static IReadOnlyList<CycleResult> Write(ExperimentState state, OpenedDatasets data)
    {
        var folder = state.Plan.RunDirectory;
        Directory.CreateDirectory(folder);
        var results = CycleResults(state, data);
        CycleResultFiles.Write(folder, results);
        LabeledSetFile.Write(Path.Combine(folder, LabeledSetFileName), data.LabeledSet(state));
        var initial = LabeledRegionSet.Empty(data.Pool.Count, data.Grid)
            .WithFullyLabeled(state.Plan.InitialFullyLabeled)
            .WithRegions(state.Plan.InitialRegions.Select(r => new RegionId(r.Image, r.Region)));
        RunPlots.Write(folder, results, data.LabeledPool(state.Plan.RunDirectory), initial, $"{state.Id}: mIoU against labeled pixels");
        return results;
    }
}

/// <summary>Writes the run folder's results with the experiment's datasets, opened once per node.</summary>
public sealed class RunFolderWriter(DatasetCache data) : IRunFolderWriter
{
    public void Write(ExperimentState state) => RunFolderReport.Write(state, data.Get(state.Plan.Definition, $"experiment {state.Id}"));
}
