namespace S4AL.Annotation.Web;

/// <summary>
/// The annotation round people work on: one experiment's cycle, its classes, its queried regions
/// in the order they are handed out, and the labels the journal holds so far.
/// </summary>
/// <param name="Initial">The round before cycle 0 (the initial set; no model yet, so no pre-annotation).</param>
/// <param name="Height">The height of every pool image at the experiment's working size.</param>
/// <param name="Next">What happens when every region is labeled, in words for the page.</param>
public sealed record AnnotationRound(
    string Experiment,
    int Cycle,
    bool Initial,
    int Height,
    int Width,
    IReadOnlyList<PageClass> Classes,
    IReadOnlyList<RoundRegion> Regions,
    IReadOnlyDictionary<RegionKey, RoundLabel> Labels,
    string Next)
{
    /// <summary>Identifies the round across snapshots: leases are kept per round.</summary>
    public string Key => $"{Experiment}/{Cycle}";

    public RoundRegion? Find(RegionKey key) => Regions.FirstOrDefault(r => r.Key == key);

    public bool HasImage(int image) => Regions.Any(r => r.Image == image);
}
