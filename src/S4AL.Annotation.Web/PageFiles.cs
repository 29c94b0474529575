using System.Net;
using System.Reflection;
using System.Text;

namespace S4AL.Annotation.Web;

/// <summary>
/// The page's files, embedded in this assembly (wwwroot/): served by name from a fixed list, so
/// no path from a request ever reaches the file system.
/// </summary>
public static class PageFiles
{
    static readonly IReadOnlyDictionary<string, string> Types = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["app.js"] = "text/javascript; charset=utf-8",
        ["app.css"] = "text/css; charset=utf-8",
    };

    static readonly Dictionary<string, byte[]> Cache = Types.Keys.ToDictionary(name => name, Load);

    /// <summary>The file's bytes and content type, or null for a name that is not one of the page's files.</summary>
    public static (byte[] Content, string ContentType)? Get(string name) =>
        Cache.TryGetValue(name, out var content) ? (content, Types[name]) : null;

    /// <summary>
    /// index.html with the token the page's scripts send (in a meta element) and, when reads need
    /// it, the query that lets the browser load the script and style sheet.
    /// </summary>
    public static byte[] Index(PageAccess access)
    {
        var html = Encoding.UTF8.GetString(Cache["index.html"]);
        var token = WebUtility.HtmlEncode(access.Token);
        var query = access.ReadsNeedToken ? $"?{PageAccess.TokenQuery}={Uri.EscapeDataString(access.Token)}" : "";
        return Encoding.UTF8.GetBytes(html.Replace("{{TOKEN}}", token, StringComparison.Ordinal).Replace("{{ASSET_QUERY}}", WebUtility.HtmlEncode(query), StringComparison.Ordinal));
    }

    static byte[] Load(string name)
    {
        var resource = $"S4AL.Annotation.Web.wwwroot.{name}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the page file {resource} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
