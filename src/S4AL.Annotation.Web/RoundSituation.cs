namespace S4AL.Annotation.Web;

/// <summary>The round to label now, or none and why (e.g. "cycle 2 is training"), in words for the page.</summary>
public sealed record RoundSituation(AnnotationRound? Round, string Situation)
{
    public static RoundSituation Waiting(string why) => new(null, why);
}
