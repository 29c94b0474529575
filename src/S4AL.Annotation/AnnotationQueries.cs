using System.Globalization;

namespace S4AL.Annotation;

/// <summary>
/// What one cycle asks people to label: the class names (a label is a class index into them)
/// and the images with their queried regions.
/// </summary>
public sealed record AnnotationQueries(IReadOnlyList<string> ClassNames, IReadOnlyList<QueriedImage> Images, int Cycle)
{
    /// <summary>The label byte of a pixel nobody labeled (as in the project's masks).</summary>
    public const byte Unlabeled = 255;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the image, region or class when the queries
    /// cannot be exported or matched: these are the caller's mistakes, not the annotation file's.
    /// </summary>
    public void Validate()
    {
        if (ClassNames.Count is 0 or > Unlabeled)
            throw new ArgumentException($"{ClassNames.Count} classes: annotation needs 1 to {Unlabeled} (label {Unlabeled} means unlabeled)");
        var classes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in ClassNames)
        {
            if (string.IsNullOrWhiteSpace(name) || name != name.Trim() || name.Any(char.IsControl))
                throw new ArgumentException($"class name '{name}' must be non-empty, without surrounding spaces or control characters");
            if (!classes.Add(name)) throw new ArgumentException($"class name '{name}' appears twice");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var indices = new HashSet<int>();
        var invalid = Path.GetInvalidFileNameChars();
        foreach (var image in Images)
        {
            var what = $"image {image.Index} '{image.Name}'";
            if (string.IsNullOrWhiteSpace(image.Name) || image.Name.IndexOfAny(invalid) >= 0 || image.Name.Contains('\\') ||
                image.Name is "." or ".." || image.Name.StartsWith('.'))
                throw new ArgumentException($"{what}: the name must be a plain file stem (no path separators, not hidden)");
            if (!names.Add(image.Name)) throw new ArgumentException($"{what}: the name is used by another image; names must be unique");
            if (!indices.Add(image.Index)) throw new ArgumentException($"{what}: index {image.Index} is used by another image");
            if (image.Height <= 0 || image.Width <= 0)
                throw new ArgumentException($"{what}: size {image.Height}x{image.Width} must be positive");
            if ((long)image.Height * image.Width > int.MaxValue / 4)
                throw new ArgumentException($"{what}: size {image.Height}x{image.Width} is too large for annotation files");
            foreach (var r in image.Regions)
                if (r.Top < 0 || r.Left < 0 || r.Bottom > image.Height || r.Right > image.Width || r.Top >= r.Bottom || r.Left >= r.Right)
                    throw new ArgumentException(
                        $"{what}: region {r.Region} [{r.Top},{r.Bottom})x[{r.Left},{r.Right}) is empty or outside the {image.Height}x{image.Width} image");
            if (image.Prediction is { } p)
            {
                if (p.Length != image.Height * image.Width)
                    throw new ArgumentException($"{what}: the prediction has {p.Length} pixels, expected {image.Height}x{image.Width}");
                for (int i = 0; i < p.Length; i++)
                    if (p[i] >= ClassNames.Count && p[i] != Unlabeled)
                        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                            $"{what}: prediction pixel (x={i % image.Width}, y={i / image.Width}) is {p[i]}, not a class index below {ClassNames.Count} or {Unlabeled}"));
            }
        }
    }

    /// <summary>The index of the class named <paramref name="name"/> (names compare ordinally, as the tools compare them), or -1.</summary>
    public int ClassIndexOf(string name)
    {
        for (int k = 0; k < ClassNames.Count; k++)
            if (string.Equals(ClassNames[k], name, StringComparison.Ordinal)) return k;
        return -1;
    }

    /// <summary>The image named <paramref name="name"/>, or null.</summary>
    public QueriedImage? FindByName(string name) => Images.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.Ordinal));
}
