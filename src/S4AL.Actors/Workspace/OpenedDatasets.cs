using System.Collections.Concurrent;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Labels;
using S4AL.Learning.Data.Regions;

namespace S4AL.Actors.Workspace;

/// <summary>An experiment's definition with its datasets opened and its region grid.</summary>
public sealed class OpenedDatasets
{
    public OpenedDatasets(ExperimentDefinition definition, ISegmentationDataset pool, ISegmentationDataset validation)
    {
        Definition = definition;
        Pool = pool;
        Validation = validation;
        Grid = new RegionGrid(pool.Height, pool.Width, definition.Settings.RegionSize);
    }

    /// <summary>Opens the definition's pool (its masks only when the oracle labels it) and validation split.</summary>
    public static OpenedDatasets Open(ExperimentDefinition definition)
    {
        var (pool, validation) = Datasets.Open(definition.Data, poolMasks: definition.ReadsPoolMasks);
        return new OpenedDatasets(definition, pool, validation);
    }

    public ExperimentDefinition Definition { get; }
    public ActiveLearningSettings Settings => Definition.Settings;
    public ISegmentationDataset Pool { get; }
    public ISegmentationDataset Validation { get; }
    public RegionGrid Grid { get; }

    /// <summary>The run folder's label store of an experiment that people label.</summary>
    public LabelStore LabelStore(string runDirectory) => new(runDirectory, Grid, Pool.NumClasses);

    /// <summary>
    /// The pool with the labels training sees: the dataset's masks (oracle), or the label store
    /// of <paramref name="runDirectory"/> (people; read afresh by each call, so call once per cycle).
    /// </summary>
    public ISegmentationDataset LabeledPool(string runDirectory) =>
        Definition.ReadsPoolMasks ? Pool : new LabelStoreDataset(Pool, LabelStore(runDirectory));

    /// <summary>Builds the engine's labeled set from the bitmap a message carries.</summary>
    public LabeledRegionSet LabeledSet(LabeledRegionBits bits)
    {
        if (bits.Images != Pool.Count || bits.RegionsPerImage != Grid.RegionCount)
            throw new InvalidDataException($"the labeled set covers {bits.Images} images x {bits.RegionsPerImage} regions, the pool '{Pool.Name}' has {Pool.Count} images x {Grid.RegionCount} regions");
        return LabeledRegionSet.Empty(Pool.Count, Grid)
            .WithFullyLabeled(bits.FullyLabeled)
            .WithRegions(bits.Acquired().Select(r => new RegionId(r.Image, r.Region)));
    }

    /// <summary>The engine's labeled set of an experiment state (the coordinator's view).</summary>
    public LabeledRegionSet LabeledSet(ExperimentState state) =>
        LabeledRegionSet.Empty(Pool.Count, Grid)
            .WithFullyLabeled(state.Plan.InitialFullyLabeled)
            .WithRegions(state.Acquired.Select(r => new RegionId(r.Image, r.Region)));
}

/// <summary>
/// Opens each experiment's datasets once per node (decoded-image caches are per dataset), for
/// every actor of the node. Thread-safe.
/// </summary>
public sealed class DatasetCache
{
    readonly ConcurrentDictionary<string, Lazy<OpenedDatasets>> _byDefinition = new();

    public OpenedDatasets Get(string definitionJson, string source)
    {
        var lazy = _byDefinition.GetOrAdd(definitionJson, json => new Lazy<OpenedDatasets>(() =>
        {
            return OpenedDatasets.Open(ExperimentDefinition.FromJson(json, source));
        }));
        try { return lazy.Value; }
        catch
        {
            // A failed open is not cached: a later attempt (e.g. once a mount appears) tries again.
            _byDefinition.TryRemove(KeyValuePair.Create(definitionJson, lazy));
            throw;
        }
    }
}
