using S4AL.Learning.Storage;

namespace S4AL.Annotation.Files;

/// <summary>
/// The folder an export writes. It must be new or empty: files of an earlier export left beside
/// the new ones would be imported as answers to queries that were never asked. Every file is
/// written atomically, so an interrupted export leaves whole files only.
/// </summary>
internal sealed class ExportFolder
{
    public ExportFolder(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Root = Path.GetFullPath(path);
        if (File.Exists(Root)) throw new IOException($"export folder '{Root}' is a file");
        if (Directory.Exists(Root) && Directory.EnumerateFileSystemEntries(Root).Any())
            throw new IOException($"export folder '{Root}' is not empty; export each cycle into a new folder");
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public void Write(string relative, byte[] bytes) => AtomicFile.Write(PathOf(relative), bytes);

    /// <summary>Text files use '\n' line ends, as the tools write them.</summary>
    public void WriteText(string relative, string text) => AtomicFile.WriteText(PathOf(relative), text.ReplaceLineEndings("\n"));

    /// <summary>Copies the image file under <paramref name="folder"/> as its name plus the source's extension; returns the relative path.</summary>
    public string CopyImage(QueriedImage image, string folder)
    {
        var extension = Path.GetExtension(image.ImagePath).ToLowerInvariant();
        var relative = $"{folder}/{image.Name}{extension}";
        try
        {
            using var source = File.OpenRead(image.ImagePath);
            AtomicFile.Write(PathOf(relative), target => source.CopyTo(target));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"image file '{image.ImagePath}' of image {image.Index} '{image.Name}' does not exist", image.ImagePath, e);
        }
        return relative;
    }
}
