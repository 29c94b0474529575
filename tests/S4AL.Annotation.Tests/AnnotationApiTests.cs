using S4AL.Learning.Data.Images;

namespace S4AL.Annotation.Tests;

public class AnnotationApiTests
{
    [Theory]
    [InlineData("cvat", AnnotationFormat.Cvat)]
    [InlineData("label-studio", AnnotationFormat.LabelStudio)]
    [InlineData(" Masks ", AnnotationFormat.Masks)]
    public void Formats_parse_from_their_names(string name, AnnotationFormat format)
    {
        Assert.Equal(format, AnnotationFormats.Parse(name));
        Assert.Equal(format, AnnotationFormats.Parse(AnnotationFormats.Name(format)));
    }

    [Fact]
    public void An_unknown_format_name_lists_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => AnnotationFormats.Parse("coco"));
        Assert.Contains("'coco'", e.Message);
        Assert.Contains("cvat, label-studio, masks", e.Message);
    }

    public static TheoryData<AnnotationFormat> All() => new(Enum.GetValues<AnnotationFormat>());

    [Theory]
    [MemberData(nameof(All))]
    public void Export_refuses_a_folder_that_is_not_empty(AnnotationFormat format)
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        Directory.CreateDirectory(dir["out"]);
        File.WriteAllText(dir["out/old.png"], "an earlier cycle");
        var e = Assert.Throws<IOException>(() => AnnotationExport.Write(format, queries, dir["out"]));
        Assert.Contains(dir["out"], e.Message);
        Assert.Contains("not empty", e.Message);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Export_names_a_missing_image_file(AnnotationFormat format)
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        File.Delete(queries.Images[1].ImagePath);
        var e = Assert.Throws<FileNotFoundException>(() => AnnotationExport.Write(format, queries, dir["out"]));
        Assert.Contains(queries.Images[1].ImagePath, e.Message);
    }

    [Fact]
    public void An_error_in_one_file_fails_the_whole_import()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        ImageFiles.WriteLabelPng(dir["in/field.png"], 4, 5, new byte[20]);         // fine
        ImageFiles.WriteLabelPng(dir["in/street.png"], 6, 8, Enumerable.Repeat((byte)9, 48).ToArray()); // class 9 of 3
        Assert.Throws<AnnotationImportException>(() => AnnotationImport.Read(AnnotationFormat.Masks, queries, dir["in"]));
    }

    [Fact]
    public void An_import_without_the_files_of_an_image_leaves_it_out()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        ImageFiles.WriteLabelPng(dir["in/field.png"], 4, 5, new byte[20]);
        var labels = AnnotationImport.Read(AnnotationFormat.Masks, queries, dir["in"]);
        Assert.Equal([9], labels.Keys);
        Assert.Equal(10, labels[9].Count(l => l == TestQueries.Road));   // region 1: rows 0-1
        Assert.Equal(10, labels[9].Count(l => l == AnnotationQueries.Unlabeled));
    }

    public static TheoryData<string, string> BadQueries() => new()
    {
        { "duplicate name", "the name is used by another image" },
        { "region outside", "region 5 [3,7)x[4,8) is empty or outside the 6x8 image" },
        { "empty region", "region 5 [3,3)x[4,8) is empty" },
        { "short prediction", "the prediction has 47 pixels, expected 6x8" },
        { "prediction value", "prediction pixel (x=1, y=0) is 3, not a class index below 3 or 255" },
        { "path name", "the name must be a plain file stem" },
        { "duplicate class", "class name 'car' appears twice" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public void Invalid_queries_are_the_callers_error(string what, string message)
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        var street = queries.Images[0];
        var bad = what switch
        {
            "duplicate name" => queries with { Images = [street, queries.Images[1] with { Name = "street" }] },
            "region outside" => queries with { Images = [street with { Regions = [new QueriedRegion(5, 3, 7, 4, 8)] }] },
            "empty region" => queries with { Images = [street with { Regions = [new QueriedRegion(5, 3, 3, 4, 8)] }] },
            "short prediction" => queries with { Images = [street with { Prediction = new byte[47] }] },
            "prediction value" => queries with { Images = [street with { Prediction = [0, 3, .. new byte[46]] }] },
            "path name" => queries with { Images = [street with { Name = "../street" }] },
            _ => queries with { ClassNames = ["car", "car"] },
        };
        foreach (var format in Enum.GetValues<AnnotationFormat>())
        {
            Assert.Contains(message, Assert.Throws<ArgumentException>(() => AnnotationExport.Write(format, bad, dir["out"])).Message);
            Assert.Contains(message, Assert.Throws<ArgumentException>(() => AnnotationImport.Read(format, bad, dir.Path)).Message);
        }
        Assert.False(Directory.Exists(dir["out"]));
    }
}
