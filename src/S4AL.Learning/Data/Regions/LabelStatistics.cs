using S4AL.Learning.Data.Batches;
using S4AL.Learning.Data.Datasets;

namespace S4AL.Learning.Data.Regions;

/// <summary>
/// Pixel counts per class, e.g. the class frequencies of the labeled pixels that balanced
/// ClassMix uses to favour tail classes. Ignored pixels (255) are never counted.
/// </summary>
public static class LabelStatistics
{
    /// <summary>
    /// Pixels per class among the annotated pixels of <paramref name="labeled"/>, over
    /// <paramref name="images"/> (default: every image of the set). Images without labels are not loaded.
    /// </summary>
    public static long[] CountLabeledPixels(ISegmentationDataset dataset, LabeledRegionSet labeled, IEnumerable<int>? images = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(labeled);
        if (labeled.ImageCount != dataset.Count)
            throw new ArgumentException($"the labeled set covers {labeled.ImageCount} images but dataset {dataset.Name} has {dataset.Count}", nameof(labeled));
        if (labeled.Grid.Height != dataset.Height || labeled.Grid.Width != dataset.Width)
            throw new ArgumentException($"the labeled set's region grid is for {labeled.Grid.Height}x{labeled.Grid.Width} images but dataset {dataset.Name} has {dataset.Height}x{dataset.Width}", nameof(labeled));
        var list = Check(dataset, images).Where(labeled.HasAnyLabel).ToArray();
        return Count(dataset, list, i => labeled.IsFullyLabeled(i) ? null : labeled.PixelMask(i));
    }

    /// <summary>Pixels per class over <paramref name="images"/> (default: the whole dataset), every pixel revealed.</summary>
    public static long[] CountPixels(ISegmentationDataset dataset, IEnumerable<int>? images = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Count(dataset, Check(dataset, images).ToArray(), _ => null);
    }

    static IEnumerable<int> Check(ISegmentationDataset dataset, IEnumerable<int>? images)
    {
        var list = (images ?? Enumerable.Range(0, dataset.Count)).ToArray();
        foreach (var i in list)
            if ((uint)i >= (uint)dataset.Count)
                throw new ArgumentOutOfRangeException(nameof(images), $"image {i} is outside dataset {dataset.Name} of {dataset.Count} images");
        return list;
    }

    static long[] Count(ISegmentationDataset dataset, int[] images, Func<int, bool[]?> maskOf)
    {
        int classes = dataset.ClassNames.Count;
        var total = new long[classes];
        Parallels.For(images.Length, CancellationToken.None, k =>
        {
            var counts = new long[classes];
            var label = dataset.Get(images[k]).Label;
            var mask = maskOf(images[k]);
            for (int p = 0; p < label.Length; p++)
            {
                int c = label[p];
                if (c < classes && (mask == null || mask[p])) counts[c]++;
            }
            lock (total)
                for (int c = 0; c < classes; c++) total[c] += counts[c];
        });
        return total;
    }
}
