using S4AL.Annotation.Files;

namespace S4AL.Annotation.Masks;

/// <summary>
/// Reads the masks format (<see cref="MaskExport"/>): every PNG at the top of the folder or zip is
/// the mask of the image of that name; files in subfolders (images/) and other files are not read.
/// </summary>
internal static class MaskImport
{
    public static Dictionary<int, byte[]> Read(AnnotationQueries queries, string path)
    {
        using var files = InputFiles.Open(path);
        if (!files.Paths.Any(IsMask)) files.StripSingleTopFolder();
        var result = new Dictionary<int, byte[]>();
        foreach (var relative in files.Paths.Where(IsMask))
        {
            var file = files.Display(relative);
            var name = relative[..^4];
            var image = queries.FindByName(name)
                ?? throw new AnnotationImportException(file, $"image '{name}' is not among the queries of cycle {queries.Cycle}");
            var raster = PngInput.DecodeLabels(files, relative, PngInput.ReadChecked(files, relative, image));
            var labels = raster.Pixels;
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] >= queries.ClassNames.Count && labels[i] != AnnotationQueries.Unlabeled)
                    throw new AnnotationImportException(file,
                        $"pixel (x={i % image.Width}, y={i / image.Width}) is {labels[i]}, not a class index below {queries.ClassNames.Count} or {AnnotationQueries.Unlabeled} (unlabeled)");
            if (RegionLabels.Keep(image, labels) is { } kept) result[image.Index] = kept;
        }
        return result;
    }

    static bool IsMask(string relative) =>
        !relative.Contains('/') && relative.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
}
