using System.IO.Compression;
using S4AL.Annotation.Cvat;
using S4AL.Learning.Data.Images;

namespace S4AL.Annotation.Tests.Cvat;

public class CvatFormatTests
{
    [Fact]
    public void Export_lays_the_files_out_as_cvat_does()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        AnnotationExport.Write(AnnotationFormat.Cvat, queries, dir["out"]);

        // Sorted by name with CVAT's black "background", our palette for the classes.
        Assert.Equal(
            "# label:color_rgb:parts:actions\nbackground:0,0,0::\ncar:0,128,0::\nroad:128,0,0::\nsky:128,128,0::\n",
            File.ReadAllText(dir["out/labelmap.txt"]));
        Assert.Equal("street\nfield\n", File.ReadAllText(dir["out/ImageSets/Segmentation/default.txt"]));
        Assert.True(File.Exists(dir["out/JPEGImages/street.png"]));
        Assert.True(File.Exists(dir["out/SegmentationObject/street.png"]));
        // field has no prediction: no masks, as CVAT writes none for a frame without any.
        Assert.False(File.Exists(dir["out/SegmentationClass/field.png"]));

        var rgb = ImageFiles.ReadRgb(dir["out/SegmentationClass/street.png"]).Pixels;
        Assert.Equal(new byte[] { 128, 128, 0 }, Pixel(rgb, 0, 0)); // sky, inside region 0
        Assert.Equal(new byte[] { 0, 128, 0 }, Pixel(rgb, 1, 1));   // car
        Assert.Equal(new byte[] { 0, 0, 0 }, Pixel(rgb, 5, 0));     // outside the regions: background
        Assert.Equal(new byte[] { 0, 0, 0 }, Pixel(rgb, 7, 5));     // inside, no prediction

        using var upload = ZipFile.OpenRead(dir["out/cvat-annotations.zip"]);
        Assert.Equal(
            ["ImageSets/Segmentation/default.txt", "SegmentationClass/street.png", "SegmentationObject/street.png", "labelmap.txt"],
            upload.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        Assert.Contains("cvat-annotations.zip", File.ReadAllText(dir["out/README.txt"]));
    }

