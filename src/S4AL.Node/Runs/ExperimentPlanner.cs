using S4AL.Actors.Workspace;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Regions;
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
        var initial = spec.StartLabels is not null ? LabeledRegionSet.Empty(pool.Count, driver.Grid).WithFullyLabeled(StartLabels(spec.StartLabels, pool).Keys)
            : spec.LabeledFrom is null ? driver.InitialLabeledSet() : LabeledSetFile.Read(spec.LabeledFrom);
        if (initial.Grid != driver.Grid || initial.ImageCount != pool.Count)
            throw new UsageException($"--labeled-from {spec.LabeledFrom}: it covers {initial.ImageCount} images on a {initial.Grid.Rows}x{initial.Grid.Columns} grid, this pool has {pool.Count} images on a {driver.Grid.Rows}x{driver.Grid.Columns} grid");
        int lastCycle = spec.Settings.LastCycle();
        var regions = Enumerable.Range(0, pool.Count)
            .Where(i => !initial.IsFullyLabeled(i))
            .SelectMany(i => initial.AcquiredRegions(i).Order().Select(r => new RegionId(i, r)))
            .ToArray();
        var plan = new ExperimentPlan(id, spec.RunDir, json, pool.Count, driver.Grid.RegionCount, lastCycle, spec.ShardSize,
            initial.FullyLabeledImages.Order().ToArray(), regions, spec.Settings.Budget, spec.Annotator, InitialSetLabeled: spec.StartLabels is not null).Validate();
        return (plan, data);
    }

    /// <summary>
    /// The masks of <c>--start-labels</c>: pool image index to its labels at the experiment's image
    /// size (resized by nearest neighbour like the datasets' masks). A file that names no pool
    /// image, or no file at all, is an error naming it.
    /// </summary>
    public static IReadOnlyDictionary<int, byte[]> StartLabels(string folder, ISegmentationDataset pool)
    {
        var files = Directory.EnumerateFiles(folder, "*.png").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new UsageException($"--start-labels {folder}: no <image id>.png masks in it");
        var ids = Enumerable.Range(0, pool.Count).ToDictionary(i => pool is FileSegmentationDataset f ? f.Files[i].Id : pool.Get(i).Id, i => i, StringComparer.Ordinal);
        var labels = new Dictionary<int, byte[]>();
        foreach (var file in files)
        {
            var id = Path.GetFileNameWithoutExtension(file);
            if (!ids.TryGetValue(id, out var index)) throw new UsageException($"--start-labels: '{file}' names no image of pool {pool.Name} (expected <image id>.png, e.g. '{ids.Keys.First()}.png')");
            labels[index] = ImageFiles.ReadLabels(file, new ImageSize(pool.Height, pool.Width)).Pixels;
        }
        return labels;
    }

    /// <summary>Writes the <c>--start-labels</c> masks into the run folder's label store, each checked first (a new experiment only, before it is submitted).</summary>
    public static void StoreStartLabels(RunRequest spec, OpenedDatasets data)
    {
        if (spec.StartLabels is null) return;
        var labels = StartLabels(spec.StartLabels, data.Pool);
        var store = data.LabelStore(spec.RunDir);
        foreach (var (image, mask) in labels) store.StoreImage(image, mask, $"--start-labels image {image}");
    }

    /// <summary>A journal key from the run folder's name: letters, digits, '-', '_', '.'.</summary>
    public static ExperimentId IdFor(string runDir)
    {
        var name = new string(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDir)))
            .Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray()).Trim('-');
        return ExperimentId.Parse(string.IsNullOrEmpty(name) ? "experiment" : name.Length > 100 ? name[..100] : name);
    }
}
