using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Scenes;

namespace S4AL.Learning.Tests.Data;

public class DatasetsTests
{
    [Fact]
    public void Synthetic_is_the_default_with_separate_validation_scenes()
    {
        var (train, val) = Datasets.Open(new DatasetOptions());
        Assert.IsType<SyntheticSceneDataset>(train);
        Assert.Equal((200, 50), (train.Count, val.Count));
        Assert.Equal((96, 128), (train.Height, train.Width));
        Assert.NotEqual(train.Get(0).Rgb, val.Get(0).Rgb);

        var (small, _) = Datasets.Open(new DatasetOptions { Height = 24, Width = 32, PoolSize = 7, Seed = 3 });
        Assert.Equal((7, 24, 32), (small.Count, small.Height, small.Width));
    }

    [Fact]
    public void Fashion_mnist_reads_the_folder_given_as_root()
    {
        using var dir = new TempFolder();
        Fixtures.WriteFashion(dir.Path, FashionMnistSplit.Train, [0, 1, 2]);
        Fixtures.WriteFashion(dir.Path, FashionMnistSplit.Test, [3]);
        var (train, val) = Datasets.Open(new DatasetOptions { Kind = DatasetKind.FashionMnist, Root = dir.Path, PoolSize = 5, ValidationSize = 4, Height = 32, Width = 32 });
        Assert.Equal(FashionMnistSplit.Train, Assert.IsType<FashionMnistSceneDataset>(train).Split);
        Assert.Equal(FashionMnistSplit.Test, Assert.IsType<FashionMnistSceneDataset>(val).Split);
        Assert.Equal((5, 4), (train.Count, val.Count));
    }

    [Fact]
    public void Camvid_opens_train_and_val_lists_with_resize_and_a_classes_file()
    {
        using var dir = new TempFolder();
        Fixtures.WriteCamVid(dir.Path, 8, 12, 4, ("train", ["a", "b"]), ("val", ["c"]));
        var classes = dir.WriteText("names.txt", "w", "x", "y", "z");
        var (train, val) = Datasets.Open(new DatasetOptions { Kind = DatasetKind.CamVid, Root = dir.Path, ClassesFile = classes, Height = 4, Width = 6 });
        Assert.Equal(["w", "x", "y", "z"], train.ClassNames);
        Assert.Equal((2, 1), (train.Count, val.Count));
        Assert.Equal((4, 6), (val.Get(0).Height, val.Get(0).Width));
    }

    [Fact]
    public void Cityscapes_and_folder_kinds_open_their_layouts()
    {
        using var city = new TempFolder();
        city.WriteText("imagesets/train.txt", "t");
        city.WriteText("imagesets/val.txt", "v");
        Fixtures.WritePair(city["images/train/t.png"], city["annots/train/t.png"], 4, 4, new byte[16]);
        Fixtures.WritePair(city["images/val/v.png"], city["annots/val/v.png"], 4, 4, new byte[16]);
        var (ct, cv) = Datasets.Open(new DatasetOptions { Kind = DatasetKind.Cityscapes, Root = city.Path });
        Assert.Equal(("t", "v"), (ct.Get(0).Id, cv.Get(0).Id));
        Assert.Equal(19, ct.ClassNames.Count);

        using var folder = new TempFolder();
        folder.WriteText("classes.txt", "bg", "fg");
        Fixtures.WritePair(folder["train/images/1.png"], folder["train/masks/1.png"], 4, 4, Fixtures.Labels(4, 4, 2));
        Fixtures.WritePair(folder["val/images/2.png"], folder["val/masks/2.png"], 4, 4, Fixtures.Labels(4, 4, 2));
        var (ft, fv) = Datasets.Open(new DatasetOptions { Kind = DatasetKind.Folder, Root = folder.Path });
        Assert.Equal(["bg", "fg"], fv.ClassNames);
        Assert.Equal(("1", "2"), (ft.Get(0).Id, fv.Get(0).Id));
    }

    [Fact]
    public void Bad_options_are_errors_naming_the_option()
    {
        Assert.Contains("Width", Assert.Throws<ArgumentException>(() => Datasets.Open(new DatasetOptions { Height = 32 })).Message);
        Assert.Contains("Root", Assert.Throws<ArgumentException>(() => Datasets.Open(new DatasetOptions { Kind = DatasetKind.CamVid })).Message);
        var missing = Assert.Throws<DirectoryNotFoundException>(() => Datasets.Open(new DatasetOptions { Kind = DatasetKind.Folder, Root = "/nonexistent/s4al" }));
        Assert.Contains("/nonexistent/s4al", missing.Message);
        Assert.Contains("Classes", Assert.Throws<ArgumentException>(() => Datasets.Open(new DatasetOptions { Classes = ["a"] })).Message);
        Assert.Contains("PoolSize", Assert.Throws<ArgumentException>(() => Datasets.Open(new DatasetOptions { PoolSize = 0 })).Message);
        Assert.Throws<ArgumentException>(() => Datasets.Open(new DatasetOptions { Kind = DatasetKind.CamVid, Root = "/tmp", Classes = ["a"], ClassesFile = "c.txt" }));

        using var folder = new TempFolder();
        Directory.CreateDirectory(folder["train"]);
        var noClasses = Assert.Throws<ArgumentException>(() => Datasets.Open(new DatasetOptions { Kind = DatasetKind.Folder, Root = folder.Path }));
        Assert.Contains(folder["classes.txt"], noClasses.Message);
    }

    [Theory]
    [InlineData("synthetic", DatasetKind.Synthetic)]
    [InlineData("fashion-mnist", DatasetKind.FashionMnist)]
    [InlineData("FashionMnist", DatasetKind.FashionMnist)]
    [InlineData("CamVid", DatasetKind.CamVid)]
    [InlineData(" cityscapes ", DatasetKind.Cityscapes)]
    [InlineData("folder", DatasetKind.Folder)]
    public void Kinds_parse_from_their_command_line_names(string text, DatasetKind kind)
    {
        Assert.Equal(kind, DatasetOptions.ParseKind(text));
        Assert.Equal(kind, DatasetOptions.ParseKind(DatasetOptions.KindName(kind)));
    }

    [Fact]
    public void Unknown_kind_lists_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetOptions.ParseKind("pascal"));
        Assert.Contains("'pascal'", e.Message);
        Assert.Contains("fashion-mnist", e.Message);
        Assert.Throws<ArgumentException>(() => DatasetOptions.ParseKind("2"));
    }
}
