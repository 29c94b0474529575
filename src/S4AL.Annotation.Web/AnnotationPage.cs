using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static S4AL.Annotation.Web.PageMessages;

namespace S4AL.Annotation.Web;

/// <summary>
/// The annotation page's web server (Kestrel): the page's embedded files and a small JSON API
/// over an <see cref="IAnnotationRounds"/>. Regions are leased per browser session
/// (<see cref="LeaseBook"/>); images are served by pool index, only those of the current round.
/// </summary>
public sealed class AnnotationPage : IAsyncDisposable
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    readonly WebApplication _app;

    AnnotationPage(WebApplication app, PageAccess access, Uri address)
    {
        _app = app;
        Access = access;
        Address = address;
    }

    public PageAccess Access { get; }

    /// <summary>The address it listens on, with the real port when 0 was asked for.</summary>
    public Uri Address { get; }

    /// <summary>The address to open in a browser: with ?token= when every request needs the token.</summary>
    public Uri Link => Access.ReadsNeedToken ? new Uri(Address, $"/?{PageAccess.TokenQuery}={Uri.EscapeDataString(Access.Token)}") : Address;

    /// <summary>Starts listening; throws (IOException, or Kestrel's address-in-use) when the address cannot be bound.</summary>
    public static async Task<AnnotationPage> StartAsync(AnnotationPageOptions options, IAnnotationRounds rounds, TimeProvider? time = null, CancellationToken cancel = default)
    {
        var endpoint = Endpoint(options.Url);
        var access = PageAccess.For(options.Url, options.Token);
        var leases = new LeaseBook(options.Lease, time ?? TimeProvider.System);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(AnnotationPage).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            k.Listen(endpoint);
        });
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            // Answers change with every label; the one exception (pool images) says so itself.
            headers.CacheControl = "no-store";
            headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
                                            "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
            if (!access.Allows(context.Request, out var status))
            {
                context.Response.StatusCode = status;
                if (status == StatusCodes.Status401Unauthorized) headers.WWWAuthenticate = "Bearer";
                await context.Response.WriteAsync(status == StatusCodes.Status401Unauthorized
                    ? "the annotation page needs its access token (the address printed by s4al, with ?token=)\n"
                    : "this page answers to a loopback host name only (127.0.0.1, localhost, [::1])\n");
                return;
            }
            await next(context);
        });
        app.UseRouting();
        Map(app, rounds, leases, access);

        await app.StartAsync(cancel);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reports no address");
        // Kestrel reports the IP it bound; people reach a loopback page by the name they gave (localhost stays localhost).
        var address = new UriBuilder(bound) { Host = options.Url.Host, Path = "/" }.Uri;
        return new AnnotationPage(app, access, address);
    }

    /// <summary>http://HOST:PORT/ with HOST an IP address or localhost, as Kestrel binds it; throws naming what does not fit.</summary>
    public static IPEndPoint Endpoint(Uri url)
    {
        if (url.Scheme != Uri.UriSchemeHttp) throw new ArgumentException($"{url}: the annotation page speaks http:// only (put a TLS proxy in front of it for https)");
        if (url.AbsolutePath != "/" || url.Query.Length > 0) throw new ArgumentException($"{url}: give http://HOST:PORT without a path");
        var host = url.Host.Trim('[', ']');
        var ip = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed
            : throw new ArgumentException($"{url}: the host must be an IP address (0.0.0.0 for every interface) or localhost, not a name");
        return new IPEndPoint(ip, url.Port);
    }

    static void Map(WebApplication app, IAnnotationRounds rounds, LeaseBook leases, PageAccess access)
    {
        app.MapGet("/", () => Results.Bytes(PageFiles.Index(access), "text/html; charset=utf-8"));
        app.MapGet("/{file}", (string file) => file is "app.js" or "app.css" && PageFiles.Get(file) is var (content, type) ? Results.Bytes(content, type) : Results.NotFound());

        app.MapGet("/api/round", (HttpRequest request) =>
        {
            var situation = rounds.Current();
            var you = Annotator.Of(request).Annotator is { } who && situation.Round is { } r ? Pace(r, who.Name) : null;
            return Results.Json(new RoundView(situation.Round is null ? situation.Situation : null, Summary(situation.Round, leases), you), Json);
        });

        app.MapPost("/api/next", (HttpRequest request) => WithAnnotator(request, who =>
        {
            var situation = rounds.Current();
            if (situation.Round is not { } round) return Results.Json(new NextView(null, situation.Situation), Json);
            var next = leases.Next(round, who.Session);
            if (next is null)
            {
                int open = round.Regions.Count - round.Labels.Count;
                return Results.Json(new NextView(null, open > 0
                    ? $"the other {open} open regions are with other annotators; they come back here if a lease of {leases.Duration.TotalMinutes:0} minutes runs out"
                    : "every region of this round is labeled"), Json);
            }
            return Results.Json(new NextView(new LeasedRegion(round.Experiment, round.Cycle, next.Image, next.Region, next.Top, next.Bottom, next.Left, next.Right,
                !round.Initial, leases.Duration.TotalSeconds), null), Json);
        }));

        app.MapPost("/api/skip", (HttpRequest request) => WithAnnotator(request, async who =>
        {
            var posted = await Read<RegionRef>(request);
            if (posted.Error is not null) return posted.Error;
            var (round, region, refusal) = Locate(rounds, posted.Value!.Experiment, posted.Value.Cycle, posted.Value.Image, posted.Value.Region);
            if (refusal is not null) return refusal;
            leases.Skip(round!, who.Session, region!.Key);
            return Results.NoContent();
        }));

        app.MapPost("/api/labels", (HttpRequest request) => WithAnnotator(request, async who =>
        {
            var posted = await Read<LabelPost>(request);
            if (posted.Error is not null) return posted.Error;
            var label = posted.Value!;
            var (round, region, refusal) = Locate(rounds, label.Experiment, label.Cycle, label.Image, label.Region);
            if (refusal is not null) return refusal;
            byte[] mask;
            try { mask = Convert.FromBase64String(label.Mask); }
            catch (FormatException) { return Bad("mask: not base64"); }
            if (mask.Length != region!.Pixels)
                return Bad($"mask: {mask.Length} pixels, but region {region.Key} is {region.Bottom - region.Top}x{region.Right - region.Left} ({region.Pixels} pixels)");
            if (mask.All(v => v == 255)) return Bad($"region {region.Key}: no pixel is labeled; paint it or skip it");
            if (!double.IsFinite(label.Seconds) || label.Seconds < 0) return Bad($"seconds: {label.Seconds} is not a duration");
            if (leases.IsHeldByOther(round!, who.Session, region.Key))
                return Results.Json(new Problem($"region {region.Key} is leased to another annotator"), Json, statusCode: StatusCodes.Status409Conflict);
            SubmitOutcome outcome;
            try { outcome = await rounds.Submit(round!, new RegionSubmission(region, mask, who.Name, Math.Min(label.Seconds, 86400)), request.HttpContext.RequestAborted); }
            catch (InvalidDataException e) { return Bad(e.Message); }
            catch (IOException e) { return Results.Json(new Problem(e.Message), Json, statusCode: StatusCodes.Status503ServiceUnavailable); }
            if (!outcome.Accepted) return Results.Json(new Problem(outcome.Refusal!), Json, statusCode: StatusCodes.Status409Conflict);
            leases.Submitted(round!, region.Key);
            return Results.Json(new LabelStored(outcome.RegionsLabeled, outcome.RegionsQueried), Json);
        }));

        app.MapGet("/api/images/{image:int}", async (int image, HttpContext context) =>
        {
            if (rounds.Current().Round is not { } round || !round.HasImage(image)) return Results.NotFound();
            var png = await rounds.ImagePng(round, image, context.RequestAborted);
            // A pool image never changes; the prediction below does with the round's model.
            context.Response.Headers.CacheControl = "private, max-age=3600";
            return Results.Bytes(png, "image/png");
        });

        app.MapGet("/api/images/{image:int}/prediction", async (int image, HttpContext context) =>
        {
            if (rounds.Current().Round is not { } round || !round.HasImage(image)) return Results.NotFound();
            var prediction = await rounds.Prediction(round, image, context.RequestAborted);
            return prediction is null ? Results.NotFound() : Results.Bytes(prediction, "application/octet-stream");
        });
    }

    static RoundSummary? Summary(AnnotationRound? round, LeaseBook leases) => round is null ? null
        : new RoundSummary(round.Experiment, round.Cycle, round.Initial, round.Regions.Count, round.Labels.Count, leases.InProgress(round),
            round.Height, round.Width, round.Classes, round.Next);

    static AnnotatorPace Pace(AnnotationRound round, string name)
    {
        var mine = round.Labels.Values.Where(l => string.Equals(l.Annotator, name, StringComparison.Ordinal)).ToList();
        double seconds = mine.Sum(l => l.Seconds ?? 0);
        int timed = mine.Count(l => l.Seconds is not null);
        return new AnnotatorPace(name, mine.Count, seconds, timed > 0 && seconds > 0 ? 60 * timed / seconds : null);
    }

    /// <summary>The current round and the region a request names, or the reason they do not match (the round moved on, an unknown region).</summary>
    static (AnnotationRound? Round, RoundRegion? Region, IResult? Refusal) Locate(IAnnotationRounds rounds, string experiment, int cycle, int image, int region)
    {
        var situation = rounds.Current();
        if (situation.Round is not { } round || round.Experiment != experiment || round.Cycle != cycle)
            return (null, null, Results.Json(new Problem($"the round of cycle {cycle} is over: {situation.Round?.Key ?? situation.Situation}"), Json, statusCode: StatusCodes.Status409Conflict));
        var found = round.Find(new RegionKey(image, region));
        return found is null ? (null, null, Bad($"region {image}:{region} is not queried in cycle {cycle}")) : (round, found, null);
    }

    static async Task<(T? Value, IResult? Error)> Read<T>(HttpRequest request) where T : class
    {
        if (!request.HasJsonContentType()) return (null, Results.Json(new Problem("send application/json"), Json, statusCode: StatusCodes.Status415UnsupportedMediaType));
        try { return (await request.ReadFromJsonAsync<T>(Json, request.HttpContext.RequestAborted) ?? throw new JsonException("null"), null); }
        catch (JsonException e) { return (null, Bad($"malformed JSON: {e.Message}")); }
        catch (BadHttpRequestException e) { return (null, Results.Json(new Problem(e.Message), Json, statusCode: e.StatusCode)); }
    }

    static Task<IResult> WithAnnotator(HttpRequest request, Func<Annotator, Task<IResult>> handle)
    {
        var (who, error) = Annotator.Of(request);
        return who is null ? Task.FromResult(Bad(error!)) : handle(who);
    }

    static Task<IResult> WithAnnotator(HttpRequest request, Func<Annotator, IResult> handle) => WithAnnotator(request, who => Task.FromResult(handle(who)));

    static IResult Bad(string error) => Results.Json(new Problem(error), Json, statusCode: StatusCodes.Status400BadRequest);

    public async Task StopAsync(CancellationToken cancel = default) => await _app.StopAsync(cancel);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
