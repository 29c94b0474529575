namespace S4AL.Reporting.Comparison;

/// <summary>A table of the comparison as text, rendered alike into compare.md and compare.html: a title, the cells, and a note on how to read them.</summary>
public sealed record ReportTable(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, string? Note = null);
