using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Labels;
using S4AL.Learning.Data.Regions;

namespace S4AL.Learning.Tests.Data;

public class LabelStoreTests
{
    // 20x30 images, 10-pixel regions: a 2x3 grid; region 4 is rows 10..19, columns 10..19.
    static readonly RegionGrid Grid = new(20, 30, 10);

    static byte[] Mask(byte value, int pixels = 100) => Enumerable.Repeat(value, pixels).ToArray();

    [Fact]
    public void A_stored_region_reads_back_in_place_with_255_elsewhere_and_its_hash_and_pixel_count()
    {
        using var dir = new TempFolder();
        var store = new LabelStore(dir.Path, Grid, numClasses: 3);
        Assert.All(store.Read(7), v => Assert.Equal(255, v));

        var mask = Mask(2);
        mask[0] = 255; // a pixel left unlabeled
        var stored = store.Store(7, 4, mask, "test");
        Assert.Equal((LabelStore.Hash(mask), 99), (stored.Sha256, stored.LabeledPixels));
        Assert.Equal(64, stored.Sha256.Length);
        Assert.True(File.Exists(Path.Combine(dir.Path, "labels", "00007.png")));

        var labels = store.Read(7);
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 30; x++)
            {
                bool inside = y >= 10 && x >= 10 && x < 20 && !(y == 10 && x == 10);
                Assert.Equal(inside ? 2 : 255, labels[y * 30 + x]);
            }
        Assert.Equal(mask, store.ReadRegion(7, 4));
    }

    [Fact]
    public void Regions_of_one_image_accumulate_and_a_correction_replaces_only_its_region()
    {
        using var dir = new TempFolder();
        var store = new LabelStore(dir.Path, Grid, 3);
        store.Store(1, 0, Mask(0), "a");
        store.Store(1, 5, Mask(1), "b");
        store.Store(1, 0, Mask(2), "c");
        Assert.Equal(Mask(2), store.ReadRegion(1, 0));
        Assert.Equal(Mask(1), store.ReadRegion(1, 5));
        Assert.Equal(Mask(255), store.ReadRegion(1, 2));
    }

    [Theory]
    [InlineData(99, 0, "has 99 pixels, but the region is 10x10")]
    [InlineData(100, 3, "value 3 at pixel (x=10, y=10)")]
    public void A_bad_mask_is_refused_naming_the_source_and_nothing_is_written(int pixels, byte value, string expected)
    {
        using var dir = new TempFolder();
        var store = new LabelStore(dir.Path, Grid, 3);
        var e = Assert.Throws<InvalidDataException>(() => store.Store(2, 4, Mask(value, pixels), "import of x.png"));
        Assert.Contains("import of x.png", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.False(File.Exists(store.PathOf(2)));
    }

    [Fact]
    public void Writers_of_the_same_image_in_parallel_lose_no_region()
    {
        using var dir = new TempFolder();
        var store = new LabelStore(dir.Path, Grid, 6);
        Parallel.For(0, 6, region => new LabelStore(dir.Path, Grid, 6).Store(3, region, Mask((byte)region), $"writer {region}"));
        for (int region = 0; region < 6; region++) Assert.Equal(Mask((byte)region), store.ReadRegion(3, region));
    }

    [Fact]
    public void A_labeled_pool_shows_the_stores_labels_and_the_pools_pixels()
    {
        using var dir = new TempFolder();
        ISegmentationDataset pool = new S4AL.Learning.Data.Scenes.SyntheticSceneDataset(3, 1, 20, 30);
        var store = new LabelStore(dir.Path, Grid, pool.NumClasses);
        store.Store(1, 2, Mask(1), "t");
        var labeled = new LabelStoreDataset(pool, store);
        Assert.Equal(pool.Get(1).Rgb, labeled.Get(1).Rgb);
        Assert.Equal(store.Read(1), labeled.Get(1).Label);
        Assert.All(labeled.Get(0).Label, v => Assert.Equal(SegmentationImage.IgnoreIndex, v));
    }
}
