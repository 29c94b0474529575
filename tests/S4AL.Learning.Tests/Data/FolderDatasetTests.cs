using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Scenes;
using SkiaSharp;

namespace S4AL.Learning.Tests.Data;

public class FolderDatasetTests
{
    const int H = 10, W = 14;

    [Fact]
    public void Pairs_png_and_jpeg_images_with_masks_by_stem_in_name_order()
    {
        using var dir = new TempFolder();
        dir.WriteText("classes.txt", "background", "thing", "other");
        Fixtures.WritePair(dir["images/b.png"], dir["masks/b.png"], H, W, Fixtures.Labels(H, W, 3, 1));
        using (var bitmap = new SKBitmap(new SKImageInfo(W, H, SKColorType.Rgba8888, SKAlphaType.Opaque)))
        {
            bitmap.Erase(SKColors.Gray);
            using var file = File.Create(dir["images/a.JPG"]);
            bitmap.Encode(file, SKEncodedImageFormat.Jpeg, 90);
        }
        ImageFiles.WriteLabelPng(dir["masks/a.png"], H, W, Fixtures.Labels(H, W, 3, 2));
        File.WriteAllText(dir["images/notes.txt"], "not an image");

        var ds = new FolderDataset(dir.Path);
        Assert.Equal(["background", "thing", "other"], ds.ClassNames);
        Assert.Equal(2, ds.Count);
        Assert.Equal("a", ds.Get(0).Id);
        Assert.Equal(Fixtures.Labels(H, W, 3, 2), ds.Get(0).Label);
        Assert.Equal(Fixtures.Labels(H, W, 3, 1), ds.Get(1).Label);
    }

    [Fact]
    public void Image_without_mask_is_an_error_naming_the_expected_mask()
    {
        using var dir = new TempFolder();
        Fixtures.WritePair(dir["images/a.png"], dir["masks/a.png"], H, W, new byte[H * W]);
        ImageFiles.WriteRgbPng(dir["images/b.png"], H, W, Fixtures.Rgb(H, W));
        var e = Assert.Throws<FileNotFoundException>(() => new FolderDataset(dir.Path, ["x"]));
        Assert.Contains(dir["masks/b.png"], e.Message);
    }

    [Fact]
    public void A_pool_read_without_masks_never_opens_them_and_allows_them_to_be_missing()
    {
        using var dir = new TempFolder();
        // a.png has a mask that is not even a valid file: reading it would fail.
        ImageFiles.WriteRgbPng(dir["images/a.png"], H, W, Fixtures.Rgb(H, W));
        Directory.CreateDirectory(dir["masks"]);
        File.WriteAllText(dir["masks/a.png"], "not a png");
        ImageFiles.WriteRgbPng(dir["images/b.png"], H, W, Fixtures.Rgb(H, W, seed: 2));
        var error = Assert.Throws<FileNotFoundException>(() => new FolderDataset(dir.Path, ["x", "y"]));
        Assert.Contains("--annotator human", error.Message);

        var ds = new FolderDataset(dir.Path, ["x", "y"], readMasks: false);
        Assert.Equal(2, ds.Count);
        Assert.All(new[] { ds.Get(0), ds.Get(1) }, image => Assert.All(image.Label, v => Assert.Equal(255, v)));
        Assert.Equal(Fixtures.Rgb(H, W, seed: 2), ds.Get(1).Rgb);

        Directory.Delete(dir["masks"], recursive: true);
        Assert.Equal(2, new FolderDataset(dir.Path, ["x", "y"], readMasks: false).Count);
    }

    [Fact]
    public void Missing_class_names_or_empty_folder_are_errors_naming_the_folder()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir["images"]);
        Directory.CreateDirectory(dir["masks"]);
        var noClasses = Assert.Throws<ArgumentException>(() => new FolderDataset(dir.Path));
        Assert.Contains(dir.Path, noClasses.Message);
        Assert.Contains("classes.txt", noClasses.Message);
        var empty = Assert.Throws<InvalidDataException>(() => new FolderDataset(dir.Path, ["x"]));
        Assert.Contains(dir["images"], empty.Message);
        Assert.Contains(dir["nope"], Assert.Throws<DirectoryNotFoundException>(() => new FolderDataset(dir["nope"], ["x"])).Message);
    }

    [Fact]
    public void Bad_class_lists_are_rejected_naming_the_file()
    {
        using var dir = new TempFolder();
        var file = dir.WriteText("classes.txt", "road", "car", "road");
        var e = Assert.Throws<ArgumentException>(() => ClassLists.ReadFile(file));
        Assert.Contains(file, e.Message);
        Assert.Contains("'road'", e.Message);
        var blank = dir.WriteText("blank.txt", "# only a comment", "");
        Assert.Contains(blank, Assert.Throws<ArgumentException>(() => ClassLists.ReadFile(blank)).Message);
        Assert.Throws<ArgumentException>(() => ClassLists.Validate(Enumerable.Range(0, 256).Select(i => $"c{i}").ToList(), "test"));
    }
}
