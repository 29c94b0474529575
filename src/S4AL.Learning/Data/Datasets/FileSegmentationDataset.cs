using S4AL.Learning.Data.Images;

namespace S4AL.Learning.Data.Datasets;

/// <summary>One image of a file-based dataset: its id and the paths of its image and its label mask.</summary>
public readonly record struct ImageFilePair(string Id, string ImagePath, string MaskPath);

/// <summary>
/// Base of the file-based datasets. File existence is checked when the dataset is built
/// (a typo in a list fails at once, not hours into training); pixels are decoded lazily
/// on <see cref="Get"/>, validated, resized, and kept in a bounded cache.
/// </summary>
public abstract class FileSegmentationDataset : ISegmentationDataset
{
    readonly ImageSize? _resize;
    readonly byte[] _labelMap;
    readonly bool[] _invalidRaw = new bool[256];
    readonly ImageCache _cache;
    readonly bool _readMasks;

    /// <param name="name">Human-readable name of the split.</param>
    /// <param name="source">What listed the files (a list file or folder), for error messages.</param>
    /// <param name="files">The images in index order.</param>
    /// <param name="classNames">Class names; mask values (after <paramref name="labelMap"/>) must be below their count or 255.</param>
    /// <param name="resize">Size every image is resized to; null keeps the files' size, which must then be the same for all.</param>
    /// <param name="cacheCapacityBytes">Bound of the decoded-image cache.</param>
    /// <param name="labelMap">256 entries mapping a stored mask value to a class index or 255; null keeps values as stored.</param>
    /// <param name="readMasks">
    /// False: the masks are never opened, not even checked for existence, and every pixel reads
    /// as 255 (a pool that people label: its labels come from the run folder's label store).
    /// </param>
    protected FileSegmentationDataset(string name, string source, IReadOnlyList<ImageFilePair> files, IReadOnlyList<string> classNames,
        ImageSize? resize, long cacheCapacityBytes, byte[]? labelMap = null, bool readMasks = true)
    {
        if (files.Count == 0) throw new InvalidDataException($"{source} has no images");
        if (labelMap != null && labelMap.Length != 256) throw new ArgumentException($"the label map has {labelMap.Length} entries, expected 256", nameof(labelMap));
        ClassNames = ClassLists.Validate(classNames, $"dataset {name}");
        var missing = files.SelectMany(f => (readMasks ? new[] { f.ImagePath, f.MaskPath } : [f.ImagePath]).Where(p => !File.Exists(p)).Select(p => (f.Id, Path: p, IsMask: p == f.MaskPath))).ToList();
        if (missing.Count > 0)
        {
            var (id, path, isMask) = missing[0];
            string more = missing.Count > 1 ? $" ({missing.Count - 1} more missing, e.g. '{string.Join("', '", missing.Skip(1).Take(3).Select(m => m.Path))}')" : "";
            string hint = isMask ? "; a pool whose images are not all labeled is labeled by people: run with --annotator human" : "";
            throw new FileNotFoundException($"image '{id}' from {source}: file '{path}' does not exist{more}{hint}", path);
        }
        var duplicate = files.GroupBy(f => f.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) throw new InvalidDataException($"{source}: image '{duplicate.Key}' is listed more than once");

        Name = name;
        Files = files.ToArray();
        _readMasks = readMasks;
        _resize = resize;
        var size = resize ?? ImageFiles.ReadSize(Files[0].ImagePath);
        Height = size.Height;
        Width = size.Width;
        _labelMap = labelMap?.ToArray() ?? Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        for (int raw = 0; raw < 256; raw++)
            _invalidRaw[raw] = _labelMap[raw] != SegmentationImage.IgnoreIndex && _labelMap[raw] >= ClassNames.Count;
        _cache = new ImageCache(cacheCapacityBytes);
    }

    public string Name { get; }
    public int Count => Files.Count;
    public int Height { get; }
    public int Width { get; }
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>The image and mask files, in index order.</summary>
    public IReadOnlyList<ImageFilePair> Files { get; }
    /// <summary>Bytes of decoded images currently cached.</summary>
    public long CachedBytes => _cache.SizeBytes;

    public SegmentationImage Get(int index)
    {
        if ((uint)index >= (uint)Files.Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"image {index} is outside dataset {Name} of {Files.Count} images");
        if (_cache.TryGet(index, out var cached)) return cached;
        return _cache.Add(index, Load(Files[index]));
    }

    SegmentationImage Load(ImageFilePair file)
    {
        var image = ImageFiles.ReadRgb(file.ImagePath);
        var mask = _readMasks ? ImageFiles.ReadLabels(file.MaskPath) : Unlabeled(image.Height, image.Width);
        if (image.Height != mask.Height || image.Width != mask.Width)
            throw new InvalidDataException($"image '{file.ImagePath}' is {image.Height}x{image.Width} but its mask '{file.MaskPath}' is {mask.Height}x{mask.Width}");
        if (_resize == null && (image.Height != Height || image.Width != Width))
            throw new InvalidDataException(
                $"image '{file.ImagePath}' is {image.Height}x{image.Width} but dataset {Name} has {Height}x{Width} images (the size of '{Files[0].ImagePath}'); " +
                "give a resize size so that every image is loaded at one size");

        // Validate at the file's own resolution so the reported position is a pixel of the file.
        var labels = mask.Pixels;
        for (int i = 0; i < labels.Length; i++)
        {
            byte raw = labels[i];
            if (_invalidRaw[raw])
                throw new InvalidDataException(
                    $"mask '{file.MaskPath}' has label value {raw} at pixel (x={i % mask.Width}, y={i / mask.Width})" +
                    (_labelMap[raw] != raw ? $" (mapped to {_labelMap[raw]})" : "") +
                    $", but dataset {Name} has {ClassNames.Count} classes: values must be 0..{ClassNames.Count - 1} or 255 (ignore)");
            labels[i] = _labelMap[raw];
        }

        byte[] rgb = image.Pixels;
        if (image.Height != Height || image.Width != Width)
        {
            rgb = Resampling.Bilinear(rgb, image.Height, image.Width, 3, Height, Width);
            labels = Resampling.Nearest(labels, mask.Height, mask.Width, 1, Height, Width);
        }
        return new SegmentationImage(file.Id, Height, Width, rgb, labels);
    }

    static ImageRaster Unlabeled(int height, int width)
    {
        var labels = new byte[height * width];
        labels.AsSpan().Fill(SegmentationImage.IgnoreIndex);
        return new ImageRaster(height, width, 1, labels);
    }

    /// <summary>Throws an error naming the folder (and what it is for) if it does not exist.</summary>
    protected static string RequireDirectory(string path, string what)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{what} '{path}' does not exist");
        return path;
    }

    /// <summary>Reads an image-set list (one name per line, blank lines skipped), naming the file on error.</summary>
    protected static IReadOnlyList<string> ReadList(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"image set list '{path}' does not exist", path);
        try
        {
            return File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read image set list '{path}': {e.Message}", e);
        }
    }
}
