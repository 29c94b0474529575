namespace S4AL.Annotation.Web;

/// <summary>Who labeled a region of the round (as the journal has it) and how long it took, if known.</summary>
public sealed record RoundLabel(string Annotator, double? Seconds);
