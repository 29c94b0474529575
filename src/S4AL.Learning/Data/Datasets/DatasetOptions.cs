using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Scenes;

namespace S4AL.Learning.Data.Datasets;

/// <summary>The dataset sources <see cref="Datasets.Open"/> knows.</summary>
public enum DatasetKind
{
    /// <summary>Generated street scenes (<see cref="SyntheticSceneDataset"/>); no files.</summary>
    Synthetic,
    /// <summary>Street scenes with pasted Fashion-MNIST items (<see cref="FashionMnistSceneDataset"/>).</summary>
    FashionMnist,
    /// <summary>The authors' CamVid layout (<see cref="CamVidDataset"/>), any class count.</summary>
    CamVid,
    /// <summary>Cityscapes, authors' or official layout (<see cref="CityscapesDataset"/>).</summary>
    Cityscapes,
    /// <summary>Folders of images and masks (<see cref="FolderDataset"/>): Root/TrainSplit and Root/ValidationSplit.</summary>
    Folder,
}

/// <summary>
/// Which dataset to train on and how to load it. Immutable; bindable from configuration.
/// </summary>
public sealed record DatasetOptions
{
    public DatasetKind Kind { get; init; } = DatasetKind.Synthetic;

    /// <summary>
    /// The dataset folder (camvid, cityscapes, folder); for fashion-mnist the folder of the
    /// IDX .gz files (default <see cref="FashionMnist.DefaultDirectory"/>); unused by synthetic.
    /// </summary>
    public string? Root { get; init; }

    /// <summary>Image height: files are resized to it, generated scenes are made at it. Give with <see cref="Width"/> or not at all.</summary>
    public int? Height { get; init; }
    /// <summary>Image width; see <see cref="Height"/>.</summary>
    public int? Width { get; init; }

    /// <summary>Class names for camvid and folder datasets (else <see cref="ClassesFile"/>, else Root/classes.txt).</summary>
    public IReadOnlyList<string>? Classes { get; init; }
    /// <summary>A file with one class name per line; an alternative to <see cref="Classes"/>.</summary>
    public string? ClassesFile { get; init; }

    /// <summary>Number of generated pool (training) images (synthetic, fashion-mnist).</summary>
    public int PoolSize { get; init; } = 200;
    /// <summary>Number of generated validation images (synthetic, fashion-mnist).</summary>
    public int ValidationSize { get; init; } = 50;
    /// <summary>Seed of generated datasets.</summary>
    public int Seed { get; init; }

    /// <summary>Training split: the imagesets list (camvid, authors' cityscapes), the leftImg8bit folder (official cityscapes) or the subfolder (folder).</summary>
    public string TrainSplit { get; init; } = "train";
    /// <summary>Validation split, named like <see cref="TrainSplit"/>.</summary>
    public string ValidationSplit { get; init; } = "val";

    /// <summary>Decoded-image cache of the file datasets, shared 3:1 between the training and validation splits.</summary>
    public long CacheBytes { get; init; } = ImageCache.DefaultCapacityBytes;

    /// <summary>Reads a kind as written on a command line: synthetic, fashion-mnist, camvid, cityscapes, folder (enum names work too).</summary>
    public static DatasetKind ParseKind(string text)
    {
        var key = (text ?? "").Trim().Replace("-", "").Replace("_", "");
        if (key.Length > 0 && !char.IsDigit(key[0]) && Enum.TryParse<DatasetKind>(key, ignoreCase: true, out var kind) && Enum.IsDefined(kind)) return kind;
        throw new ArgumentException($"unknown dataset kind '{text}'; expected one of: {string.Join(", ", Enum.GetValues<DatasetKind>().Select(KindName))}", nameof(text));
    }

