using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using S4AL.Annotation.Files;
using S4AL.Learning.Storage;

namespace S4AL.Annotation.LabelStudio;

/// <summary>
/// Writes Label Studio tasks (tasks.json), the labeling configuration they need
/// (labeling-config.xml) and the images. Each task carries one prediction: per queried region and
/// class present in it, a brush mask of the prediction inside the region, and per region a
/// rectangle showing where to work. Pixels without a brush are unlabeled.
/// </summary>
internal static class LabelStudioExport
{
    public static void Write(AnnotationQueries queries, ExportFolder folder)
    {
        var folderName = Path.GetFileName(folder.Root);
        AtomicFile.Write(folder.PathOf(LabelStudioLayout.TasksFile), stream =>
        {
            using var json = new Utf8JsonWriter(stream);
            json.WriteStartArray();
            foreach (var image in queries.Images)
            {
                var relative = folder.CopyImage(image, LabelStudioLayout.ImageFolder);
                // Label Studio serves local files by their path below its document root (README.txt).
                var path = string.Join('/', $"{folderName}/{relative}".Split('/').Select(Uri.EscapeDataString));
                WriteTask(json, queries, image, $"/data/local-files/?d={path}");
            }
            json.WriteEndArray();
        });
        folder.WriteText(LabelStudioLayout.ConfigFile, LabelingConfig(queries));
        folder.WriteText("README.txt", Readme(queries, folder.Root));
    }

