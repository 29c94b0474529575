using S4AL.Learning.Data.Images;

namespace S4AL.Learning.Data.Datasets;

/// <summary>
/// A plain folder of images and masks: <c>root/images/*.png|jpg|jpeg</c> with
/// <c>root/masks/STEM.png</c> holding one class index per pixel (255 = ignore). Images are
/// ordered by file name. Class names come from the caller or <c>root/classes.txt</c>.
/// </summary>
public sealed class FolderDataset : FileSegmentationDataset
{
    static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg"];

    public FolderDataset(string root, IReadOnlyList<string>? classNames = null, ImageSize? resize = null,
        long cacheCapacityBytes = ImageCache.DefaultCapacityBytes, bool readMasks = true)
        : this(Resolve(root, classNames, readMasks), resize, cacheCapacityBytes, readMasks)
    {
    }

    FolderDataset((string Name, string Source, IReadOnlyList<ImageFilePair> Files, IReadOnlyList<string> Classes) layout, ImageSize? resize, long cacheCapacityBytes, bool readMasks)
        : base(layout.Name, layout.Source, layout.Files, layout.Classes, resize, cacheCapacityBytes, readMasks: readMasks)
    {
    }

    static (string, string, IReadOnlyList<ImageFilePair>, IReadOnlyList<string>) Resolve(string root, IReadOnlyList<string>? classNames, bool readMasks)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        RequireDirectory(root, "dataset folder");
        var images = RequireDirectory(Path.Combine(root, "images"), "image folder");
        // A pool labeled by people may have no mask folder at all.
        var masks = Path.Combine(root, "masks");
        if (readMasks && !Directory.Exists(masks))
            throw new DirectoryNotFoundException($"mask folder '{masks}' does not exist; a pool without masks is labeled by people: run with --annotator human");
        var classes = ClassLists.Resolve(classNames, root, null);
        var files = Directory.EnumerateFiles(images)
            .Where(p => ImageExtensions.Contains(Path.GetExtension(p), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(p => new ImageFilePair(Path.GetFileNameWithoutExtension(p), p, Path.Combine(masks, Path.GetFileNameWithoutExtension(p) + ".png")))
            .ToList();
        return ($"folder:{Path.GetFullPath(root)}", $"image folder '{images}'", files, classes);
    }
}