    [Fact]
    public void The_instance_mask_numbers_one_instance_per_class_in_voc_colours()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        AnnotationExport.Write(AnnotationFormat.Cvat, queries, dir["out"]);
        var rgb = ImageFiles.ReadRgb(dir["out/SegmentationObject/street.png"]).Pixels;
        // Classes present inside the regions: road (0), car (1), sky (2) -> instances 1, 2, 3.
        Assert.Equal(new byte[] { 128, 0, 0 }, Pixel(rgb, 4, 5));   // road: instance 1
        Assert.Equal(new byte[] { 0, 128, 0 }, Pixel(rgb, 1, 1));   // car: instance 2
        Assert.Equal(new byte[] { 128, 128, 0 }, Pixel(rgb, 0, 0)); // sky: instance 3
        Assert.Equal(new byte[] { 0, 0, 0 }, Pixel(rgb, 5, 0));     // no instance
    }

    [Fact]
    public void Round_trip_carries_exactly_the_region_painted_in_a_class_colour()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        AnnotationExport.Write(AnnotationFormat.Cvat, queries, dir["out"]);
        var street = queries.Images[0];
        var raster = ImageFiles.ReadRgb(dir["out/SegmentationClass/street.png"]);
        var rgb = raster.Pixels;
        var region = street.Regions[0];
        for (int y = region.Top; y < region.Bottom; y++)
            for (int x = region.Left; x < region.Right; x++)
                (rgb[(y * 8 + x) * 3], rgb[(y * 8 + x) * 3 + 1], rgb[(y * 8 + x) * 3 + 2]) = (128, 0, 0); // road
        (rgb[(0 * 8 + 6) * 3], rgb[(0 * 8 + 6) * 3 + 1]) = (0, 128); // car outside every region: ignored
        ImageFiles.WriteRgbPng(dir["out/SegmentationClass/street.png"], 6, 8, rgb);

        var labels = AnnotationImport.Read(AnnotationFormat.Cvat, queries, dir["out"]);

        var expected = TestQueries.InsideRegions(street, TestQueries.StreetPrediction());
        for (int y = region.Top; y < region.Bottom; y++)
            for (int x = region.Left; x < region.Right; x++)
                expected[y * 8 + x] = TestQueries.Road;
        Assert.Equal(expected, labels[street.Index]);
        Assert.Single(labels);
    }

    [Fact]
    public void The_upload_archive_imports_as_the_pre_annotation()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        AnnotationExport.Write(AnnotationFormat.Cvat, queries, dir["out"]);
        var labels = AnnotationImport.Read(AnnotationFormat.Cvat, queries, dir["out/cvat-annotations.zip"]);
        Assert.Equal(TestQueries.InsideRegions(queries.Images[0], TestQueries.StreetPrediction()), labels[7]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_the_export_cvat_writes(bool unpacked)
    {
        // Fixtures/cvat_segmentation_mask.py: car (x 1-2, y 1-3) over road (y 3-5) on background.
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        var path = TestQueries.Fixture("cvat-segmentation-mask-1.1.zip");
        if (unpacked)
        {
            ZipFile.ExtractToDirectory(path, dir["cvat"]);
            path = dir["cvat"];
        }

        var labels = AnnotationImport.Read(AnnotationFormat.Cvat, queries, path);

        var file = new byte[48];
        for (int i = 0; i < 48; i++) file[i] = i / 8 >= 3 ? (byte)TestQueries.Road : AnnotationQueries.Unlabeled;
        for (int y = 1; y < 4; y++)
            for (int x = 1; x < 3; x++)
                file[y * 8 + x] = TestQueries.Car;
        Assert.Equal(TestQueries.InsideRegions(queries.Images[0], file), labels[7]);
        Assert.Single(labels);
    }

    [Fact]
    public void Reads_datumaros_own_voc_mask()
    {
        // datumaro's test asset: a 20x10 mask all "bicycle" (0,128,0) with the default VOC labelmap.
        using var dir = new TempFolder();
        string[] voc = ["aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog",
            "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor"];
        var image = new QueriedImage(3, "2007_000001", "unused.jpg", 10, 20, [new QueriedRegion(4, 2, 5, 3, 9)], null);
        var labels = AnnotationImport.Read(AnnotationFormat.Cvat, new AnnotationQueries(voc, [image], 1), TestQueries.Fixture("datumaro-voc"));

        var expected = Enumerable.Repeat(AnnotationQueries.Unlabeled, 200).ToArray();
        for (int y = 2; y < 5; y++)
            for (int x = 3; x < 9; x++)
                expected[y * 20 + x] = 1;
        Assert.Equal(expected, labels[3]);
    }

    [Fact]
    public void A_colour_the_labelmap_lacks_names_file_and_pixel()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        var rgb = new byte[48 * 3];
        (rgb[(2 * 8 + 3) * 3], rgb[(2 * 8 + 3) * 3 + 1], rgb[(2 * 8 + 3) * 3 + 2]) = (1, 2, 3);
        WriteDataset(dir["in"], Labelmap, ("street", 6, 8, rgb));

        var e = ImportError(queries, dir["in"]);
        Assert.Contains(dir["in/SegmentationClass/street.png"], e.Message);
        Assert.Contains("pixel (x=3, y=2) has colour 1,2,3", e.Message);
    }

    [Fact]
    public void A_label_that_is_no_class_is_an_error_where_it_is_painted()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        var rgb = new byte[48 * 3];
        (rgb[(4 * 8 + 5) * 3], rgb[(4 * 8 + 5) * 3 + 1], rgb[(4 * 8 + 5) * 3 + 2]) = (9, 9, 9);
        WriteDataset(dir["in"], Labelmap + "truck:9,9,9::\n", ("street", 6, 8, rgb));

        var e = ImportError(queries, dir["in"]);
        Assert.Contains(dir["in/SegmentationClass/street.png"], e.Message);
        Assert.Contains("pixel (x=5, y=4) has the colour of label 'truck', which is not a class", e.Message);
    }

    [Fact]
    public void An_image_not_among_the_queries_is_an_error()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        WriteDataset(dir["in"], Labelmap, ("harbour", 6, 8, new byte[48 * 3]));
        var e = ImportError(queries, dir["in"]);
        Assert.Contains(dir["in/SegmentationClass/harbour.png"], e.Message);
        Assert.Contains("'harbour' is not among the queries", e.Message);
    }

    [Fact]
    public void A_size_other_than_the_querys_is_an_error()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        WriteDataset(dir["in"], Labelmap, ("street", 8, 6, new byte[48 * 3]));
        var e = ImportError(queries, dir["in"]);
        Assert.Contains(dir["in/SegmentationClass/street.png"], e.Message);
        Assert.Contains("was queried at 8x6", e.Message);
    }

    [Fact]
    public void A_huge_size_in_the_png_header_is_refused_before_decoding()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        TestQueries.WriteZip(dir["in.zip"],
            ("labelmap.txt", System.Text.Encoding.UTF8.GetBytes(Labelmap)),
            ("SegmentationClass/street.png", TestQueries.PngWithHeader(100000, 100000)));
        var e = Assert.Throws<AnnotationImportException>(() => AnnotationImport.Read(AnnotationFormat.Cvat, queries, dir["in.zip"]));
        Assert.Contains(dir["in.zip"] + "!SegmentationClass/street.png", e.Message);
        Assert.Contains("header declares 100000x100000", e.Message);
    }

    [Theory]
    [InlineData("car:0,128::\n", "not an 'r,g,b' triplet")]
    [InlineData("car:0,128,0:\n", "3 ':'-separated fields, expected 4")]
    [InlineData("car:0,128,300::\n", "numbers 0-255")]
    [InlineData("car:::\n", "label 'car' has no colour")]
    [InlineData("car:0,128,0::\ncar:0,0,128::\n", "defined twice")]
    [InlineData("car:0,128,0::\nroad:0,128,0::\n", "colour 0,128,0, which another label has too")]
    [InlineData("car:0,0,0::\n", "class 'car' is the background label")]
    public void A_malformed_labelmap_names_the_file_and_line(string lines, string cause)
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        WriteDataset(dir["in"], "# label:color_rgb:parts:actions\n" + lines, ("street", 6, 8, new byte[48 * 3]));
        var e = ImportError(queries, dir["in"]);
        Assert.Contains(dir["in/labelmap.txt"], e.Message);
        Assert.Contains(cause, e.Message);
    }

    [Fact]
    public void A_folder_without_labelmap_is_an_error()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        Directory.CreateDirectory(dir["in/SegmentationClass"]);
        var e = ImportError(queries, dir["in"]);
        Assert.Contains(dir["in/labelmap.txt"], e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void A_class_named_background_cannot_be_exported()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path) with { ClassNames = ["background", "car", "sky"] };
        var e = Assert.Throws<ArgumentException>(() => AnnotationExport.Write(AnnotationFormat.Cvat, queries, dir["out"]));
        Assert.Contains("class 'background'", e.Message);
    }

    [Fact]
    public void The_voc_colormap_is_datumaros()
    {
        // generate_colormap: 0 black, 1 (128,0,0), 2 (0,128,0), 3 (128,128,0), 4 (0,0,128), 255 (224,224,192).
        Assert.Equal(new Rgb(0, 0, 0), VocColormap.Color(0));
        Assert.Equal(new Rgb(128, 0, 0), VocColormap.Color(1));
        Assert.Equal(new Rgb(0, 128, 0), VocColormap.Color(2));
        Assert.Equal(new Rgb(128, 128, 0), VocColormap.Color(3));
        Assert.Equal(new Rgb(0, 0, 128), VocColormap.Color(4));
        Assert.Equal(new Rgb(224, 224, 192), VocColormap.Color(255));
    }

    static AnnotationImportException ImportError(AnnotationQueries queries, string path) =>
        Assert.Throws<AnnotationImportException>(() => AnnotationImport.Read(AnnotationFormat.Cvat, queries, path));

    static byte[] Pixel(byte[] rgb, int x, int y) => rgb.AsSpan((y * 8 + x) * 3, 3).ToArray();

    const string Labelmap = "# label:color_rgb:parts:actions\nbackground:0,0,0::\ncar:0,128,0::\nroad:128,0,0::\nsky:128,128,0::\n";

    static void WriteDataset(string root, string labelmap, params (string Name, int Height, int Width, byte[] Rgb)[] masks)
    {
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "labelmap.txt"), labelmap);
        foreach (var (name, h, w, rgb) in masks)
            ImageFiles.WriteRgbPng(Path.Combine(root, "SegmentationClass", name + ".png"), h, w, rgb);
    }
}
