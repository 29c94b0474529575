using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Scenes;

namespace S4AL.Learning.Tests.Data;

public class CamVidDatasetTests
{
    const int H = 12, W = 16;

    static TempFolder Layout(int classes = 11)
    {
        var dir = new TempFolder();
        Fixtures.WriteCamVid(dir.Path, H, W, classes, ("train", ["a", "b", "c"]), ("val", ["d"]));
        return dir;
    }

    [Fact]
    public void Reads_the_authors_layout_with_the_camvid_classes()
    {
        using var dir = Layout();
        var ds = new CamVidDataset(dir.Path, "train");
        Assert.Equal(3, ds.Count);
        Assert.Equal((H, W), (ds.Height, ds.Width));
        Assert.Equal(ClassLists.CamVid, ds.ClassNames);
        Assert.Equal(11, ((ISegmentationDataset)ds).NumClasses);
        var b = ds.Get(1);
        Assert.Equal("b", b.Id);
        Assert.Equal(Fixtures.Rgb(H, W, 2), b.Rgb);
        Assert.Equal(Fixtures.Labels(H, W, 11, 1), b.Label);
        Assert.Equal("d", new CamVidDataset(dir.Path, "val").Get(0).Id);
    }

    [Fact]
    public void Void_value_11_becomes_ignore_as_in_the_authors_code()
    {
        using var dir = Layout(classes: 12); // masks hold 0..11
        var ds = new CamVidDataset(dir.Path, "train");
        Assert.Equal((byte)11, ds.VoidValue);
        var expected = Fixtures.Labels(H, W, 12, 0).Select(v => v == 11 ? (byte)255 : v).ToArray();
        Assert.Equal(expected, ds.Get(0).Label);
    }

    [Fact]
    public void Classes_txt_beside_the_layout_sets_any_class_count_and_keeps_value_11()
    {
        using var dir = Layout(classes: 14);
        dir.WriteText("classes.txt", Enumerable.Range(0, 14).Select(i => $"class{i}").Prepend("# comment").Append("").ToArray());
        var ds = new CamVidDataset(dir.Path);
        Assert.Equal(14, ds.ClassNames.Count);
        Assert.Equal("class13", ds.ClassNames[13]);
        Assert.Null(ds.VoidValue);
        Assert.Equal(Fixtures.Labels(H, W, 14, 0), ds.Get(0).Label);
    }

    [Fact]
    public void Caller_class_names_take_precedence()
    {
        using var dir = Layout(classes: 3);
        dir.WriteText("classes.txt", "x", "y");
        var ds = new CamVidDataset(dir.Path, classNames: ["p", "q", "r"]);
        Assert.Equal(["p", "q", "r"], ds.ClassNames);
        Assert.Equal(Fixtures.Labels(H, W, 3, 0), ds.Get(0).Label);
    }

    [Fact]
    public void Label_above_the_class_count_is_an_error_naming_file_value_and_pixel()
    {
        using var dir = Layout(classes: 3);
        var labels = new byte[H * W];
        labels[2 * W + 5] = 7;
        ImageFiles.WriteLabelPng(dir["annots/b.png"], H, W, labels);
        var ds = new CamVidDataset(dir.Path, classNames: ["p", "q", "r"]);
        ds.Get(0);
        var e = Assert.Throws<InvalidDataException>(() => ds.Get(1));
        Assert.Contains(dir["annots/b.png"], e.Message);
        Assert.Contains("value 7", e.Message);
        Assert.Contains("x=5, y=2", e.Message);
    }

    [Fact]
    public void Ignore_value_255_is_always_accepted()
    {
        using var dir = Layout(classes: 2);
        var labels = Enumerable.Repeat((byte)255, H * W).ToArray();
        labels[0] = 1;
        ImageFiles.WriteLabelPng(dir["annots/a.png"], H, W, labels);
        Assert.Equal(labels, new CamVidDataset(dir.Path, classNames: ["p", "q"]).Get(0).Label);
    }

    [Fact]
    public void Missing_root_folders_and_list_are_errors_naming_the_path()
    {
        using var dir = Layout();
        Assert.Contains(dir["nowhere"], Assert.Throws<DirectoryNotFoundException>(() => new CamVidDataset(dir["nowhere"])).Message);
        Assert.Contains(dir["imagesets/test.txt"], Assert.Throws<FileNotFoundException>(() => new CamVidDataset(dir.Path, "test")).Message);
        Directory.Move(dir["annots"], dir["labels"]);
        Assert.Contains(dir["annots"], Assert.Throws<DirectoryNotFoundException>(() => new CamVidDataset(dir.Path)).Message);
        Directory.Move(dir["images"], dir["pictures"]);
        Assert.Contains(dir["images"], Assert.Throws<DirectoryNotFoundException>(() => new CamVidDataset(dir.Path)).Message);
    }

