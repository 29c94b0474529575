namespace S4AL.Annotation.Web;

/// <summary>
/// What became of a submitted label: recorded in the journal (with the round's counts after it),
/// or refused with the reason (<see cref="Refusal"/>; the caller's mistake, not a failure of the page).
/// </summary>
public sealed record SubmitOutcome(string? Refusal, int RegionsLabeled, int RegionsQueried)
{
    public bool Accepted => Refusal is null;

    public static SubmitOutcome Refused(string reason) => new(reason, 0, 0);
}
