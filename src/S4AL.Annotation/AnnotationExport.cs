using S4AL.Annotation.Cvat;
using S4AL.Annotation.Files;
using S4AL.Annotation.LabelStudio;
using S4AL.Annotation.Masks;

namespace S4AL.Annotation;

/// <summary>
/// Writes a cycle's queries for an annotation tool: the images, the regions to label and the
/// current prediction inside them as pre-annotation, plus a README.txt saying how to load the
/// folder into the tool and what to give back to <see cref="AnnotationImport"/>.
/// </summary>
public static class AnnotationExport
{
    /// <summary>
    /// Writes into <paramref name="outDir"/>, which must be new or empty. Invalid queries throw
    /// <see cref="ArgumentException"/>, a missing image file <see cref="FileNotFoundException"/>.
    /// </summary>
    public static void Write(AnnotationFormat format, AnnotationQueries queries, string outDir)
    {
        ArgumentNullException.ThrowIfNull(queries);
        queries.Validate();
        var folder = new ExportFolder(outDir);
        switch (format)
        {
            case AnnotationFormat.Cvat: CvatExport.Write(queries, folder); break;
            case AnnotationFormat.LabelStudio: LabelStudioExport.Write(queries, folder); break;
            case AnnotationFormat.Masks: MaskExport.Write(queries, folder); break;
            default: throw new ArgumentOutOfRangeException(nameof(format), format, "unknown annotation format");
        }
    }
}
