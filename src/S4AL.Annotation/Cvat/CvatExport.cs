using System.IO.Compression;
using System.Text;
using System.Text.Json;
using S4AL.Annotation.Files;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Storage;

namespace S4AL.Annotation.Cvat;

/// <summary>
/// Writes the queries as a CVAT "Segmentation mask 1.1" dataset (<see cref="CvatLayout"/>), with
/// the prediction inside the regions as pre-annotation. Unlabeled pixels are black, the colour of
/// the "background" label CVAT adds, as CVAT itself paints pixels without a mask.
/// </summary>
internal static class CvatExport
{
    public static void Write(AnnotationQueries queries, ExportFolder folder)
    {
        CheckClassNames(queries.ClassNames);
        var labelmap = Labelmap.ForClasses(queries.ClassNames, ClassPalette.Color);
        // The annotations also go into one zip: CVAT's "Upload annotations" takes an archive.
        var annotations = new List<(string Path, byte[] Bytes)>
        {
            (Labelmap.FileName, Encoding.UTF8.GetBytes(labelmap.Format())),
            (CvatLayout.SubsetList, Encoding.UTF8.GetBytes(string.Concat(queries.Images.Select(i => i.Name + "\n")))),
        };
        foreach (var image in queries.Images)
        {
            folder.CopyImage(image, CvatLayout.ImageFolder);
            var labels = image.PreAnnotation();
            // As CVAT: an image without any mask has no mask files, only its line in the subset list.
            if (labels.All(l => l == AnnotationQueries.Unlabeled)) continue;
            annotations.Add(($"{CvatLayout.ClassFolder}/{image.Name}.png", ClassMask(image, labels)));
            annotations.Add(($"{CvatLayout.ObjectFolder}/{image.Name}.png", ObjectMask(image, labels)));
        }

        foreach (var (path, bytes) in annotations) folder.Write(path, bytes);
        AtomicFile.Write(folder.PathOf(CvatLayout.UploadArchive), stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (path, bytes) in annotations)
            {
                using var entry = zip.CreateEntry(path, CompressionLevel.Optimal).Open();
                entry.Write(bytes);
            }
        });
        folder.WriteText(CvatLayout.LabelsJson, LabelsJson(queries.ClassNames));
        folder.WriteText("README.txt", Readme(queries, folder.Root));
    }

    static void CheckClassNames(IReadOnlyList<string> classNames)
    {
        foreach (var name in classNames)
        {
            if (name.Contains(':'))
                throw new ArgumentException($"class '{name}' cannot be exported to CVAT: labelmap.txt separates its fields with ':'");
            if (name == Labelmap.BackgroundName)
                throw new ArgumentException(
                    $"class '{name}' cannot be exported to CVAT: CVAT paints unlabeled pixels with the '{Labelmap.BackgroundName}' label, " +
                    "so its labels could not be told from unlabeled pixels; rename the class or use the label-studio or masks format");
        }
    }

    static byte[] ClassMask(QueriedImage image, byte[] labels)
    {
        var rgb = new byte[labels.Length * 3];
        for (int i = 0; i < labels.Length; i++)
        {
            var color = labels[i] == AnnotationQueries.Unlabeled ? Rgb.Black : ClassPalette.Color(labels[i]);
            (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) = (color.R, color.G, color.B);
        }
        return ImageFiles.EncodeRgbPng(image.Height, image.Width, rgb, $"{CvatLayout.ClassFolder}/{image.Name}.png");
    }

    /// <summary>
    /// CVAT imports masks from the instance image (datumaro's VocSegmentationExtractor pairs it
    /// with the class image): one instance per class present, numbered in class order and painted
    /// with the VOC colour of its number; 0 (black) is no instance.
    /// </summary>
    static byte[] ObjectMask(QueriedImage image, byte[] labels)
    {
        var instance = new int[AnnotationQueries.Unlabeled + 1];
        int next = 0;
        foreach (var label in labels.Where(l => l != AnnotationQueries.Unlabeled).Distinct().Order())
            instance[label] = ++next;
        var rgb = new byte[labels.Length * 3];
        for (int i = 0; i < labels.Length; i++)
        {
            var color = VocColormap.Color(labels[i] == AnnotationQueries.Unlabeled ? 0 : instance[labels[i]]);
            (rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) = (color.R, color.G, color.B);
        }
        return ImageFiles.EncodeRgbPng(image.Height, image.Width, rgb, $"{CvatLayout.ObjectFolder}/{image.Name}.png");
    }

    /// <summary>The labels in the shape of CVAT's label editor ("Raw"), so that a task gets our colours.</summary>
    static string LabelsJson(IReadOnlyList<string> classNames) =>
        JsonSerializer.Serialize(
            classNames.Select((name, k) => new Dictionary<string, object>
            {
                ["name"] = name,
                ["color"] = ClassPalette.Color(k).Hex,
                ["attributes"] = Array.Empty<object>(),
            }),
            new JsonSerializerOptions { WriteIndented = true }) + "\n";

    static string Readme(AnnotationQueries queries, string root)
    {
        var text = new StringBuilder();
        text.Append($"""
            S4AL annotation queries of cycle {queries.Cycle}: {queries.Images.Count} images, {queries.Images.Sum(i => i.Regions.Count)} regions.
            Format: CVAT "Segmentation mask 1.1" (Pascal VOC layout with colour masks).

            1. In CVAT create a task with these labels (the Raw tab of the label editor takes {CvatLayout.LabelsJson}):
            {string.Concat(queries.ClassNames.Select((n, k) => $"     {n}  {ClassPalette.Color(k).Hex}\n"))}   and add the images in {CvatLayout.ImageFolder}/ (the file names must stay: CVAT matches masks to frames by name).
            2. Actions > Upload annotations > "Segmentation mask 1.1" > {CvatLayout.UploadArchive}. It holds the current
               model's prediction inside the queried regions; pixels outside them are black (unlabeled).
            3. Correct the masks inside the queried regions. Only pixels inside them are read back; anything
               painted outside is ignored, and pixels left unpainted (CVAT's black "background") stay unlabeled.
            4. Actions > Export task dataset > "Segmentation mask 1.1" and give the zip to the S4AL import
               with format "cvat".

            Regions ([top,bottom) x [left,right) in pixels) per image:

            """);
        foreach (var image in queries.Images)
            text.Append($"  {image.Name}: {string.Join("  ", image.Regions.Select(r => $"region {r.Region} [{r.Top},{r.Bottom})x[{r.Left},{r.Right})"))}\n");
        text.Append($"\nWritten to {root}.\n");
        return text.ToString();
    }
}
