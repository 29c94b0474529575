using System.IO.Compression;
using S4AL.Learning.Data.Images;

namespace S4AL.Annotation.Tests.Masks;

public class MaskFormatTests
{
    [Fact]
    public void Export_writes_the_prediction_inside_the_regions_and_255_elsewhere()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        AnnotationExport.Write(AnnotationFormat.Masks, queries, dir["out"]);

        var street = queries.Images[0];
        Assert.Equal(TestQueries.InsideRegions(street, TestQueries.StreetPrediction()), ImageFiles.ReadLabels(dir["out/street.png"]).Pixels);
        Assert.All(ImageFiles.ReadLabels(dir["out/field.png"]).Pixels, p => Assert.Equal(AnnotationQueries.Unlabeled, p));
        Assert.True(File.Exists(dir["out/images/street.png"]));
        Assert.Contains("1 car", File.ReadAllText(dir["out/classes.txt"]));
    }

    [Fact]
    public void Round_trip_carries_exactly_the_edited_region()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        AnnotationExport.Write(AnnotationFormat.Masks, queries, dir["out"]);
        var street = queries.Images[0];
        var edited = ImageFiles.ReadLabels(dir["out/street.png"]).Pixels;
        var region = street.Regions[1];
        for (int y = region.Top; y < region.Bottom; y++)
            for (int x = region.Left; x < region.Right; x++)
                edited[y * 8 + x] = TestQueries.Car;
        edited[0] = TestQueries.Road;             // inside region 0: another edit, kept
        edited[5 * 8 + 0] = TestQueries.Sky;      // outside every region: ignored
        ImageFiles.WriteLabelPng(dir["out/street.png"], 6, 8, edited);

        var labels = AnnotationImport.Read(AnnotationFormat.Masks, queries, dir["out"]);

        var expected = TestQueries.InsideRegions(street, TestQueries.StreetPrediction());
        for (int y = region.Top; y < region.Bottom; y++)
            for (int x = region.Left; x < region.Right; x++)
                expected[y * 8 + x] = TestQueries.Car;
        expected[0] = TestQueries.Road;
        Assert.Equal(expected, labels[street.Index]);
        Assert.False(labels.ContainsKey(queries.Images[1].Index)); // field: nothing labeled
    }

    [Fact]
    public void Imports_a_zip_of_the_folder_and_of_its_content()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        AnnotationExport.Write(AnnotationFormat.Masks, queries, dir["out"]);
        ZipFile.CreateFromDirectory(dir["out"], dir["content.zip"]);
        ZipFile.CreateFromDirectory(dir["out"], dir["folder.zip"], CompressionLevel.Fastest, includeBaseDirectory: true);

        var expected = TestQueries.InsideRegions(queries.Images[0], TestQueries.StreetPrediction());
        Assert.Equal(expected, AnnotationImport.Read(AnnotationFormat.Masks, queries, dir["content.zip"])[7]);
        Assert.Equal(expected, AnnotationImport.Read(AnnotationFormat.Masks, queries, dir["folder.zip"])[7]);
    }

    [Fact]
    public void A_value_that_is_no_class_names_file_and_pixel()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        var labels = Enumerable.Repeat(AnnotationQueries.Unlabeled, 48).ToArray();
        labels[2 * 8 + 6] = 3; // 3 classes: 0, 1, 2
        ImageFiles.WriteLabelPng(dir["in/street.png"], 6, 8, labels);

        var e = ImportError(queries, dir["in"]);
        Assert.Contains(dir["in/street.png"], e.Message);
        Assert.Contains("pixel (x=6, y=2) is 3", e.Message);
    }

    [Fact]
    public void An_image_not_among_the_queries_is_an_error()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        ImageFiles.WriteLabelPng(dir["in/harbour.png"], 6, 8, new byte[48]);
        var e = ImportError(queries, dir["in"]);
        Assert.Contains(dir["in/harbour.png"], e.Message);
        Assert.Contains("'harbour' is not among the queries of cycle 2", e.Message);
    }

    [Fact]
    public void A_size_other_than_the_querys_is_an_error()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        ImageFiles.WriteLabelPng(dir["in/street.png"], 8, 6, new byte[48]);
        var e = ImportError(queries, dir["in"]);
        Assert.Contains(dir["in/street.png"], e.Message);
        Assert.Contains("declares 6x8 (width x height), but image 7 'street' was queried at 8x6", e.Message);
    }

    [Fact]
    public void A_huge_size_in_the_png_header_is_refused_before_decoding()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        Directory.CreateDirectory(dir["in"]);
        File.WriteAllBytes(dir["in/street.png"], TestQueries.PngWithHeader(100000, 100000));
        var e = ImportError(queries, dir["in"]);
        Assert.Contains(dir["in/street.png"], e.Message);
        Assert.Contains("header declares 100000x100000", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_png_is_an_error()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        Directory.CreateDirectory(dir["in"]);
        File.WriteAllText(dir["in/street.png"], "not an image");
        var e = ImportError(queries, dir["in"]);
        Assert.Contains(dir["in/street.png"], e.Message);
        Assert.Contains("not a PNG", e.Message);
    }

    [Fact]
    public void A_truncated_png_is_an_error_naming_the_file()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        var png = ImageFiles.EncodeLabelPng(6, 8, new byte[48], "street.png");
        Directory.CreateDirectory(dir["in"]);
        File.WriteAllBytes(dir["in/street.png"], png[..40]);
        var e = ImportError(queries, dir["in"]);
        Assert.Contains(dir["in/street.png"], e.Message);
    }

    [Fact]
    public void A_missing_path_is_an_error_naming_it()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        var e = Assert.Throws<AnnotationImportException>(() => AnnotationImport.Read(AnnotationFormat.Masks, queries, dir["nothing"]));
        Assert.Contains(dir["nothing"], e.Message);
    }

    static AnnotationImportException ImportError(AnnotationQueries queries, string path) =>
        Assert.Throws<AnnotationImportException>(() => AnnotationImport.Read(AnnotationFormat.Masks, queries, path));
}
