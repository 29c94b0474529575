namespace S4AL.Annotation;

/// <summary>
/// A pool image with the regions queried in it.
/// </summary>
/// <param name="Index">The image's index in the pool; the key of the imported labels.</param>
/// <param name="Name">The image's file stem in an export, unique among the queries (tools match files by it).</param>
/// <param name="ImagePath">The image file, copied into exports so that the tool can show it.</param>
/// <param name="Prediction">
/// Height*Width class indices of the current model (255 = none), exported inside the regions as
/// pre-annotation so that people correct rather than paint from scratch; null = no pre-annotation.
/// </param>
public sealed record QueriedImage(
    int Index,
    string Name,
    string ImagePath,
    int Height,
    int Width,
    IReadOnlyList<QueriedRegion> Regions,
    byte[]? Prediction)
{
    /// <summary>Height*Width flags, true inside any queried region: the only pixels an import keeps.</summary>
    public bool[] InsideRegions()
    {
        var inside = new bool[Height * Width];
        foreach (var r in Regions)
            for (int y = r.Top; y < r.Bottom; y++)
                inside.AsSpan(y * Width + r.Left, r.Right - r.Left).Fill(true);
        return inside;
    }

    /// <summary>The prediction inside the regions and 255 elsewhere: what every format exports as its pre-annotation.</summary>
    public byte[] PreAnnotation()
    {
        var labels = new byte[Height * Width];
        Array.Fill(labels, AnnotationQueries.Unlabeled);
        if (Prediction is null) return labels;
        var inside = InsideRegions();
        for (int i = 0; i < labels.Length; i++)
            if (inside[i]) labels[i] = Prediction[i];
        return labels;
    }
}
