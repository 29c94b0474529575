using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace S4AL.Annotation.Web;

/// <summary>
/// Who may use the page. Every state-changing request carries the token in a header
/// (<see cref="TokenHeader"/> or Authorization: Bearer), never in a cookie or form, so another
/// site cannot submit labels through a user's browser: it cannot learn the token (the page is
/// same-origin only) and cannot set the header without a CORS preflight, which is never granted.
/// On loopback without a configured token that token is one per process, embedded in the page it
/// serves, and reads need none; with a configured token, or on any other address (where one is
/// generated if none is given), every request needs it: the page itself by ?token=, the rest by header.
/// </summary>
public sealed class PageAccess
{
    public const string TokenHeader = "X-S4AL-Token";
    public const string TokenQuery = "token";

    PageAccess(string token, bool readsNeedToken, bool generated, bool loopback)
    {
        Token = token;
        ReadsNeedToken = readsNeedToken;
        Generated = generated;
        Loopback = loopback;
    }

    public string Token { get; }
    /// <summary>Whether a GET needs the token too (a configured token, or a non-loopback address).</summary>
    public bool ReadsNeedToken { get; }
    /// <summary>Whether the token was made here (to print, so that people can be given the address).</summary>
    public bool Generated { get; }
    /// <summary>Bound to the loopback interface only: requests must name a loopback host (no DNS rebinding).</summary>
    public bool Loopback { get; }

    public static PageAccess For(Uri url, string? token)
    {
        bool loopback = IsLoopback(url.Host);
        if (token is not null) return new PageAccess(CheckToken(token), readsNeedToken: true, generated: false, loopback);
        return new PageAccess(NewToken(), readsNeedToken: !loopback, generated: !loopback, loopback);
    }

    /// <summary>localhost or a loopback IP address (127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>
    /// A token given by a user must be usable in a header and hard to guess: 16 to 256 characters
    /// of letters, digits and -._~+/= . Throws naming what is wrong (never the token itself).
    /// </summary>
    public static string CheckToken(string token)
    {
        if (token.Length is < 16 or > 256) throw new ArgumentException($"must be 16 to 256 characters, not {token.Length}");
        foreach (var c in token)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/' or '='))
                throw new ArgumentException("may hold only letters, digits and - . _ ~ + / =");
        return token;
    }

    /// <summary>256 random bits, URL-safe.</summary>
    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether the request may go on: a loopback Host on a loopback page, and the token where it is needed.</summary>
    public bool Allows(HttpRequest request, out int status)
    {
        status = StatusCodes.Status200OK;
        if (Loopback && !IsLoopback(request.Host.Host))
        {
            // A DNS-rebinding page would reach us under its own host name.
            status = StatusCodes.Status400BadRequest;
            return false;
        }
        bool reading = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        if (reading && !ReadsNeedToken) return true;
        var given = FromHeaders(request) ?? (reading ? request.Query[TokenQuery].FirstOrDefault() : null);
        if (given is not null && Matches(given)) return true;
        status = StatusCodes.Status401Unauthorized;
        return false;
    }

    static string? FromHeaders(HttpRequest request)
    {
        if (request.Headers[TokenHeader].FirstOrDefault() is { Length: > 0 } header) return header;
        var auth = request.Headers.Authorization.FirstOrDefault();
        return auth is not null && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth["Bearer ".Length..].Trim() : null;
    }

    /// <summary>Compares in constant time, so the time of a refusal tells nothing about the token.</summary>
    bool Matches(string given) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(Token)));
}
