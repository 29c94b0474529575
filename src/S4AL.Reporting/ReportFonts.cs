using SkiaSharp;

namespace S4AL.Reporting;

/// <summary>
/// The typeface for text drawn directly with SkiaSharp. The NoDependencies native build has no
/// fontconfig, so a family is looked up among the files it finds itself; a machine without any
/// font still gets the image, just without legible text.
/// </summary>
internal static class ReportFonts
{
    static readonly string[] Families = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica"];

    // Shared for the process and never disposed: SkiaSharp hands out one managed wrapper per native typeface.
    static readonly Lazy<SKTypeface> Shared = new(Find);

    public static SKTypeface Typeface => Shared.Value;

    static SKTypeface Find()
    {
        foreach (var family in Families)
        {
            var typeface = SKTypeface.FromFamilyName(family);
            if (typeface is not null && string.Equals(typeface.FamilyName, family, StringComparison.OrdinalIgnoreCase)) return typeface;
            typeface?.Dispose();
        }
        return SKTypeface.CreateDefault();
    }
}
