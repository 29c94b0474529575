using S4AL.Annotation.Cvat;
using S4AL.Annotation.LabelStudio;
using S4AL.Annotation.Masks;

namespace S4AL.Annotation;

/// <summary>
/// Reads what people labeled in an annotation tool's file back into labels of the queried regions.
/// The whole file is read and checked before anything is returned, so a caller that stores the
/// result stores all of it or, on <see cref="AnnotationImportException"/>, nothing.
/// </summary>
public static class AnnotationImport
{
    /// <summary>
    /// Image index to Height*Width labels: 255 everywhere except the pixels inside that image's
    /// queried regions that the file labels. Images the file does not cover, or covers without a
    /// labeled pixel inside their regions, are left out. Labels outside the regions are ignored.
    /// </summary>
    /// <param name="path">cvat: CVAT's export zip or its unpacked folder; label-studio: Label Studio's JSON export; masks: the folder or a zip of it.</param>
    public static IReadOnlyDictionary<int, byte[]> Read(AnnotationFormat format, AnnotationQueries queries, string path)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        queries.Validate();
        return format switch
        {
            AnnotationFormat.Cvat => CvatImport.Read(queries, path),
            AnnotationFormat.LabelStudio => LabelStudioImport.Read(queries, path),
            AnnotationFormat.Masks => MaskImport.Read(queries, path),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown annotation format"),
        };
    }
}
