using Microsoft.AspNetCore.Http;

namespace S4AL.Annotation.Web;

/// <summary>
/// The person behind a request: the name stored with their labels (header X-S4AL-Annotator,
/// percent-encoded UTF-8) and the browser session that holds leases (X-S4AL-Session, made by the
/// page), so two people of the same name still get different regions.
/// </summary>
public sealed record Annotator(string Name, string Session)
{
    public const string NameHeader = "X-S4AL-Annotator";
    public const string SessionHeader = "X-S4AL-Session";
    public const int MaxNameLength = 64;

    /// <summary>The annotator of a request, or the reason it names none usable.</summary>
    public static (Annotator? Annotator, string? Error) Of(HttpRequest request)
    {
        var encoded = request.Headers[NameHeader].FirstOrDefault();
        var session = request.Headers[SessionHeader].FirstOrDefault();
        if (string.IsNullOrEmpty(encoded)) return (null, $"{NameHeader}: give your name");
        string name;
        try { name = Uri.UnescapeDataString(encoded).Trim(); }
        catch (UriFormatException) { return (null, $"{NameHeader}: not percent-encoded UTF-8"); }
        if (name.Length is 0 or > MaxNameLength) return (null, $"{NameHeader}: a name of 1 to {MaxNameLength} characters");
        if (name.Any(char.IsControl)) return (null, $"{NameHeader}: no control characters in a name");
        if (session is not { Length: >= 16 and <= 64 } || !session.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return (null, $"{SessionHeader}: 16 to 64 letters, digits, - or _");
        return (new Annotator(name, session), null);
    }
}
