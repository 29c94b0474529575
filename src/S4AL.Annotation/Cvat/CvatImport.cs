using System.Text;
using S4AL.Annotation.Files;

namespace S4AL.Annotation.Cvat;

/// <summary>
/// Reads a CVAT "Segmentation mask 1.1" export (a folder or CVAT's zip): labelmap.txt gives each
/// colour its label, SegmentationClass/&lt;name&gt;.png the colour of every pixel. The background
/// label's colour (black in CVAT) reads as unlabeled. SegmentationObject, the images and the subset
/// lists are not needed for class labels and are not read.
/// </summary>
internal static class CvatImport
{
    const int UnknownLabel = -1;

    public static Dictionary<int, byte[]> Read(AnnotationQueries queries, string path)
    {
        using var files = InputFiles.Open(path);
        if (!files.Paths.Contains(Labelmap.FileName)) files.StripSingleTopFolder();
        if (!files.Paths.Contains(Labelmap.FileName))
            throw new AnnotationImportException(files.Display(Labelmap.FileName),
                "missing: a CVAT \"Segmentation mask 1.1\" export has labelmap.txt at its root");

        var labelmapFile = files.Display(Labelmap.FileName);
        var labelmap = Labelmap.Parse(Decode(files.Read(Labelmap.FileName), labelmapFile), labelmapFile);
        var colors = ColorLabels(labelmap, queries, labelmapFile);

        var result = new Dictionary<int, byte[]>();
        var seen = new Dictionary<int, string>();
        var prefix = CvatLayout.ClassFolder + "/";
        foreach (var relative in files.Paths.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var file = files.Display(relative);
            if (!relative.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                throw new AnnotationImportException(file, $"{CvatLayout.ClassFolder}/ holds only PNG class masks");
            var image = MatchImage(queries, relative[prefix.Length..^4], file);
            if (!seen.TryAdd(image.Index, relative))
                throw new AnnotationImportException(file, $"a second mask of image '{image.Name}' (the first is {seen[image.Index]})");
            var raster = PngInput.DecodeRgb(files, relative, PngInput.ReadChecked(files, relative, image));
            if (Labels(image, raster.Pixels, colors, labelmap, file) is { } labels) result[image.Index] = labels;
        }
        return result;
    }

    /// <summary>CVAT names a mask by the frame's file stem; frames uploaded inside folders keep the folder in it.</summary>
    static QueriedImage MatchImage(AnnotationQueries queries, string id, string file) =>
        queries.FindByName(id)
        ?? (id.Contains('/') ? queries.FindByName(id[(id.LastIndexOf('/') + 1)..]) : null)
        ?? throw new AnnotationImportException(file, $"image '{id}' is not among the queries of cycle {queries.Cycle}");

    /// <summary>Colour (as <see cref="Rgb.Key"/>) to class index, <see cref="AnnotationQueries.Unlabeled"/> for the background, or -1 - label for labels that are not classes.</summary>
    static Dictionary<int, int> ColorLabels(Labelmap labelmap, AnnotationQueries queries, string file)
    {
        var background = labelmap.Background;
        var colors = new Dictionary<int, int>();
        for (int n = 0; n < labelmap.Labels.Count; n++)
        {
            var label = labelmap.Labels[n];
            if (label.Color is not { } color)
                throw new AnnotationImportException(file, $"label '{label.Name}' has no colour; masks cannot be read without one");
            int classIndex = queries.ClassIndexOf(label.Name);
            if (label == background && classIndex >= 0)
                throw new AnnotationImportException(file,
                    $"class '{label.Name}' is the background label (colour {color}) that CVAT also paints unlabeled pixels with, so its labels cannot be told from unlabeled pixels");
            int value = label == background ? AnnotationQueries.Unlabeled : classIndex >= 0 ? classIndex : UnknownLabel - n;
            if (!colors.TryAdd(color.Key, value))
                throw new AnnotationImportException(file, $"label '{label.Name}' has colour {color}, which another label has too");
        }
        return colors;
    }

    static byte[]? Labels(QueriedImage image, byte[] rgb, Dictionary<int, int> colors, Labelmap labelmap, string file)
    {
        var labels = new byte[image.Height * image.Width];
        for (int i = 0; i < labels.Length; i++)
        {
            var color = new Rgb(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
            if (!colors.TryGetValue(color.Key, out var value))
                throw new AnnotationImportException(file, $"pixel (x={i % image.Width}, y={i / image.Width}) has colour {color}, which {Labelmap.FileName} gives no label");
            if (value < 0)
                throw new AnnotationImportException(file,
                    $"pixel (x={i % image.Width}, y={i / image.Width}) has the colour of label '{labelmap.Labels[UnknownLabel - value].Name}', which is not a class of the queries");
            labels[i] = (byte)value;
        }
        return RegionLabels.Keep(image, labels);
    }

    static string Decode(byte[] bytes, string file)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException e)
        {
            throw new AnnotationImportException(file, "not UTF-8 text", e);
        }
    }
}
