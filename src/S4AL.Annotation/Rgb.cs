using System.Globalization;

namespace S4AL.Annotation;

/// <summary>A colour of a class: "r,g,b" in CVAT's labelmap.txt, "#rrggbb" in Label Studio's labeling configuration.</summary>
internal readonly record struct Rgb(byte R, byte G, byte B)
{
    public static readonly Rgb Black = new(0, 0, 0);

    public int Key => R << 16 | G << 8 | B;

    public string Hex => string.Create(CultureInfo.InvariantCulture, $"#{R:x2}{G:x2}{B:x2}");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{R},{G},{B}");
}
