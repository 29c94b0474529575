namespace S4AL.Annotation.Web;

/// <summary>The JSON the page and the server exchange (camelCase on the wire).</summary>
public static class PageMessages
{
    /// <summary>Where the round stands, for the progress line; <see cref="You"/> when the request named an annotator.</summary>
    public sealed record RoundView(string? Situation, RoundSummary? Round, AnnotatorPace? You);

    public sealed record RoundSummary(string Experiment, int Cycle, bool Initial, int Queried, int Labeled, int InProgress, int Height, int Width,
        IReadOnlyList<PageClass> Classes, string Next);

    /// <summary>An annotator's labels of the round as the journal has them, and their pace (regions per minute of labeling time).</summary>
    public sealed record AnnotatorPace(string Name, int Labeled, double Seconds, double? PerMinute);

    /// <summary>The region leased to the asking session, or none (<see cref="Situation"/> says why).</summary>
    public sealed record NextView(LeasedRegion? Region, string? Situation);

    public sealed record LeasedRegion(string Experiment, int Cycle, int Image, int Region, int Top, int Bottom, int Left, int Right,
        bool HasPrediction, double LeaseSeconds);

    /// <summary>A region of a round, as the page names it in a skip or a label.</summary>
    public sealed record RegionRef(string Experiment, int Cycle, int Image, int Region);

    /// <summary>A label: the region's mask as base64 (row-major, a class index or 255 per pixel) and the seconds spent on it.</summary>
    public sealed record LabelPost(string Experiment, int Cycle, int Image, int Region, string Mask, double Seconds);

    public sealed record LabelStored(int Labeled, int Queried);

    public sealed record Problem(string Error);
}
