namespace S4AL.Annotation.Web;

/// <summary>
/// What the page needs from the experiment: the round to label, its images and the model's
/// prediction, and a way to record a label (label store, then journal, before the answer).
/// The node implements it over the coordinator; tests may fake it.
/// </summary>
public interface IAnnotationRounds
{
    /// <summary>The round people label now (a snapshot; cheap to call).</summary>
    RoundSituation Current();

    /// <summary>Pool image <paramref name="image"/> of <paramref name="round"/> at the working size, as a PNG.</summary>
    Task<byte[]> ImagePng(AnnotationRound round, int image, CancellationToken cancel);

    /// <summary>The round's model prediction of the image (Height*Width class indices), or null when there is no model yet.</summary>
    Task<byte[]?> Prediction(AnnotationRound round, int image, CancellationToken cancel);

    /// <summary>
    /// Stores the label and records it; returns once the journal holds it, or refused with the
    /// reason. Throws <see cref="InvalidDataException"/> naming the pixel for a mask the label
    /// store refuses.
    /// </summary>
    Task<SubmitOutcome> Submit(AnnotationRound round, RegionSubmission submission, CancellationToken cancel);
}
