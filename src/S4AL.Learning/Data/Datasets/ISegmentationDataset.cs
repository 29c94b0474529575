namespace S4AL.Learning.Data.Datasets;

/// <summary>
/// A split of a segmentation dataset: a fixed, indexable list of images of one size with
/// label maps over <see cref="ClassNames"/>. Implementations may load lazily, but indices
/// and ids never change for the lifetime of the object and every image has the same
/// <see cref="Height"/> x <see cref="Width"/> (loaders resize when asked to).
/// </summary>
public interface ISegmentationDataset
{
    /// <summary>Human-readable name, e.g. "camvid:/data/CamVid/train" or "synthetic(seed=1)".</summary>
    string Name { get; }
    int Count { get; }
    int Height { get; }
    int Width { get; }
    IReadOnlyList<string> ClassNames { get; }
    int NumClasses => ClassNames.Count;
    /// <summary>Returns image <paramref name="index"/>; thread-safe.</summary>
    SegmentationImage Get(int index);
}
