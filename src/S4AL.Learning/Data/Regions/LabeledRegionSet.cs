using S4AL.Domain;
using System.Collections.Immutable;

namespace S4AL.Learning.Data.Regions;

/// <summary>
/// Which pixels of a pool are annotated: a set of fully labeled images (the initial set)
/// plus, per image, the acquired regions of a <see cref="RegionGrid"/>. Immutable: adding
/// regions returns a new set, so a cycle's inputs can be kept and compared.
/// </summary>
public sealed class LabeledRegionSet
{
    readonly ImmutableArray<ImmutableHashSet<int>> _regions;

    LabeledRegionSet(RegionGrid grid, ImmutableHashSet<int> fullyLabeled, ImmutableArray<ImmutableHashSet<int>> regions)
    {
        Grid = grid;
        FullyLabeledImages = fullyLabeled;
        _regions = regions;
    }

    public static LabeledRegionSet Empty(int imageCount, RegionGrid grid)
    {
        if (imageCount <= 0) throw new ArgumentOutOfRangeException(nameof(imageCount), "the pool has no images");
        return new(grid, ImmutableHashSet<int>.Empty,
            Enumerable.Repeat(ImmutableHashSet<int>.Empty, imageCount).ToImmutableArray());
    }

    public RegionGrid Grid { get; }
    public int ImageCount => _regions.Length;
    /// <summary>Images labeled in full (the initial labeled set). Their regions all count as labeled.</summary>
    public ImmutableHashSet<int> FullyLabeledImages { get; }

    public bool IsFullyLabeled(int image) => FullyLabeledImages.Contains(image);
    public bool IsLabeled(int image, int region) => IsFullyLabeled(image) || _regions[image].Contains(region);
    /// <summary>The regions acquired for an image (not including full labeling).</summary>
    public IReadOnlySet<int> AcquiredRegions(int image) => _regions[image];
    public bool HasAnyLabel(int image) => IsFullyLabeled(image) || !_regions[image].IsEmpty;
    public int AcquiredRegionCount => _regions.Sum(r => r.Count);

    public LabeledRegionSet WithFullyLabeled(IEnumerable<int> images)
    {
        var list = images.ToList();
        foreach (var i in list) CheckImage(i);
        return new(Grid, FullyLabeledImages.Union(list), _regions);
    }

    /// <summary>Adds regions; throws if one is already labeled, since acquisition must never pick one twice.</summary>
    public LabeledRegionSet WithRegions(IEnumerable<RegionId> regions)
    {
        var builder = _regions.ToBuilder();
        foreach (var r in regions)
        {
            CheckImage(r.Image);
            if ((uint)r.Region >= (uint)Grid.RegionCount)
                throw new ArgumentOutOfRangeException(nameof(regions), $"region {r.Region} of image {r.Image} is outside the {Grid.Rows}x{Grid.Columns} grid");
            if (IsFullyLabeled(r.Image) || builder[r.Image].Contains(r.Region))
                throw new InvalidOperationException($"region {r.Region} of image {r.Image} is already labeled");
            builder[r.Image] = builder[r.Image].Add(r.Region);
        }
        return new(Grid, FullyLabeledImages, builder.MoveToImmutable());
    }

    /// <summary>Annotated-pixel mask of one image, row-major Height*Width.</summary>
    public bool[] PixelMask(int image)
    {
        var mask = new bool[Grid.Height * Grid.Width];
        if (IsFullyLabeled(image)) { Array.Fill(mask, true); return mask; }
        foreach (var region in _regions[image]) Grid.Fill(mask, region);
        return mask;
    }

    /// <summary>Share of all pool pixels that are annotated (regions may overlap at non-divisible sizes; each pixel counts once).</summary>
    public double LabeledPixelShare()
    {
        long labeled = 0;
        for (int i = 0; i < ImageCount; i++)
        {
            if (IsFullyLabeled(i)) { labeled += (long)Grid.Height * Grid.Width; continue; }
            if (_regions[i].IsEmpty) continue;
            labeled += PixelMask(i).Count(b => b);
        }
        return labeled / ((double)ImageCount * Grid.Height * Grid.Width);
    }

    void CheckImage(int image)
    {
        if ((uint)image >= (uint)ImageCount) throw new ArgumentOutOfRangeException(nameof(image), $"image {image} is outside the pool of {ImageCount}");
    }
}
