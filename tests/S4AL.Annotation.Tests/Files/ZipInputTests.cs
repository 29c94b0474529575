using S4AL.Learning.Data.Images;

namespace S4AL.Annotation.Tests.Files;

/// <summary>Archives are checked before anything is read: zip slip, duplicate and forged entries.</summary>
public class ZipInputTests
{
    [Theory]
    [InlineData(AnnotationFormat.Masks, "../street.png")]
    [InlineData(AnnotationFormat.Masks, "masks/../../street.png")]
    [InlineData(AnnotationFormat.Masks, "/tmp/street.png")]
    [InlineData(AnnotationFormat.Masks, "C:/street.png")]
    [InlineData(AnnotationFormat.Masks, "..\\street.png")]
    [InlineData(AnnotationFormat.Cvat, "SegmentationClass/../../../evil.png")]
    public void An_entry_leaving_the_archive_folder_fails_the_import(AnnotationFormat format, string entry)
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        TestQueries.WriteZip(dir["in.zip"],
            ("labelmap.txt", "# label:color_rgb:parts:actions\nbackground:0,0,0::\n"u8.ToArray()),
            (entry, ImageFiles.EncodeLabelPng(6, 8, new byte[48], entry)));

        var e = Assert.Throws<AnnotationImportException>(() => AnnotationImport.Read(format, queries, dir["in.zip"]));
        Assert.Contains(dir["in.zip"] + "!" + entry, e.Message);
        Assert.Contains("leaves the archive's folder", e.Message);
    }

    [Fact]
    public void An_archive_holding_an_entry_twice_is_an_error()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        var mask = ImageFiles.EncodeLabelPng(6, 8, new byte[48], "street.png");
        TestQueries.WriteZip(dir["in.zip"], ("street.png", mask), ("street.png", mask));
        var e = Assert.Throws<AnnotationImportException>(() => AnnotationImport.Read(AnnotationFormat.Masks, queries, dir["in.zip"]));
        Assert.Contains("street.png", e.Message);
        Assert.Contains("twice", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_an_error_naming_it()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        File.WriteAllText(dir["in.zip"], "PK but not really");
        var e = Assert.Throws<AnnotationImportException>(() => AnnotationImport.Read(AnnotationFormat.Cvat, queries, dir["in.zip"]));
        Assert.Contains(dir["in.zip"], e.Message);
        Assert.Contains("not a readable zip", e.Message);
    }

    [Fact]
    public void Hidden_files_that_archivers_add_are_not_read()
    {
        using var dir = new TempFolder();
        var queries = TestQueries.Create(dir.Path);
        TestQueries.WriteZip(dir["in.zip"],
            ("street.png", ImageFiles.EncodeLabelPng(6, 8, Enumerable.Repeat((byte)1, 48).ToArray(), "street.png")),
            ("__MACOSX/._street.png", [0, 1, 2]),
            (".DS_Store", [0, 1, 2]));
        Assert.Equal(TestQueries.Car, AnnotationImport.Read(AnnotationFormat.Masks, queries, dir["in.zip"])[7][0]);
    }
}
