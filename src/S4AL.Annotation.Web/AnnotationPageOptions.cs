namespace S4AL.Annotation.Web;

/// <summary>Where the annotation page listens and who may use it.</summary>
public sealed record AnnotationPageOptions
{
    /// <summary>The default address: this machine only.</summary>
    public static readonly Uri DefaultUrl = new("http://127.0.0.1:5080");

    /// <summary>http://HOST:PORT to listen on; HOST an IP address or localhost (port 0: any free port).</summary>
    public Uri Url { get; init; } = DefaultUrl;

    /// <summary>
    /// The access token every request must carry; null: none on loopback (state-changing requests
    /// still carry a per-process token), one generated at start on any other address.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>How long a region stays with the annotator it was handed to before others may get it.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The largest request body accepted: a region's mask travels as base64 in JSON.</summary>
    public long MaxBodyBytes { get; init; } = 1 << 20;
}
