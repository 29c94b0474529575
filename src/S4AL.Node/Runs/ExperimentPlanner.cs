using S4AL.Actors.Workspace;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Datasets;
using S4AL.Node.Commands;

namespace S4AL.Node.Runs;

/// <summary>Turns command-line options into the coordinator's plan: opens the data (so a missing dataset fails here, before anything is written) and draws the initial labeled set.</summary>
public static class ExperimentPlanner
{
    public static (ExperimentPlan Plan, OpenedDatasets Data) Plan(RunRequest spec, ExperimentId id)
    {
        var json = spec.Definition.ToJson();
        var data = OpenedDatasets.Open(ExperimentDefinition.FromJson(json, "settings"));
        var (pool, validation) = (data.Pool, data.Validation);
        var driver = new ActiveLearningDriver(pool, validation, spec.Settings);
        var initial = spec.LabeledFrom is null ? driver.InitialLabeledSet() : LabeledSetFile.Read(spec.LabeledFrom);
        if (initial.Grid != driver.Grid || initial.ImageCount != pool.Count)
            throw new UsageException($"--labeled-from {spec.LabeledFrom}: it covers {initial.ImageCount} images on a {initial.Grid.Rows}x{initial.Grid.Columns} grid, this pool has {pool.Count} images on a {driver.Grid.Rows}x{driver.Grid.Columns} grid");
        int lastCycle = spec.Settings.Mode == TrainingMode.FullySupervised ? 0 : spec.Settings.Cycles;
        var regions = Enumerable.Range(0, pool.Count)
            .Where(i => !initial.IsFullyLabeled(i))
            .SelectMany(i => initial.AcquiredRegions(i).Order().Select(r => new RegionId(i, r)))
            .ToArray();
        var plan = new ExperimentPlan(id, spec.RunDir, json, pool.Count, driver.Grid.RegionCount, lastCycle, spec.ShardSize,
            initial.FullyLabeledImages.Order().ToArray(), regions, spec.Settings.Budget, spec.Annotator).Validate();
        return (plan, data);
    }

    /// <summary>A journal key from the run folder's name: letters, digits, '-', '_', '.'.</summary>
    public static ExperimentId IdFor(string runDir)
    {
        var name = new string(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDir)))
            .Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray()).Trim('-');
        return ExperimentId.Parse(string.IsNullOrEmpty(name) ? "experiment" : name.Length > 100 ? name[..100] : name);
    }
}
