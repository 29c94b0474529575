namespace S4AL.Annotation;

/// <summary>What every import keeps of the labels a file gives an image: the pixels inside its queried regions.</summary>
internal static class RegionLabels
{
    /// <summary>
    /// <paramref name="fileLabels"/> (Height*Width, 255 = unlabeled) with every pixel outside the
    /// regions set to 255 (people may paint past a region; only what was asked is taken), or null
    /// when no pixel inside is labeled.
    /// </summary>
    public static byte[]? Keep(QueriedImage image, byte[] fileLabels)
    {
        var inside = image.InsideRegions();
        bool any = false;
        for (int i = 0; i < fileLabels.Length; i++)
        {
            if (!inside[i]) fileLabels[i] = AnnotationQueries.Unlabeled;
            else if (fileLabels[i] != AnnotationQueries.Unlabeled) any = true;
        }
        return any ? fileLabels : null;
    }
}
