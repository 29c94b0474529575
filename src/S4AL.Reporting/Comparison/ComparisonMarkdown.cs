using System.Text;

namespace S4AL.Reporting.Comparison;

/// <summary>compare.md: the document as Markdown, the plot linked beside it.</summary>
public static class ComparisonMarkdown
{
    public static string Render(ComparisonDocument document, string plotFile)
    {
        ArgumentNullException.ThrowIfNull(document);
        var md = new StringBuilder();
        md.Append("# ").AppendLine(document.Title).AppendLine();
        foreach (var paragraph in document.Introduction) md.AppendLine(paragraph).AppendLine();
        md.AppendLine($"![mIoU against labeled pixels]({plotFile})").AppendLine();
        foreach (var table in document.Tables)
        {
            md.Append("## ").AppendLine(table.Title).AppendLine();
            md.AppendLine(Row(table.Headers));
            md.AppendLine(Row(table.Headers.Select(_ => "---")));
            foreach (var row in table.Rows) md.AppendLine(Row(row));
            md.AppendLine();
            if (table.Note is { } note) md.AppendLine(note).AppendLine();
        }
        if (document.Notes.Count > 0)
        {
            md.AppendLine("## Notes").AppendLine();
            foreach (var note in document.Notes) md.Append("- ").AppendLine(note);
            md.AppendLine();
        }
        return md.ToString().TrimEnd('\n') + "\n";
    }

    // A '|' in a cell (a path, a name) would end the cell.
    static string Row(IEnumerable<string> cells) => "| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |";
}
