using S4AL.Annotation.Web;

namespace S4AL.Node.Configuration;

/// <summary>The section Annotation of <see cref="S4alSettings"/>: where a node with the annotation role serves the annotation page.</summary>
public sealed record AnnotationSection
{
    /// <summary>http://HOST:PORT; loopback by default (this machine only).</summary>
    public Uri Url { get; init; } = AnnotationPageOptions.DefaultUrl;

    /// <summary>The access token of the page; null: none on loopback, one generated and printed at start elsewhere.</summary>
    public string? Token { get; init; }

    public AnnotationPageOptions ToOptions() => new() { Url = Url, Token = Token };
}
