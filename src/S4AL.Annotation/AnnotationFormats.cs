namespace S4AL.Annotation;

/// <summary>The names of <see cref="AnnotationFormat"/> on the command line and in settings.</summary>
public static class AnnotationFormats
{
    static readonly (AnnotationFormat Format, string Name)[] All =
        [(AnnotationFormat.Cvat, "cvat"), (AnnotationFormat.LabelStudio, "label-studio"), (AnnotationFormat.Masks, "masks")];

    public static IReadOnlyList<string> Names { get; } = All.Select(f => f.Name).ToArray();

    public static string Name(AnnotationFormat format) =>
        All.First(f => f.Format == format).Name;

    /// <summary>Parses "cvat", "label-studio" or "masks" (case-insensitive); the error lists the names.</summary>
    public static AnnotationFormat Parse(string name)
    {
        foreach (var (format, known) in All)
            if (string.Equals(name?.Trim(), known, StringComparison.OrdinalIgnoreCase)) return format;
        throw new ArgumentException($"unknown annotation format '{name}': expected one of {string.Join(", ", Names)}", nameof(name));
    }
}
