using MessagePack;

namespace S4AL.Domain.Experiments;

/// <summary>
/// What the journal knows of one region's label: the SHA-256 of the stored mask (the region's
/// pixels, row-major, one class index or 255 each), who gave it, the seconds spent when known,
/// how many of its pixels carry a class, and how many times it was corrected.
/// </summary>
[MessagePackObject]
public sealed record RegionLabel(
    [property: Key(0)] string Sha256,
    [property: Key(1)] string Annotator,
    [property: Key(2)] double? Seconds,
    [property: Key(3)] int LabeledPixels,
    [property: Key(4)] int Corrections = 0);

/// <summary>
/// A finished annotation round in figures (human annotator only): regions queried and labeled,
/// labeled pixels, seconds spent (sum and median per region, over regions whose time is known),
/// annotators and corrections.
/// </summary>
[MessagePackObject]
public sealed record AnnotationFigures(
    [property: Key(0)] int RegionsQueried,
    [property: Key(1)] int RegionsLabeled,
    [property: Key(2)] long LabeledPixels,
    [property: Key(3)] double SecondsSum,
    [property: Key(4)] double? SecondsMedian,
    [property: Key(5)] int Annotators,
    [property: Key(6)] int Corrections)
{
    /// <summary>The figures of a round from its labels.</summary>
    public static AnnotationFigures Of(int queried, IReadOnlyCollection<RegionLabel> labels)
    {
        var seconds = labels.Where(l => l.Seconds is not null).Select(l => l.Seconds!.Value).Order().ToArray();
        double? median = seconds.Length == 0 ? null
            : seconds.Length % 2 == 1 ? seconds[seconds.Length / 2] : (seconds[seconds.Length / 2 - 1] + seconds[seconds.Length / 2]) / 2;
        return new AnnotationFigures(queried, labels.Count, labels.Sum(l => (long)l.LabeledPixels), seconds.Sum(), median,
            labels.Select(l => l.Annotator).Distinct(StringComparer.Ordinal).Count(), labels.Sum(l => l.Corrections));
    }
}