    [Fact]
    public void Listed_image_or_mask_that_is_missing_fails_at_construction()
    {
        using var dir = Layout();
        File.Delete(dir["annots/c.png"]);
        var e = Assert.Throws<FileNotFoundException>(() => new CamVidDataset(dir.Path));
        Assert.Contains(dir["annots/c.png"], e.Message);
        Assert.Contains(dir["imagesets/train.txt"], e.Message);

        dir.WriteText("imagesets/train.txt", "a", "ghost");
        e = Assert.Throws<FileNotFoundException>(() => new CamVidDataset(dir.Path));
        Assert.Contains(dir["images/ghost.png"], e.Message);
    }

    [Fact]
    public void Empty_image_set_is_an_error_naming_the_list()
    {
        using var dir = Layout();
        dir.WriteText("imagesets/train.txt", "", "  ");
        var e = Assert.Throws<InvalidDataException>(() => new CamVidDataset(dir.Path));
        Assert.Contains(dir["imagesets/train.txt"], e.Message);
    }

    [Fact]
    public void Image_and_mask_of_different_sizes_are_an_error_naming_both()
    {
        using var dir = Layout();
        ImageFiles.WriteLabelPng(dir["annots/a.png"], H, W + 1, new byte[H * (W + 1)]);
        var e = Assert.Throws<InvalidDataException>(() => new CamVidDataset(dir.Path).Get(0));
        Assert.Contains(dir["images/a.png"], e.Message);
        Assert.Contains(dir["annots/a.png"], e.Message);
    }

    [Fact]
    public void Images_of_another_size_need_a_resize()
    {
        using var dir = Layout();
        Fixtures.WritePair(dir["images/c.png"], dir["annots/c.png"], H * 2, W * 2, new byte[H * W * 4]);
        var e = Assert.Throws<InvalidDataException>(() => new CamVidDataset(dir.Path).Get(2));
        Assert.Contains(dir["images/c.png"], e.Message);

        var resized = new CamVidDataset(dir.Path, resize: new ImageSize(6, 8));
        Assert.Equal((6, 8), (resized.Height, resized.Width));
        foreach (var i in new[] { 0, 2 })
        {
            var image = resized.Get(i);
            Assert.Equal((6, 8), (image.Height, image.Width));
            Assert.Equal(6 * 8 * 3, image.Rgb.Length);
        }
        // Nearest keeps labels from the source: no invented class values.
        Assert.Subset(Fixtures.Labels(H, W, 11, 0).ToHashSet(), resized.Get(0).Label.ToHashSet());
    }

    [Fact]
    public void Unreadable_image_is_an_error_naming_the_file()
    {
        using var dir = Layout();
        File.WriteAllText(dir["images/b.png"], "garbage");
        var e = Assert.Throws<InvalidDataException>(() => new CamVidDataset(dir.Path).Get(1));
        Assert.Contains(dir["images/b.png"], e.Message);
    }

    [Fact]
    public void Decoded_images_are_cached_within_the_capacity()
    {
        using var dir = Layout();
        var cached = new CamVidDataset(dir.Path);
        var first = cached.Get(0);
        Assert.True(cached.CachedBytes > 0);
        File.Delete(dir["images/a.png"]);
        Assert.Same(first, cached.Get(0));

        var uncached = new CamVidDataset(dir.Path, "val", cacheCapacityBytes: 0);
        uncached.Get(0);
        Assert.Equal(0, uncached.CachedBytes);
        File.Delete(dir["images/d.png"]);
        Assert.Throws<FileNotFoundException>(() => uncached.Get(0));
    }

    [Fact]
    public void Cache_evicts_least_recently_used_images()
    {
        var cache = new ImageCache(capacityBytes: 2 * (4 * 4 * 4 + 64));
        SegmentationImage Img(int i) => new($"i{i}", 4, 4, new byte[48], new byte[16]);
        cache.Add(0, Img(0));
        cache.Add(1, Img(1));
        Assert.True(cache.TryGet(0, out _)); // 0 is now the most recent
        cache.Add(2, Img(2));
        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet(0, out _));
        Assert.False(cache.TryGet(1, out _));
        Assert.True(cache.TryGet(2, out _));
    }

    [Fact]
    public void Concurrent_gets_return_the_same_pixels()
    {
        using var dir = Layout();
        var ds = new CamVidDataset(dir.Path);
        var results = new SegmentationImage[24];
        Parallel.For(0, results.Length, i => results[i] = ds.Get(i % 3));
        for (int i = 0; i < results.Length; i++)
            Assert.Equal(Fixtures.Labels(H, W, 11, i % 3).Select(v => v == 11 ? (byte)255 : v), results[i].Label);
    }
}
