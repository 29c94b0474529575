using S4AL.Learning.Data.Regions;
using S4AL.Learning.Data.Scenes;

namespace S4AL.Learning.Tests.Data;

public class FashionMnistSceneDatasetTests
{
    static TempFolder Files(int[]? testClasses = null)
    {
        var dir = new TempFolder();
        Fixtures.WriteFashion(dir.Path, FashionMnistSplit.Train, Enumerable.Range(0, 10).ToArray());
        Fixtures.WriteFashion(dir.Path, FashionMnistSplit.Test, testClasses ?? Enumerable.Range(0, 10).ToArray());
        return dir;
    }

    [Fact]
    public void Reads_idx_files()
    {
        using var dir = Files();
        var items = FashionMnist.Load(FashionMnistSplit.Train, dir.Path);
        Assert.Equal(20, items.Count);
        Assert.Equal((28, 28), (items.Rows, items.Columns));
        Assert.Equal(2, items.ItemsOfClass(9).Count);
        Assert.Equal(0, items.Item(0)[0]);
        Assert.True(items.Item(0)[5 * 28 + 5] >= 150);
    }

    [Fact]
    public void Scenes_are_deterministic_and_hold_background_and_item_classes()
    {
        using var dir = Files();
        var a = new FashionMnistSceneDataset(FashionMnistSplit.Train, 30, seed: 2, height: 32, width: 48, directory: dir.Path);
        var b = new FashionMnistSceneDataset(FashionMnistSplit.Train, 30, seed: 2, height: 32, width: 48, directory: dir.Path);
        var other = new FashionMnistSceneDataset(FashionMnistSplit.Train, 30, seed: 3, height: 32, width: 48, directory: dir.Path);
        Assert.Equal(13, a.ClassNames.Count);
        Assert.Equal("ankle boot", a.ClassNames[12]);
        Assert.Equal(a.Get(4).Rgb, b.Get(4).Rgb);
        Assert.Equal(a.Get(4).Label, b.Get(4).Label);
        Assert.NotEqual(a.Get(4).Label, other.Get(4).Label);

        var counts = LabelStatistics.CountPixels(a);
        Assert.All(counts.Take(3), n => Assert.True(n > 0));
        Assert.True(counts.Skip(3).Sum() > 0, "no item pixels were pasted");
        Assert.True(counts.Skip(3).Sum() < counts.Take(3).Sum(), "items should cover less than the background");
    }

    [Fact]
    public void Item_classes_are_long_tailed()
    {
        using var dir = Files();
        var ds = new FashionMnistSceneDataset(FashionMnistSplit.Train, 400, seed: 4, height: 16, width: 24, directory: dir.Path);
        var images = new int[ds.ClassNames.Count];
        for (int i = 0; i < ds.Count; i++)
            foreach (var c in ds.Get(i).Label.Distinct()) images[c]++;
        int first = images[FashionMnistSceneDataset.FirstItemClass], last = images[^1];
        // Weights 0.7^k: class 0 is drawn ~25x as often as class 9.
        Assert.True(first > 4 * Math.Max(1, last), $"t-shirt in {first} images, ankle boot in {last}");
        Assert.InRange(last, 1, 40);
    }

    [Fact]
    public void Validation_scenes_take_items_from_the_test_split()
    {
        using var dir = Files(testClasses: [7, 8, 9]);
        var val = new FashionMnistSceneDataset(FashionMnistSplit.Test, 40, seed: 1, height: 24, width: 32, directory: dir.Path);
        var seen = new HashSet<byte>();
        for (int i = 0; i < val.Count; i++) seen.UnionWith(val.Get(i).Label);
        var items = seen.Where(c => c >= FashionMnistSceneDataset.FirstItemClass).ToHashSet();
        Assert.NotEmpty(items);
        Assert.Subset(new HashSet<byte> { 10, 11, 12 }, items);
    }

    [Fact]
    public void Missing_files_tell_how_to_install_them_and_name_the_path()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<FileNotFoundException>(() => new FashionMnistSceneDataset(FashionMnistSplit.Train, 5, 1, directory: dir.Path));
        Assert.Contains(FashionMnist.ImageFile(dir.Path, FashionMnistSplit.Train), e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        // A failure is not cached: once the files exist the same folder loads.
        Fixtures.WriteFashion(dir.Path, FashionMnistSplit.Train, [0, 1]);
        Assert.Equal(4, FashionMnist.Load(FashionMnistSplit.Train, dir.Path).Count);
    }

    [Fact]
    public void Corrupt_idx_files_are_errors_naming_the_file()
    {
        using var dir = new TempFolder();
        var path = dir["x-idx1-ubyte.gz"];
        Fixtures.WriteIdxGz(path, [5], new byte[4]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadUBytes(path));
        Assert.Contains(path, e.Message);

        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => Idx.ReadUBytes(path)).Message);

        Fixtures.WriteIdxGz(FashionMnist.ImageFile(dir.Path, FashionMnistSplit.Test), [3, 28, 28], new byte[3 * 784]);
        Fixtures.WriteIdxGz(FashionMnist.LabelFile(dir.Path, FashionMnistSplit.Test), [2], [0, 1]);
        var mismatch = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(FashionMnistSplit.Test, dir.Path));
        Assert.Contains(FashionMnist.LabelFile(dir.Path, FashionMnistSplit.Test), mismatch.Message);
    }
}
