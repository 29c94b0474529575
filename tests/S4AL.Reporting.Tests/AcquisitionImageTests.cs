using S4AL.Domain;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Regions;
using S4AL.Learning.Data.Scenes;
using SkiaSharp;

namespace S4AL.Reporting.Tests;

public class AcquisitionImageTests
{
    const int H = 32, W = 48, RegionSize = 8;
    static readonly SyntheticSceneDataset Pool = new(8, seed: 3, H, W);
    static readonly RegionGrid Grid = new(H, W, RegionSize);

    // Image 0 fully labeled, image 2 has two regions from an earlier cycle.
    static readonly LabeledRegionSet Before = LabeledRegionSet.Empty(Pool.Count, Grid)
        .WithFullyLabeled([0])
        .WithRegions([new(2, 0), new(2, 1)]);

    // Image 5 gets three regions, images 2 and 3 two each, 6 one: with two images shown, 5 and then 2 (tie with 3, lower index).
    static readonly RegionId[] Acquired =
        [new(3, 7), new(5, 3), new(2, 9), new(6, 1), new(5, 4), new(2, 23), new(3, 8), new(5, 20)];

    [Fact]
    public void Images_with_the_most_new_regions_come_first_ties_to_the_lowest_index()
    {
        var shown = AcquisitionImage.Selection(Acquired, 3);
        Assert.Equal([5, 2, 3], shown.Select(s => s.Image));
        Assert.Equal([3, 4, 20], shown[0].Regions);
        Assert.Equal([9, 23], shown[1].Regions);
    }

    /// <summary>The picture of the two images with the most new regions, decoded, and the layout it was drawn with.</summary>
    static (SKBitmap Bitmap, AcquisitionLayout Layout) WriteTwoImages()
    {
        using var folder = new TempFolder();
        var path = folder.File("acquired.png");
        AcquisitionImage.Write(path, Pool, Before, Acquired, maxImages: 2);
        using var font = new SKFont(ReportFonts.Typeface, AcquisitionLayout.FontSize);
        return (Pixels.Decode(path), AcquisitionLayout.Create(H, W, 2, Pool.ClassNames, font));
    }

    [Fact]
    public void Writes_image_and_label_panels_with_new_regions_outlined()
    {
        var (bitmap, layout) = WriteTwoImages();
        using var _ = bitmap;
        Assert.Equal((layout.Width, layout.Height), (bitmap.Width, bitmap.Height));
        Assert.True(layout.PanelHeight >= 192, $"panels are {layout.PanelHeight} px tall");
        Assert.Equal(W * layout.Scale, layout.PanelWidth);
        Assert.True(bitmap.Height >= 2 * 192);
        Assert.True(Pixels.GreyVariance(bitmap) > 100, "the image looks blank");

        int s = layout.Scale;
        foreach (var (row, image, region) in new[] { (0, 5, 3), (0, 5, 20), (1, 2, 9), (1, 2, 23) })
        {
            var (top, bottom, left, right) = Grid.Bounds(region);
            for (int panel = 0; panel < 2; panel++)
            {
                var (px, py) = layout.PanelOrigin(row, panel);
                foreach (var (x, y) in new[]
                         {
                             (px + left * s, py + top * s), (px + right * s - 1, py + bottom * s - 1),
                             (px + left * s + 1, py + (top + bottom) * s / 2), (px + (left + right) * s / 2, py + bottom * s - 2),
                         })
                    Assert.True(bitmap.GetPixel(x, y) == AcquisitionImage.OutlineColor,
                        $"image {image} region {region} panel {panel}: pixel ({x},{y}) is {bitmap.GetPixel(x, y)}, not the outline colour");
            }
        }
    }

    [Fact]
    public void Panels_show_the_stored_colours_and_shade_what_was_labeled_before()
    {
        var (bitmap, layout) = WriteTwoImages();
        using var _ = bitmap;
        int s = layout.Scale;
        var image = Pool.Get(2);

        // Row 1 is image 2. Region 0 (labeled before) is shaded on both panels; region 13 is untouched.
        foreach (var (region, shaded) in new[] { (0, true), (13, false) })
        {
            var (top, bottom, left, right) = Grid.Bounds(region);
            int y = (top + bottom) / 2, x = (left + right) / 2, p = y * W + x;
            var rgb = new SKColor(image.Rgb[3 * p], image.Rgb[3 * p + 1], image.Rgb[3 * p + 2]);
            var label = LabelPalette.Color(image.Label[p]);
            var (ix, iy) = layout.PanelOrigin(1, 0);
            var (lx, ly) = layout.PanelOrigin(1, 1);
            Assert.Equal(shaded ? AcquisitionImage.Shade(rgb) : rgb, bitmap.GetPixel(ix + x * s, iy + y * s));
            Assert.Equal(shaded ? AcquisitionImage.Shade(label) : label, bitmap.GetPixel(lx + x * s, ly + y * s));
        }
    }

    [Fact]
    public void A_region_labeled_before_cannot_be_newly_acquired()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<ArgumentException>(() =>
            AcquisitionImage.Write(folder.File("a.png"), Pool, Before, [new(4, 2), new(2, 1)]));
        Assert.Contains("acquired region 1 (region 1 of image 2) was already labeled", error.Message);
        Assert.Empty(folder.Entries());
    }

    [Fact]
    public void Inconsistent_input_is_rejected_with_a_reason()
    {
        using var folder = new TempFolder();
        var path = folder.File("a.png");
        Assert.Contains("nothing to show", Assert.Throws<ArgumentException>(() => AcquisitionImage.Write(path, Pool, Before, [])).Message);
        Assert.Contains("covers 8 images but the pool", Assert.Throws<ArgumentException>(() =>
            AcquisitionImage.Write(path, new SyntheticSceneDataset(9, 3, H, W), Before, Acquired)).Message);
        Assert.Contains("grid is for 32x48", Assert.Throws<ArgumentException>(() =>
            AcquisitionImage.Write(path, new SyntheticSceneDataset(8, 3, 48, 48), Before, Acquired)).Message);
        Assert.Contains("outside the 4x6 grid", Assert.Throws<ArgumentException>(() =>
            AcquisitionImage.Write(path, Pool, Before, [new(1, 24)])).Message);
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() =>
            AcquisitionImage.Write(path, Pool, Before, [new(1, 3), new(1, 3)])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => AcquisitionImage.Write(path, Pool, Before, Acquired, maxImages: 0));
        Assert.Empty(folder.Entries());
    }

    [Fact]
    public void A_failure_while_drawing_leaves_no_file()
    {
        using var folder = new TempFolder();
        var path = folder.File("acquired.png");
        var failing = new FailingDataset(Pool, failOn: 2);
        Assert.Throws<IOException>(() => AcquisitionImage.Write(path, failing, Before, Acquired, maxImages: 2));
        Assert.Empty(folder.Entries());
    }

    /// <summary>A pool whose storage fails on one image, as a vanished shared volume would.</summary>
    sealed class FailingDataset(ISegmentationDataset inner, int failOn) : ISegmentationDataset
    {
        public string Name => inner.Name;
        public int Count => inner.Count;
        public int Height => inner.Height;
        public int Width => inner.Width;
        public IReadOnlyList<string> ClassNames => inner.ClassNames;
        public SegmentationImage Get(int index) => index == failOn ? throw new IOException($"image {index} is unreadable") : inner.Get(index);
    }
}
