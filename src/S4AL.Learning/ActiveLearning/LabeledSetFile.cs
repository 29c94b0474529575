using S4AL.Domain;
using S4AL.Learning.Storage;
using System.Text.Json;
using S4AL.Learning.Data.Regions;

namespace S4AL.Learning.ActiveLearning;

/// <summary>
/// A labeled set on disk (labeled.json in a run folder): the grid, the fully labeled images and
/// the acquired regions. It lets a user inspect what was annotated, and train a baseline on
/// exactly the same pixels (`s4al run --labeled-from FILE`).
/// </summary>
public static class LabeledSetFile
{
    sealed record Document(int Height, int Width, int RegionSize, int ImageCount, int[] FullyLabeled, int[][] Regions);

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void Write(string path, LabeledRegionSet set)
    {
        var doc = new Document(set.Grid.Height, set.Grid.Width, set.Grid.RegionSize, set.ImageCount,
            set.FullyLabeledImages.Order().ToArray(),
            Enumerable.Range(0, set.ImageCount).SelectMany(i => set.AcquiredRegions(i).Order().Select(r => new[] { i, r })).ToArray());
        AtomicFile.WriteText(path, JsonSerializer.Serialize(doc, Json));
    }

    public static LabeledRegionSet Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"labeled set file not found: {path}", path);
        Document? doc;
        try { doc = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a labeled set file ({e.Message})", e); }
        if (doc is null || doc.FullyLabeled is null || doc.Regions is null)
            throw new InvalidDataException($"{path}: not a labeled set file (fields height, width, regionSize, imageCount, fullyLabeled, regions are required)");
        try
        {
            var set = LabeledRegionSet.Empty(doc.ImageCount, new RegionGrid(doc.Height, doc.Width, doc.RegionSize)).WithFullyLabeled(doc.FullyLabeled);
            foreach (var r in doc.Regions)
                if (r is not { Length: 2 }) throw new InvalidDataException($"{path}: each region must be [image, region]");
            return set.WithRegions(doc.Regions.Select(r => new RegionId(r[0], r[1])));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
