using S4AL.Annotation.Web;

namespace S4AL.Annotation.Web.Tests;

/// <summary>A round of 4 regions of 2x2 pixels in one 4x4 image (two classes) that records what is submitted.</summary>
sealed class FakeRounds : IAnnotationRounds
{
    public static readonly AnnotationRound Round = new("exp", 3, false, 4, 4,
        [new PageClass(0, "road", "#800000"), new PageClass(1, "car", "#008000")],
        [new RoundRegion(7, 0, 0, 2, 0, 2), new RoundRegion(7, 1, 0, 2, 2, 4), new RoundRegion(7, 2, 2, 4, 0, 2), new RoundRegion(7, 3, 2, 4, 2, 4)],
        new Dictionary<RegionKey, RoundLabel>(), "when all 4 are labeled, cycle 4 starts training");

    public AnnotationRound Current { get; set; } = Round;
    public List<RegionSubmission> Submitted { get; } = new();

    RoundSituation IAnnotationRounds.Current() => new(Current, "");

    public Task<byte[]> ImagePng(AnnotationRound round, int image, CancellationToken cancel) => Task.FromResult(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' });

    public Task<byte[]?> Prediction(AnnotationRound round, int image, CancellationToken cancel) => Task.FromResult<byte[]?>(new byte[16]);

    public Task<SubmitOutcome> Submit(AnnotationRound round, RegionSubmission submission, CancellationToken cancel)
    {
        if (submission.Mask.Any(v => v != 255 && v >= 2)) throw new InvalidDataException($"value {submission.Mask.First(v => v != 255 && v >= 2)} is not a class");
        Submitted.Add(submission);
        return Task.FromResult(new SubmitOutcome(null, Submitted.Count, round.Regions.Count));
    }
}

/// <summary>A clock the test moves.</summary>
sealed class ManualTime : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => Now;
}
