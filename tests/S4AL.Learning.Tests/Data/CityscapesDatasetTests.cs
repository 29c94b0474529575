using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Scenes;

namespace S4AL.Learning.Tests.Data;

public class CityscapesDatasetTests
{
    const int H = 8, W = 16;

    // Every labelId 0..33 once, plus 255 (unlabeled in some exports) and a few out-of-table ids.
    static byte[] AllIds()
    {
        var ids = new byte[H * W];
        for (int i = 0; i < ids.Length; i++) ids[i] = (byte)(i < 34 ? i : i == 34 ? 255 : i % 40);
        return ids;
    }

    static byte Expected(byte id) => CityscapesDataset.TrainIdOfLabelId.TryGetValue(id, out var t) ? t : (byte)255;

    [Fact]
    public void Label_ids_map_to_the_19_train_ids_and_everything_else_to_ignore()
    {
        var table = CityscapesDataset.TrainIdOfLabelId;
        Assert.Equal(19, table.Count);
        Assert.Equal(Enumerable.Range(0, 19).Select(i => (byte)i), table.Values.Order());
        // Spot checks against cityscapesScripts' labels.py.
        Assert.Equal(0, table[7]);   // road
        Assert.Equal(10, table[23]); // sky
        Assert.Equal(13, table[26]); // car
        Assert.Equal(18, table[33]); // bicycle
        Assert.False(table.ContainsKey(0) || table.ContainsKey(6) || table.ContainsKey(29) || table.ContainsKey(30));
    }

    [Fact]
    public void Authors_layout_reads_the_split_folder_and_maps_ids()
    {
        using var dir = new TempFolder();
        dir.WriteText("imagesets/train.txt", "aachen_1", "aachen_2");
        dir.WriteText("imagesets/val.txt", "lindau_1");
        var ids = AllIds();
        foreach (var (folder, name) in new[] { ("train", "aachen_1"), ("train", "aachen_2"), ("val", "lindau_1") })
            Fixtures.WritePair(dir[$"images/{folder}/{name}.png"], dir[$"annots/{folder}/{name}.png"], H, W, ids);

        var train = new CityscapesDataset(dir.Path, "train");
        Assert.False(train.IsOfficialLayout);
        Assert.Equal(2, train.Count);
        Assert.Equal(ClassLists.Cityscapes, train.ClassNames);
        Assert.Equal(ids.Select(Expected), train.Get(1).Label);

        var val = new CityscapesDataset(dir.Path, "val");
        Assert.Equal("lindau_1", val.Get(0).Id);

        // The authors read their val list from train/: imageFolder reproduces that.
        dir.WriteText("imagesets/val.txt", "aachen_2");
        Assert.Equal("aachen_2", new CityscapesDataset(dir.Path, "val", imageFolder: "train").Get(0).Id);
    }

    [Fact]
    public void Official_layout_is_found_by_city_folders()
    {
        using var dir = new TempFolder();
        var ids = AllIds();
        foreach (var (city, stem) in new[] { ("bremen", "bremen_000001_000019"), ("aachen", "aachen_000000_000019"), ("aachen", "aachen_000001_000019") })
            Fixtures.WritePair(dir[$"leftImg8bit/train/{city}/{stem}_leftImg8bit.png"], dir[$"gtFine/train/{city}/{stem}_gtFine_labelIds.png"], H, W, ids);

        var ds = new CityscapesDataset(dir.Path, "train", resize: new ImageSize(4, 8));
        Assert.True(ds.IsOfficialLayout);
        Assert.Equal(["aachen_000000_000019", "aachen_000001_000019", "bremen_000001_000019"], Enumerable.Range(0, 3).Select(i => ds.Get(i).Id));
        Assert.Equal((4, 8), (ds.Get(0).Height, ds.Get(0).Width));
        Assert.All(ds.Get(2).Label, v => Assert.True(v < 19 || v == 255));
    }

    [Fact]
    public void Official_layout_without_label_file_fails_naming_it()
    {
        using var dir = new TempFolder();
        ImageFiles.WriteRgbPng(dir["leftImg8bit/val/ulm/ulm_1_leftImg8bit.png"], H, W, Fixtures.Rgb(H, W));
        Directory.CreateDirectory(dir["gtFine/val/ulm"]);
        var e = Assert.Throws<FileNotFoundException>(() => new CityscapesDataset(dir.Path, "val"));
        Assert.Contains(dir["gtFine/val/ulm/ulm_1_gtFine_labelIds.png"], e.Message);
    }

    [Fact]
    public void Folder_in_neither_layout_is_an_error_naming_it()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<DirectoryNotFoundException>(() => new CityscapesDataset(dir.Path));
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("leftImg8bit", e.Message);
    }
}
