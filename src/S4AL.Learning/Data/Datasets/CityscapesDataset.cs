using S4AL.Learning.Data.Images;

namespace S4AL.Learning.Data.Datasets;

/// <summary>
/// A Cityscapes split with the 19 training classes. Masks hold labelIds, mapped to trainIds
/// with the official table; every other id becomes 255. Two layouts are read:
/// <list type="bullet">
/// <item>the authors': <c>root/images/FOLDER/NAME.png</c>, <c>root/annots/FOLDER/NAME.png</c>,
/// <c>root/imagesets/SPLIT.txt</c>;</item>
/// <item>the official one: <c>root/leftImg8bit/SPLIT/CITY/STEM_leftImg8bit.png</c> with
/// <c>root/gtFine/SPLIT/CITY/STEM_gtFine_labelIds.png</c> (chosen when root/leftImg8bit exists).</item>
/// </list>
/// </summary>
public sealed class CityscapesDataset : FileSegmentationDataset
{
    /// <summary>labelId -> trainId for the 19 evaluated classes (cityscapesScripts' labels.py); other ids are ignored.</summary>
    public static IReadOnlyDictionary<byte, byte> TrainIdOfLabelId { get; } = new Dictionary<byte, byte>
    {
        [7] = 0, [8] = 1, [11] = 2, [12] = 3, [13] = 4, [17] = 5, [19] = 6, [20] = 7, [21] = 8, [22] = 9,
        [23] = 10, [24] = 11, [25] = 12, [26] = 13, [27] = 14, [28] = 15, [31] = 16, [32] = 17, [33] = 18,
    };

    /// <param name="root">The dataset folder, in either layout.</param>
    /// <param name="split">Authors' layout: the list in imagesets/; official layout: the folder under leftImg8bit/ (train, val, test).</param>
    /// <param name="resize">Size to load images at (the authors use 688x688); null keeps the files' size.</param>
    /// <param name="cacheCapacityBytes">Bound of the decoded-image cache.</param>
    /// <param name="imageFolder">Authors' layout only: the subfolder of images/ and annots/ holding the
    /// split's files. Null: "train" for splits whose name starts with "train", else "val". (The
    /// authors' script reads its "val" list from train/ and its "test" list from val/; pass
    /// "train" to reproduce their val split.)</param>
    public CityscapesDataset(string root, string split = "train", ImageSize? resize = null,
        long cacheCapacityBytes = ImageCache.DefaultCapacityBytes, string? imageFolder = null, bool readMasks = true)
        : this(Resolve(root, split, imageFolder, readMasks), resize, cacheCapacityBytes, readMasks)
    {
    }

    CityscapesDataset((string Name, string Source, IReadOnlyList<ImageFilePair> Files, bool Official) layout, ImageSize? resize, long cacheCapacityBytes, bool readMasks)
        : base(layout.Name, layout.Source, layout.Files, ClassLists.Cityscapes, resize, cacheCapacityBytes, LabelMap(), readMasks)
    {
        IsOfficialLayout = layout.Official;
    }

    /// <summary>True when the files were found in the official leftImg8bit/gtFine layout.</summary>
    public bool IsOfficialLayout { get; }

    static byte[] LabelMap()
    {
        var map = Enumerable.Repeat(SegmentationImage.IgnoreIndex, 256).ToArray();
        foreach (var (labelId, trainId) in TrainIdOfLabelId) map[labelId] = trainId;
        return map;
    }

    static (string, string, IReadOnlyList<ImageFilePair>, bool) Resolve(string root, string split, string? imageFolder, bool readMasks)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(split);
        RequireDirectory(root, "Cityscapes dataset folder");
        var full = Path.GetFullPath(root);
        if (Directory.Exists(Path.Combine(root, "leftImg8bit")))
        {
            var images = RequireDirectory(Path.Combine(root, "leftImg8bit", split), "Cityscapes image folder");
            // A pool that people label may come without any label folder.
            var labels = readMasks ? RequireDirectory(Path.Combine(root, "gtFine", split), "Cityscapes label folder") : Path.Combine(root, "gtFine", split);
            const string suffix = "_leftImg8bit.png";
            var files = Directory.EnumerateFiles(images, "*" + suffix, SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal)
                .Select(path =>
                {
                    var city = Path.GetFileName(Path.GetDirectoryName(path)!);
                    var stem = Path.GetFileName(path)[..^suffix.Length];
                    return new ImageFilePair(stem, path, Path.Combine(labels, city, stem + "_gtFine_labelIds.png"));
                })
                .ToList();
            return ($"cityscapes:{full}/{split}", $"Cityscapes folder '{images}'", files, true);
        }
        if (!Directory.Exists(Path.Combine(root, "images")))
            throw new DirectoryNotFoundException(
                $"Cityscapes dataset folder '{root}' has neither 'images/' (the authors' layout, with annots/ and imagesets/) nor 'leftImg8bit/' (the official layout, with gtFine/)");
        var folder = imageFolder ?? (split.StartsWith("train", StringComparison.Ordinal) ? "train" : "val");
        var imageDir = RequireDirectory(Path.Combine(root, "images", folder), "Cityscapes image folder");
        var annotDir = readMasks ? RequireDirectory(Path.Combine(root, "annots", folder), "Cityscapes annotation folder") : Path.Combine(root, "annots", folder);
        var listFile = Path.Combine(root, "imagesets", split + ".txt");
        var list = ReadList(listFile)
            .Select(n => new ImageFilePair(n, Path.Combine(imageDir, n + ".png"), Path.Combine(annotDir, n + ".png")))
            .ToList();
        return ($"cityscapes:{full}/{split}", $"image set list '{listFile}'", list, false);
    }
}
