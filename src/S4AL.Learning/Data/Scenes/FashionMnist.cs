using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Compression;

namespace S4AL.Learning.Data.Scenes;

/// <summary>The two Fashion-MNIST splits: 60000 training and 10000 test items.</summary>
public enum FashionMnistSplit { Train, Test }

/// <summary>
/// Fashion-MNIST items (28x28 grayscale, 10 classes) read from the IDX files that the
/// Debian package dataset-fashion-mnist installs. Loaded once per folder and split.
/// </summary>
public sealed class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The 10 item classes, indexed by the label stored in the files.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];

    static readonly ConcurrentDictionary<(string, FashionMnistSplit), Lazy<FashionMnist>> Loaded = new();

    readonly byte[] _pixels;
    readonly int[][] _byClass;

    FashionMnist(int rows, int columns, byte[] pixels, byte[] labels, string labelPath)
    {
        Rows = rows;
        Columns = columns;
        _pixels = pixels;
        Labels = labels;
        var lists = Enumerable.Range(0, ClassNames.Count).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= ClassNames.Count)
                throw new InvalidDataException($"Fashion-MNIST label file '{labelPath}': item {i} has label {labels[i]}, expected 0..{ClassNames.Count - 1}");
            lists[labels[i]].Add(i);
        }
        _byClass = lists.Select(l => l.ToArray()).ToArray();
    }

    public int Count => Labels.Count;
    public int Rows { get; }
    public int Columns { get; }
    public IReadOnlyList<byte> Labels { get; }

    /// <summary>Indices of the items of one class.</summary>
    public IReadOnlyList<int> ItemsOfClass(int label) => _byClass[label];

    /// <summary>The grayscale pixels of item <paramref name="index"/>, row-major Rows*Columns.</summary>
    public ReadOnlySpan<byte> Item(int index) => _pixels.AsSpan(index * Rows * Columns, Rows * Columns);

    public static string ImageFile(string directory, FashionMnistSplit split) =>
        Path.Combine(directory, $"{Prefix(split)}-images-idx3-ubyte.gz");

    public static string LabelFile(string directory, FashionMnistSplit split) =>
        Path.Combine(directory, $"{Prefix(split)}-labels-idx1-ubyte.gz");

    /// <summary>Loads a split (cached per folder and split; files are only read once per process).</summary>
    public static FashionMnist Load(FashionMnistSplit split, string? directory = null)
    {
        var dir = Path.GetFullPath(directory ?? DefaultDirectory);
        var lazy = Loaded.GetOrAdd((dir, split), key => new Lazy<FashionMnist>(() => Read(key.Item1, key.Item2)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Do not cache a failure: the user may install the package and try again.
            Loaded.TryRemove(new KeyValuePair<(string, FashionMnistSplit), Lazy<FashionMnist>>((dir, split), lazy));
            throw;
        }
    }

    static FashionMnist Read(string directory, FashionMnistSplit split)
    {
        var imagePath = ImageFile(directory, split);
        var labelPath = LabelFile(directory, split);
        foreach (var path in new[] { imagePath, labelPath })
            if (!File.Exists(path))
                throw new FileNotFoundException(
                    $"Fashion-MNIST file '{path}' does not exist. Install it with `apt-get install dataset-fashion-mnist` " +
                    $"(which provides {DefaultDirectory}) or point the dataset at a folder holding {Path.GetFileName(imagePath)} and {Path.GetFileName(labelPath)}.", path);
        var (imageDims, pixels) = Idx.ReadUBytes(imagePath);
        var (labelDims, labels) = Idx.ReadUBytes(labelPath);
        if (imageDims.Length != 3) throw new InvalidDataException($"Fashion-MNIST image file '{imagePath}' has {imageDims.Length} dimensions, expected 3 (items, rows, columns)");
        if (labelDims.Length != 1) throw new InvalidDataException($"Fashion-MNIST label file '{labelPath}' has {labelDims.Length} dimensions, expected 1");
        if (imageDims[0] != labelDims[0])
            throw new InvalidDataException($"Fashion-MNIST files disagree: '{imagePath}' holds {imageDims[0]} items but '{labelPath}' holds {labelDims[0]} labels");
        if (imageDims[0] == 0) throw new InvalidDataException($"Fashion-MNIST image file '{imagePath}' holds no items");
        return new FashionMnist(imageDims[1], imageDims[2], pixels, labels, labelPath);
    }

    static string Prefix(FashionMnistSplit split) => split == FashionMnistSplit.Train ? "train" : "t10k";
}

/// <summary>The IDX format of (Fashion-)MNIST, unsigned-byte data only, optionally gzip-compressed.</summary>
public static class Idx
{
    /// <summary>Reads an IDX file of unsigned bytes: its dimensions and data. Files ending in .gz are decompressed.</summary>
    public static (int[] Dimensions, byte[] Data) ReadUBytes(string path)
    {
        byte[] bytes;
        try
        {
            using var file = File.OpenRead(path);
            using Stream input = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var buffer = new MemoryStream();
            input.CopyTo(buffer);
            bytes = buffer.ToArray();
        }
        catch (FileNotFoundException e) { throw new FileNotFoundException($"IDX file '{path}' does not exist", path, e); }
        catch (InvalidDataException e) { throw new InvalidDataException($"IDX file '{path}' is not valid gzip data: {e.Message}", e); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new IOException($"cannot read IDX file '{path}': {e.Message}", e); }

        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"'{path}' is not an IDX file (bad magic number)");
        if (bytes[2] != 0x08) throw new InvalidDataException($"IDX file '{path}' holds data type 0x{bytes[2]:X2}; only unsigned bytes (0x08) are supported");
        int ndims = bytes[3];
        if (ndims == 0 || bytes.Length < 4 + 4 * ndims) throw new InvalidDataException($"IDX file '{path}' is truncated in its header ({ndims} dimensions)");
        var dims = new int[ndims];
        long total = 1;
        for (int d = 0; d < ndims; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d, 4));
            if (dims[d] < 0) throw new InvalidDataException($"IDX file '{path}': dimension {d} is negative ({dims[d]})");
            total *= dims[d];
        }
        int offset = 4 + 4 * ndims;
        if (bytes.Length - offset != total)
            throw new InvalidDataException($"IDX file '{path}' holds {bytes.Length - offset} data bytes, expected {total} for dimensions [{string.Join(", ", dims)}]");
        return (dims, bytes[offset..]);
    }
}
