namespace S4AL.Learning.Data.Datasets;

/// <summary>
/// A split without images: the validation split of a pool that people label when nobody has
/// labeled validation images yet. Evaluating on it counts no pixel, so mIoU is "not measured".
/// </summary>
public sealed class EmptySegmentationDataset(string name, IReadOnlyList<string> classNames, int height, int width) : ISegmentationDataset
{
    public string Name { get; } = name;
    public int Count => 0;
    public int Height { get; } = height;
    public int Width { get; } = width;
    public IReadOnlyList<string> ClassNames { get; } = classNames;

    public SegmentationImage Get(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), $"dataset {Name} has no images");
}