    static void WriteTask(Utf8JsonWriter json, AnnotationQueries queries, QueriedImage image, string url)
    {
        json.WriteStartObject();
        json.WriteStartObject("data");
        json.WriteString(LabelStudioLayout.ImageName, url);
        json.WriteString(LabelStudioLayout.ImageKey, image.Name);
        json.WriteNumber(LabelStudioLayout.CycleKey, queries.Cycle);
        json.WriteEndObject();
        json.WriteStartArray("predictions");
        json.WriteStartObject();
        json.WriteString("model_version", $"s4al-cycle-{queries.Cycle}");
        json.WriteStartArray("result");
        var canvas = new byte[image.Height * image.Width * LabelStudioLayout.Channels];
        foreach (var region in image.Regions)
        {
            WriteRectangle(json, image, region);
            if (image.Prediction is not { } prediction) continue;
            foreach (var classIndex in ClassesIn(region, image, prediction))
            {
                Array.Clear(canvas);
                for (int y = region.Top; y < region.Bottom; y++)
                    for (int x = region.Left; x < region.Right; x++)
                        if (prediction[y * image.Width + x] == classIndex)
                            canvas.AsSpan((y * image.Width + x) * LabelStudioLayout.Channels, LabelStudioLayout.Channels).Fill(255);
                WriteBrush(json, image, $"r{region.Region}-c{classIndex}", queries.ClassNames[classIndex], BrushRle.Encode(canvas));
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    static IEnumerable<int> ClassesIn(QueriedRegion region, QueriedImage image, byte[] prediction)
    {
        var present = new SortedSet<int>();
        for (int y = region.Top; y < region.Bottom; y++)
            for (int x = region.Left; x < region.Right; x++)
                if (prediction[y * image.Width + x] != AnnotationQueries.Unlabeled) present.Add(prediction[y * image.Width + x]);
        return present;
    }

    /// <summary>A brush result as brush.py's image2annotation writes one: all four channels carry the mask (255), as the editor writes them.</summary>
    static void WriteBrush(Utf8JsonWriter json, QueriedImage image, string id, string className, byte[] rle)
    {
        StartResult(json, image, id, LabelStudioLayout.BrushType, LabelStudioLayout.BrushName);
        json.WriteString("format", "rle");
        json.WriteStartArray("rle");
        foreach (var b in rle) json.WriteNumberValue(b);
        json.WriteEndArray();
        json.WriteStartArray(LabelStudioLayout.BrushType);
        json.WriteStringValue(className);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Label Studio places rectangles in percent of the image size.</summary>
    static void WriteRectangle(Utf8JsonWriter json, QueriedImage image, QueriedRegion region)
    {
        StartResult(json, image, $"r{region.Region}", LabelStudioLayout.RectangleType, LabelStudioLayout.RegionName);
        json.WriteNumber("x", 100.0 * region.Left / image.Width);
        json.WriteNumber("y", 100.0 * region.Top / image.Height);
        json.WriteNumber("width", 100.0 * (region.Right - region.Left) / image.Width);
        json.WriteNumber("height", 100.0 * (region.Bottom - region.Top) / image.Height);
        json.WriteNumber("rotation", 0);
        json.WriteStartArray(LabelStudioLayout.RectangleType);
        json.WriteStringValue(LabelStudioLayout.RegionLabel);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Opens a result and its value: the fields every region of an image has.</summary>
    static void StartResult(Utf8JsonWriter json, QueriedImage image, string id, string type, string fromName)
    {
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("type", type);
        json.WriteString("from_name", fromName);
        json.WriteString("to_name", LabelStudioLayout.ImageName);
        json.WriteNumber("original_width", image.Width);
        json.WriteNumber("original_height", image.Height);
        json.WriteNumber("image_rotation", 0);
        json.WriteStartObject("value");
    }

    /// <summary>
    /// The labeling configuration: an image, brush labels for the classes (in our palette) and
    /// rectangle labels that only show the regions (as in the example of the converter's
    /// tests/test_brush.py and labelstud.io/tags/brushlabels).
    /// </summary>
    static string LabelingConfig(AnnotationQueries queries)
    {
        var view = new XElement("View",
            new XElement("Header", new XAttribute("value", $"S4AL cycle {queries.Cycle}: paint the pixels inside the {LabelStudioLayout.RegionLabel} rectangles")),
            new XElement("Image", new XAttribute("name", LabelStudioLayout.ImageName), new XAttribute("value", "$" + LabelStudioLayout.ImageName), new XAttribute("zoom", "true")),
            new XElement("BrushLabels", new XAttribute("name", LabelStudioLayout.BrushName), new XAttribute("toName", LabelStudioLayout.ImageName),
                queries.ClassNames.Select((name, k) =>
                    new XElement("Label", new XAttribute("value", name), new XAttribute("background", ClassPalette.Color(k).Hex)))),
            new XElement("RectangleLabels", new XAttribute("name", LabelStudioLayout.RegionName), new XAttribute("toName", LabelStudioLayout.ImageName),
                new XElement("Label", new XAttribute("value", LabelStudioLayout.RegionLabel), new XAttribute("background", "#ffff00"))));
        return view.ToString() + "\n";
    }

    static string Readme(AnnotationQueries queries, string root)
    {
        var parent = Path.GetDirectoryName(root) ?? root;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"""
            S4AL annotation queries of cycle {queries.Cycle}: {queries.Images.Count} images, {queries.Images.Sum(i => i.Regions.Count)} regions.
            Format: Label Studio tasks ({LabelStudioLayout.TasksFile}) with the current model's prediction as brush
            masks inside the queried regions, and the labeling configuration ({LabelStudioLayout.ConfigFile}).

            1. Let Label Studio serve the images from this folder (local files; the task URLs are
               /data/local-files/?d={Path.GetFileName(root)}/{LabelStudioLayout.ImageFolder}/<file>, relative to the document root):
                 LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED=true \
                 LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT={parent} \
                 label-studio start
            2. Create a project; Settings > Labeling Interface > Code: paste {LabelStudioLayout.ConfigFile}.
            3. Settings > Cloud Storage > Add Source Storage > Local files, absolute path
               {Path.Combine(root, LabelStudioLayout.ImageFolder)}
               (this grants access to the images; do not sync it, the tasks come from the next step).
            4. Import {LabelStudioLayout.TasksFile}. Each task shows the queried regions as "{LabelStudioLayout.RegionLabel}"
               rectangles and the prediction inside them; correct the brushes inside the rectangles and submit.
               Only pixels inside the regions are read back; unpainted pixels stay unlabeled.
            5. Export > JSON, and give that file to the S4AL import with format "label-studio".
               The latest submitted (not skipped) annotation of each task is used.

            Written to {root}.

            """);
        return text.ToString();
    }
}
