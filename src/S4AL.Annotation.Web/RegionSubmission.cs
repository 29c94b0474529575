namespace S4AL.Annotation.Web;

/// <summary>
/// A region's label from the page: the mask (row-major inside the region, a class index or 255 per
/// pixel), who made it and the seconds from showing the region to submitting it.
/// </summary>
public sealed record RegionSubmission(RoundRegion Region, byte[] Mask, string Annotator, double Seconds);
