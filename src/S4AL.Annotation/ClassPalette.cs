namespace S4AL.Annotation;

/// <summary>
/// The colours exports give the classes, the same in every format so that a class looks alike in
/// CVAT and Label Studio: class k takes VOC colour k + 1 (<see cref="VocColormap"/>), so no class is
/// black, the colour of CVAT's background label that unlabeled pixels are painted with.
/// </summary>
public static class ClassPalette
{
    internal static Rgb Color(int classIndex) => VocColormap.Color(classIndex + 1);

    /// <summary>The class's colour as #rrggbb (the annotation page colours classes as the exports do).</summary>
    public static string Hex(int classIndex) => Color(classIndex).Hex;
}
