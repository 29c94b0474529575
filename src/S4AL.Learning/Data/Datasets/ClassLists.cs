namespace S4AL.Learning.Data.Datasets;

/// <summary>Class-name lists: the published ones, and reading/checking a caller's list.</summary>
public static class ClassLists
{
    /// <summary>The 11 CamVid classes in the authors' order (their annots use 11 for void).</summary>
    public static IReadOnlyList<string> CamVid { get; } =
        ["sky", "building", "column_pole", "road", "sidewalk", "tree", "sign", "fence", "car", "pedestrian", "bicyclist"];

    /// <summary>The 19 Cityscapes training classes, indexed by trainId.</summary>
    public static IReadOnlyList<string> Cityscapes { get; } =
        ["road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation", "terrain",
         "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle"];

    /// <summary>The file name looked for beside a dataset when the caller gives no class names.</summary>
    public const string FileName = "classes.txt";

    /// <summary>
    /// Reads a class list: one name per line; blank lines and lines starting with '#' are skipped.
    /// </summary>
    public static IReadOnlyList<string> ReadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"class list '{path}' does not exist", path);
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read class list '{path}': {e.Message}", e);
        }
        var names = lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        return Validate(names, $"class list '{path}'");
    }

    /// <summary>Checks a class list (non-empty, at most 255 names since 255 marks ignored pixels, unique, no blank names) and copies it.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<string> names, string source)
    {
        if (names.Count == 0) throw new ArgumentException($"{source} names no classes");
        if (names.Count > SegmentationImage.IgnoreIndex)
            throw new ArgumentException($"{source} names {names.Count} classes; at most {SegmentationImage.IgnoreIndex} fit a byte label map (255 marks ignored pixels)");
        for (int i = 0; i < names.Count; i++)
            if (string.IsNullOrWhiteSpace(names[i])) throw new ArgumentException($"{source}: class {i} has an empty name");
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) throw new ArgumentException($"{source}: class name '{duplicate.Key}' appears more than once");
        return names.ToArray();
    }

    /// <summary>
    /// Class names for a dataset folder: the caller's list if given, else the folder's
    /// classes.txt if present, else <paramref name="fallback"/> (null: an error naming the folder).
    /// </summary>
    public static IReadOnlyList<string> Resolve(IReadOnlyList<string>? given, string folder, IReadOnlyList<string>? fallback)
    {
        if (given != null) return Validate(given, "the given class list");
        var file = Path.Combine(folder, FileName);
        if (File.Exists(file)) return ReadFile(file);
        return fallback ?? throw new ArgumentException(
            $"no class names for dataset '{folder}': pass them or put a {FileName} (one name per line) in that folder");
    }
}
