using System.Security.Cryptography;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Regions;

namespace S4AL.Learning.Data.Labels;

/// <summary>A region's label as stored: the hash the journal records and how many pixels carry a class.</summary>
public readonly record struct StoredRegionLabel(string Sha256, int LabeledPixels);

/// <summary>
/// The run folder's label store (human annotator): one 8-bit grayscale PNG per pool image,
/// <c>labels/NNNNN.png</c> at the dataset's working size, holding a class index per labeled
/// pixel and 255 elsewhere. Writes are atomic and serialised across processes by a lock file,
/// so an import and the annotation page may label regions of the same image at once. The
/// journal, not this folder, says which regions are labeled: a region whose label was written
/// but not yet recorded (a crash in between) is still queried and its next label overwrites it.
/// </summary>
public sealed class LabelStore
{
    public const string FolderName = "labels";
    const string LockName = ".lock";
    static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);

    public LabelStore(string runDirectory, RegionGrid grid, int numClasses)
    {
        if (numClasses is < 1 or > 255) throw new ArgumentOutOfRangeException(nameof(numClasses), $"{numClasses} classes: a label store holds 1 to 255");
        Folder = Path.Combine(Path.GetFullPath(runDirectory), FolderName);
        Grid = grid;
        NumClasses = numClasses;
    }

    public string Folder { get; }
    public RegionGrid Grid { get; }
    public int NumClasses { get; }

    public string PathOf(int image) => Path.Combine(Folder, $"{image:D5}.png");

    /// <summary>The image's labels (Height x Width, 255 where nothing is labeled; all 255 without a file).</summary>
    public byte[] Read(int image)
    {
        var path = PathOf(image);
        if (!File.Exists(path)) return Unlabeled();
        var raster = ImageFiles.ReadLabels(path);
        if (raster.Height != Grid.Height || raster.Width != Grid.Width)
            throw new InvalidDataException($"label file '{path}' is {raster.Height}x{raster.Width}, but the experiment's images are {Grid.Height}x{Grid.Width}");
        return raster.Pixels;
    }

    /// <summary>
    /// The pixels of <paramref name="region"/> of <paramref name="image"/> (row-major inside the
    /// region's bounds), as <see cref="Store"/> takes them and <see cref="Hash"/> hashes them.
    /// </summary>
    public byte[] ReadRegion(int image, int region) => Cut(Read(image), region);

    /// <summary>
    /// Checks a region's mask (its size and every value: a class index or 255, naming the first
    /// bad pixel), writes it into the image's file and returns what the journal records. The
    /// file is written before this returns; nothing is written when the mask is refused.
    /// </summary>
    public StoredRegionLabel Store(int image, int region, ReadOnlySpan<byte> mask, string source)
    {
        var (top, bottom, left, right) = Grid.Bounds(region);
        int h = bottom - top, w = right - left;
        if (mask.Length != h * w)
            throw new InvalidDataException($"{source}: the label of region {image}:{region} has {mask.Length} pixels, but the region is {h}x{w} ({h * w} pixels)");
        int labeled = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            if (mask[i] == SegmentationImage.IgnoreIndex) continue;
            if (mask[i] >= NumClasses)
                throw new InvalidDataException($"{source}: the label of region {image}:{region} has value {mask[i]} at pixel (x={left + i % w}, y={top + i / w}); values must be 0..{NumClasses - 1} or 255 (not labeled)");
            labeled++;
        }
        var copy = mask.ToArray();
        using (Lock())
        {
            var labels = Read(image);
            for (int y = 0; y < h; y++) copy.AsSpan(y * w, w).CopyTo(labels.AsSpan((top + y) * Grid.Width + left, w));
            ImageFiles.WriteLabelPng(PathOf(image), Grid.Height, Grid.Width, labels);
        }
        return new StoredRegionLabel(Hash(copy), labeled);
    }

    /// <summary>
    /// Writes an image labeled in full (a start label: class index or 255 per pixel at the
    /// experiment's image size), checking every value first; nothing is written when one is wrong.
    /// </summary>
    public void StoreImage(int image, byte[] labels, string source)
    {
        if (labels.Length != Grid.Height * Grid.Width)
            throw new InvalidDataException($"{source}: {labels.Length} pixels, but the experiment's images are {Grid.Height}x{Grid.Width}");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] != SegmentationImage.IgnoreIndex && labels[i] >= NumClasses)
                throw new InvalidDataException($"{source}: value {labels[i]} at pixel (x={i % Grid.Width}, y={i / Grid.Width}); values must be 0..{NumClasses - 1} or 255 (not labeled)");
        using (Lock()) ImageFiles.WriteLabelPng(PathOf(image), Grid.Height, Grid.Width, labels);
    }

    /// <summary>SHA-256 of a region's mask, 64 lower-case hex digits.</summary>
    public static string Hash(ReadOnlySpan<byte> mask) => Convert.ToHexStringLower(SHA256.HashData(mask));

    /// <summary>The region's pixels of a whole-image label array.</summary>
    public byte[] Cut(byte[] labels, int region)
    {
        var (top, bottom, left, right) = Grid.Bounds(region);
        int w = right - left;
        var cut = new byte[(bottom - top) * w];
        for (int y = top; y < bottom; y++) labels.AsSpan(y * Grid.Width + left, w).CopyTo(cut.AsSpan((y - top) * w, w));
        return cut;
    }

    byte[] Unlabeled()
    {
        var labels = new byte[Grid.Height * Grid.Width];
        labels.AsSpan().Fill(SegmentationImage.IgnoreIndex);
        return labels;
    }

    /// <summary>An exclusive lock on the store, across processes (a file opened without sharing), waited for with a bound.</summary>
    IDisposable Lock()
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, LockName);
        var deadline = DateTime.UtcNow + LockTimeout;
        for (int wait = 5; ; wait = Math.Min(wait * 2, 200))
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(wait); }
            catch (IOException e) { throw new IOException($"the label store '{Folder}' stayed locked for {LockTimeout.TotalSeconds:0} s (another s4al process writing labels?): {e.Message}", e); }
        }
    }
}
