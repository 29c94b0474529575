using System.Net;
using System.Text;

namespace S4AL.Reporting.Comparison;

/// <summary>
/// compare.html: the document and the plot in one file that opens offline and can be mailed or
/// archived alone: the PNG is embedded as base64, the style inline, no script and no link out.
/// </summary>
public static class ComparisonHtml
{
    const string Style = "body{font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;margin:2em;max-width:80em}" +
        "table{border-collapse:collapse;margin:0.5em 0}th,td{border:1px solid #bbb;padding:0.2em 0.5em;text-align:left}" +
        "th{background:#eee}img{max-width:100%}p.note{color:#444;font-size:0.9em}";

    public static string Render(ComparisonDocument document, byte[] png)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(png);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine($"<title>{E(document.Title)}</title><style>{Style}</style></head><body>");
        html.AppendLine($"<h1>{E(document.Title)}</h1>");
        foreach (var paragraph in document.Introduction) html.AppendLine($"<p>{E(paragraph)}</p>");
        html.AppendLine($"<p><img alt=\"mIoU against labeled pixels\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"></p>");
        foreach (var table in document.Tables)
        {
            html.AppendLine($"<h2>{E(table.Title)}</h2>");
            html.AppendLine("<table>");
            html.AppendLine("<tr>" + string.Concat(table.Headers.Select(h => $"<th>{E(h)}</th>")) + "</tr>");
            foreach (var row in table.Rows) html.AppendLine("<tr>" + string.Concat(row.Select(c => $"<td>{E(c)}</td>")) + "</tr>");
            html.AppendLine("</table>");
            if (table.Note is { } note) html.AppendLine($"<p class=\"note\">{E(note)}</p>");
        }
        if (document.Notes.Count > 0)
        {
            html.AppendLine("<h2>Notes</h2>").AppendLine("<ul>");
            foreach (var note in document.Notes) html.AppendLine($"<li>{E(note)}</li>");
            html.AppendLine("</ul>");
        }
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    static string E(string text) => WebUtility.HtmlEncode(text);
}
