namespace S4AL.Annotation.Web;

/// <summary>A class as the page shows it: its label value, name and colour (#rrggbb, as the exports colour it).</summary>
public sealed record PageClass(int Index, string Name, string Color);
