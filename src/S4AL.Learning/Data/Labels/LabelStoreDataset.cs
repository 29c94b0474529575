using System.Collections.Concurrent;
using S4AL.Learning.Data.Datasets;

namespace S4AL.Learning.Data.Labels;

/// <summary>
/// A pool whose labels are people's: each image's pixels from the pool, its labels from the
/// run folder's <see cref="LabelStore"/> (255 where nobody labeled). Labels are read once per
/// image for the lifetime of the object, so make one per training cycle (the store grows between cycles).
/// </summary>
public sealed class LabelStoreDataset(ISegmentationDataset pool, LabelStore store) : ISegmentationDataset
{
    readonly ConcurrentDictionary<int, byte[]> _labels = new();

    public string Name => $"{pool.Name} labeled in {store.Folder}";
    public int Count => pool.Count;
    public int Height => pool.Height;
    public int Width => pool.Width;
    public IReadOnlyList<string> ClassNames => pool.ClassNames;

    public SegmentationImage Get(int index)
    {
        var image = pool.Get(index);
        return new SegmentationImage(image.Id, image.Height, image.Width, image.Rgb, _labels.GetOrAdd(index, store.Read));
    }
}