    /// <summary>The command-line name of a kind (e.g. "fashion-mnist").</summary>
    public static string KindName(DatasetKind kind) => kind switch
    {
        DatasetKind.FashionMnist => "fashion-mnist",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>Opens the training pool and validation split that <see cref="DatasetOptions"/> describe.</summary>
public static class Datasets
{
    /// <param name="poolMasks">
    /// False: the pool's mask files are never read (people label it; the labels come from the run
    /// folder's label store) and may be missing; generated pools still make theirs. Then the
    /// validation split may be missing too (folder: no val/ folder; camvid: no list file): the
    /// run trains and says mIoU is not measured. A validation split that exists needs its masks.
    /// </param>
    public static (ISegmentationDataset Train, ISegmentationDataset Validation) Open(DatasetOptions options, bool poolMasks = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kindName = DatasetOptions.KindName(options.Kind);
        ImageSize? size = (options.Height, options.Width) switch
        {
            (null, null) => null,
            ({ } h, { } w) when h > 0 && w > 0 => new ImageSize(h, w),
            ({ }, { }) => throw new ArgumentException($"DatasetOptions.Height/Width {options.Height}x{options.Width} must be positive"),
            _ => throw new ArgumentException($"DatasetOptions.Height and Width must be given together (Height={Show(options.Height)}, Width={Show(options.Width)})"),
        };
        if (options.Classes != null && options.ClassesFile != null)
            throw new ArgumentException("give DatasetOptions.Classes or DatasetOptions.ClassesFile, not both");
        if (options.CacheBytes < 0) throw new ArgumentException($"DatasetOptions.CacheBytes {options.CacheBytes} must not be negative");
        long trainCache = options.CacheBytes / 4 * 3, validationCache = options.CacheBytes - trainCache;

        switch (options.Kind)
        {
            case DatasetKind.Synthetic:
            {
                RejectClasses(options, kindName);
                CheckCounts(options, kindName);
                var s = size ?? new ImageSize(SyntheticSceneDataset.DefaultHeight, SyntheticSceneDataset.DefaultWidth);
                if (s.Height < 16 || s.Width < 16) throw new ArgumentException($"DatasetOptions.Height/Width {s} is too small for kind {kindName} (at least 16x16)");
                // Different seeds keep validation scenes out of the pool.
                return (new SyntheticSceneDataset(options.PoolSize, options.Seed, s.Height, s.Width),
                        new SyntheticSceneDataset(options.ValidationSize, unchecked(options.Seed ^ 0x3C6EF372), s.Height, s.Width));
            }
            case DatasetKind.FashionMnist:
            {
                RejectClasses(options, kindName);
                CheckCounts(options, kindName);
                var s = size ?? new ImageSize(SyntheticSceneDataset.DefaultHeight, SyntheticSceneDataset.DefaultWidth);
                if (s.Height < 16 || s.Width < 16) throw new ArgumentException($"DatasetOptions.Height/Width {s} is too small for kind {kindName} (at least 16x16)");
                return (new FashionMnistSceneDataset(FashionMnistSplit.Train, options.PoolSize, options.Seed, s.Height, s.Width, options.Root),
                        new FashionMnistSceneDataset(FashionMnistSplit.Test, options.ValidationSize, options.Seed, s.Height, s.Width, options.Root));
            }
            case DatasetKind.CamVid:
            {
                var root = RequireRoot(options, kindName);
                var classes = options.Classes ?? (options.ClassesFile != null ? ClassLists.ReadFile(options.ClassesFile) : null);
                var camvidPool = new CamVidDataset(root, options.TrainSplit, classes, size, trainCache, readMasks: poolMasks);
                return (camvidPool, !poolMasks && !File.Exists(CamVidDataset.ListFile(root, options.ValidationSplit))
                    ? Unmeasured(camvidPool)
                    : new CamVidDataset(root, options.ValidationSplit, classes, size, validationCache));
            }
            case DatasetKind.Cityscapes:
            {
                RejectClasses(options, kindName);
                var root = RequireRoot(options, kindName);
                return (new CityscapesDataset(root, options.TrainSplit, size, trainCache, readMasks: poolMasks),
                        new CityscapesDataset(root, options.ValidationSplit, size, validationCache));
            }
            case DatasetKind.Folder:
            {
                var root = RequireRoot(options, kindName);
                var train = Path.Combine(root, options.TrainSplit);
                var validation = Path.Combine(root, options.ValidationSplit);
                var classes = options.Classes
                    ?? (options.ClassesFile != null ? ClassLists.ReadFile(options.ClassesFile)
                        : File.Exists(Path.Combine(root, ClassLists.FileName)) ? ClassLists.ReadFile(Path.Combine(root, ClassLists.FileName))
                        : File.Exists(Path.Combine(train, ClassLists.FileName)) ? ClassLists.ReadFile(Path.Combine(train, ClassLists.FileName))
                        : throw new ArgumentException(
                            $"no class names for folder dataset '{root}': set DatasetOptions.Classes or ClassesFile, or write '{Path.Combine(root, ClassLists.FileName)}' (one name per line)"));
                var folderPool = new FolderDataset(train, classes, size, trainCache, poolMasks);
                return (folderPool, !poolMasks && !Directory.Exists(validation) ? Unmeasured(folderPool) : new FolderDataset(validation, classes, size, validationCache));
            }
            default:
                throw new ArgumentException($"DatasetOptions.Kind {(int)options.Kind} is not a known dataset kind");
        }
    }

    /// <summary>No validation split: nothing to measure mIoU on.</summary>
    static ISegmentationDataset Unmeasured(ISegmentationDataset pool) =>
        new EmptySegmentationDataset("no validation split (mIoU not measured)", pool.ClassNames, pool.Height, pool.Width);

    static string RequireRoot(DatasetOptions options, string kindName)
    {
        if (string.IsNullOrWhiteSpace(options.Root)) throw new ArgumentException($"DatasetOptions.Root (the dataset folder) is required for kind {kindName}");
        if (!Directory.Exists(options.Root)) throw new DirectoryNotFoundException($"DatasetOptions.Root '{options.Root}' (kind {kindName}) does not exist");
        return options.Root;
    }

    static void RejectClasses(DatasetOptions options, string kindName)
    {
        if (options.Classes != null || options.ClassesFile != null)
            throw new ArgumentException($"DatasetOptions.Classes/ClassesFile cannot be set for kind {kindName}: its classes are fixed");
    }

    static void CheckCounts(DatasetOptions options, string kindName)
    {
        if (options.PoolSize <= 0) throw new ArgumentException($"DatasetOptions.PoolSize {options.PoolSize} must be positive for kind {kindName}");
        if (options.ValidationSize <= 0) throw new ArgumentException($"DatasetOptions.ValidationSize {options.ValidationSize} must be positive for kind {kindName}");
    }

    static string Show(int? v) => v?.ToString() ?? "unset";
}
