using System.Text;
using System.Text.Json;
using S4AL.Annotation.Files;
using S4AL.Learning.Data.Images;

namespace S4AL.Annotation.Masks;

/// <summary>
/// The plain format: &lt;name&gt;.png per image, an 8-bit grayscale PNG of class indices with
/// 255 (unlabeled) outside the queried regions and the prediction inside them (255 where there is
/// none), the project's own mask convention; the images go to images/, the class list to classes.txt.
/// </summary>
internal static class MaskExport
{
    public const string ImageFolder = "images";
    public const string RegionsFile = "regions.json";
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void Write(AnnotationQueries queries, ExportFolder folder)
    {
        foreach (var image in queries.Images)
        {
            folder.CopyImage(image, ImageFolder);
            folder.Write($"{image.Name}.png", ImageFiles.EncodeLabelPng(image.Height, image.Width, image.PreAnnotation(), $"{image.Name}.png"));
        }
        folder.WriteText("classes.txt", string.Concat(queries.ClassNames.Select((n, k) => $"{k} {n}\n")) + $"{AnnotationQueries.Unlabeled} unlabeled\n");

        var text = new StringBuilder($"""
            S4AL annotation queries of cycle {queries.Cycle}: {queries.Images.Count} images, {queries.Images.Sum(i => i.Regions.Count)} regions.
            Format: masks. Each <name>.png is an 8-bit grayscale PNG of class indices (classes.txt) for
            images/<name>.*: 255 = unlabeled. Inside the queried regions it holds the current model's
            prediction; correct those pixels (any value of classes.txt, or 255 to leave a pixel unlabeled)
            and keep the file 8-bit grayscale (or palette) of the same size. Pixels outside the regions
            are ignored. Import the folder (or a zip of it) with format "masks".

            Regions ([top,bottom) x [left,right) in pixels):

            """);
        foreach (var image in queries.Images)
            text.Append($"  {image.Name}: {string.Join("  ", image.Regions.Select(r => $"region {r.Region} [{r.Top},{r.Bottom})x[{r.Left},{r.Right})"))}\n");
        text.Append($"\nThe same regions for scripts: {RegionsFile}.\n");
        folder.WriteText("README.txt", text.ToString());
        // For scripts that fill the regions (a lab's own tool, a test standing in for people).
        folder.WriteText(RegionsFile, JsonSerializer.Serialize(new
        {
            queries.Cycle,
            Classes = queries.ClassNames,
            Images = queries.Images.Select(i => new
            {
                i.Index, i.Name, i.Height, i.Width,
                Regions = i.Regions.Select(r => new { r.Region, r.Top, r.Bottom, r.Left, r.Right }),
            }),
        }, Json));
    }
}
