using S4AL.Learning.Data.Images;

namespace S4AL.Annotation.Files;

/// <summary>
/// Reads an annotation PNG and checks it against its query from the 33-byte header, before any
/// pixel is decoded: a header declaring 100000x100000 would otherwise make the decoder allocate
/// tens of gigabytes. Decoding errors become <see cref="AnnotationImportException"/>s.
/// </summary>
internal static class PngInput
{
    public static byte[] ReadChecked(InputFiles files, string relative, QueriedImage image)
    {
        var bytes = files.Read(relative);
        var header = PngHeader.TryRead(bytes)
            ?? throw new AnnotationImportException(files.Display(relative), "not a PNG file (annotation masks must be lossless PNGs)");
        if (header.Width != image.Width || header.Height != image.Height)
            throw new AnnotationImportException(files.Display(relative),
                $"the PNG header declares {header.Width}x{header.Height} (width x height), but image {image.Index} '{image.Name}' was queried at {image.Width}x{image.Height}");
        return bytes;
    }

    public static ImageRaster DecodeRgb(InputFiles files, string relative, byte[] bytes) =>
        Decode(files, relative, () => ImageFiles.DecodeRgb(bytes, files.Display(relative)));

    public static ImageRaster DecodeLabels(InputFiles files, string relative, byte[] bytes) =>
        Decode(files, relative, () => ImageFiles.DecodeLabels(bytes, files.Display(relative)));

    static ImageRaster Decode(InputFiles files, string relative, Func<ImageRaster> decode)
    {
        try
        {
            return decode();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            throw new AnnotationImportException(files.Display(relative), e.Message, e);
        }
    }
}
