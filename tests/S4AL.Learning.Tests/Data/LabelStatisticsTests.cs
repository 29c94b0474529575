using S4AL.Domain;
using S4AL.Learning.Data.Regions;

namespace S4AL.Learning.Tests.Data;

public class LabelStatisticsTests
{
    const int H = 4, W = 4;

    // Image k: top half class k, bottom half class 2, except pixel 0 which is ignored.
    static InMemoryDataset Dataset() => new(H, W, ["a", "b", "c"], Enumerable.Range(0, 3).Select(k =>
    {
        var label = new byte[H * W];
        for (int p = 0; p < label.Length; p++) label[p] = (byte)(p < 8 ? k % 3 : 2);
        label[0] = 255;
        return (new byte[H * W * 3], label);
    }).ToList());

    [Fact]
    public void Counts_every_pixel_but_ignore()
    {
        var ds = Dataset();
        Assert.Equal(new long[] { 7, 7, 8 + 8 + 15 }, LabelStatistics.CountPixels(ds));
        Assert.Equal(new long[] { 0, 7, 8 }, LabelStatistics.CountPixels(ds, [1]));
    }

    [Fact]
    public void Counts_only_annotated_pixels_and_skips_unlabeled_images()
    {
        var ds = Dataset();
        var grid = new RegionGrid(H, W, 2); // 2x2 cells of 2x2 pixels
        var labeled = LabeledRegionSet.Empty(3, grid)
            .WithFullyLabeled([0])
            .WithRegions([new RegionId(1, 0), new RegionId(1, 3)]); // top-left (with the ignore pixel), bottom-right
        var counts = LabelStatistics.CountLabeledPixels(ds, labeled);
        // image 0 fully: 7 of class 0, 8 of class 2; image 1: 3 of class 1 (pixel 0 ignored) and 4 of class 2.
        Assert.Equal(new long[] { 7, 3, 12 }, counts);
        Assert.Equal(2, ds.Gets); // image 2 has no labels and is never loaded

        Assert.Equal(new long[] { 0, 3, 4 }, LabelStatistics.CountLabeledPixels(ds, labeled, [1, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelStatistics.CountLabeledPixels(ds, labeled, [3]));
        Assert.Throws<ArgumentException>(() => LabelStatistics.CountLabeledPixels(ds, LabeledRegionSet.Empty(4, grid)));
    }
}
