using S4AL.Learning.Data.Images;

namespace S4AL.Learning.Data.Datasets;

/// <summary>
/// A split in the authors' CamVid layout: <c>root/images/NAME.png</c>,
/// <c>root/annots/NAME.png</c> (one class index per pixel) and
/// <c>root/imagesets/SPLIT.txt</c> (one NAME a line). Works for any class count: the names
/// come from the caller, else <c>root/classes.txt</c>, else the 11 CamVid classes.
/// </summary>
public sealed class CamVidDataset : FileSegmentationDataset
{
    /// <summary>The value CamVid's annots use for void pixels; the authors map it to 255.</summary>
    public const byte CamVidVoidValue = 11;

    /// <param name="root">The dataset folder.</param>
    /// <param name="split">Name of the list in imagesets/ (train, val, test, or any other list).</param>
    /// <param name="classNames">Class names; null: root/classes.txt, else the CamVid classes.</param>
    /// <param name="resize">Size to load images at; null keeps the files' size.</param>
    /// <param name="cacheCapacityBytes">Bound of the decoded-image cache.</param>
    /// <param name="voidValue">A mask value that means "ignore" and becomes 255. Null: 11 (CamVid's
    /// void) when there are at most 11 classes, so 11 can never be a class; none otherwise.</param>
    public CamVidDataset(string root, string split = "train", IReadOnlyList<string>? classNames = null, ImageSize? resize = null,
        long cacheCapacityBytes = ImageCache.DefaultCapacityBytes, byte? voidValue = null, bool readMasks = true)
        : this(Layout.Resolve(root, split, classNames, voidValue, readMasks), resize, cacheCapacityBytes, readMasks)
    {
    }

    CamVidDataset(Layout layout, ImageSize? resize, long cacheCapacityBytes, bool readMasks)
        : base($"camvid:{layout.Root}/{layout.Split}", $"image set list '{layout.ListFile}'", layout.Files, layout.ClassNames, resize, cacheCapacityBytes, layout.LabelMap, readMasks)
    {
        VoidValue = layout.VoidValue;
    }

    /// <summary>The mask value read as ignore (255), if any.</summary>
    public byte? VoidValue { get; }

    /// <summary>The image-set list of a split: root/imagesets/SPLIT.txt.</summary>
    public static string ListFile(string root, string split) => Path.Combine(root, "imagesets", split + ".txt");

    sealed record Layout(string Root, string Split, string ListFile, IReadOnlyList<ImageFilePair> Files, IReadOnlyList<string> ClassNames, byte? VoidValue, byte[]? LabelMap)
    {
        public static Layout Resolve(string root, string split, IReadOnlyList<string>? classNames, byte? voidValue, bool readMasks)
        {
            ArgumentException.ThrowIfNullOrEmpty(root);
            ArgumentException.ThrowIfNullOrEmpty(split);
            RequireDirectory(root, "CamVid dataset folder");
            var images = RequireDirectory(Path.Combine(root, "images"), "CamVid images folder");
            // A pool that people label may come without any annotation.
            var annots = readMasks ? RequireDirectory(Path.Combine(root, "annots"), "CamVid annotations folder") : Path.Combine(root, "annots");
            var listFile = CamVidDataset.ListFile(root, split);
            var names = ReadList(listFile);
            var classes = ClassLists.Resolve(classNames, root, ClassLists.CamVid);
            byte? voidV = voidValue ?? (classes.Count <= CamVidVoidValue ? CamVidVoidValue : null);
            byte[]? map = null;
            if (voidV is { } v)
            {
                map = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
                map[v] = SegmentationImage.IgnoreIndex;
            }
            var files = names.Select(n => new ImageFilePair(n, Path.Combine(images, n + ".png"), Path.Combine(annots, n + ".png"))).ToList();
            return new Layout(Path.GetFullPath(root), split, listFile, files, classes, voidV, map);
        }
    }
}
