using System.Net;
using System.Net.Http.Json;
using System.Text;
using S4AL.Annotation.Web;

namespace S4AL.Annotation.Web.Tests;

/// <summary>The page's HTTP API on a real Kestrel (loopback, any free port) over a fake round.</summary>
public class AnnotationPageApiTests : IAsyncLifetime
{
    readonly FakeRounds _rounds = new();
    AnnotationPage _page = null!;
    HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _page = await AnnotationPage.StartAsync(new AnnotationPageOptions { Url = new Uri("http://127.0.0.1:0"), MaxBodyBytes = 4096 }, _rounds);
        _http = new HttpClient { BaseAddress = _page.Address };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _page.DisposeAsync();
    }

    HttpRequestMessage Post(string path, string json, string? token = null, string name = "ana", string session = "session-0123456789")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if ((token ?? _page.Access.Token) is { Length: > 0 } t) request.Headers.Add(PageAccess.TokenHeader, t);
        request.Headers.Add(Annotator.NameHeader, Uri.EscapeDataString(name));
        request.Headers.Add(Annotator.SessionHeader, session);
        return request;
    }

    static string Label(int region, byte[] mask, double seconds = 2.5) =>
        $$"""{"experiment":"exp","cycle":3,"image":7,"region":{{region}},"mask":"{{Convert.ToBase64String(mask)}}","seconds":{{seconds}}}""";

    [Fact]
    public async Task The_page_embeds_its_token_and_states_changes_need_it_in_a_header()
    {
        var html = await _http.GetStringAsync("/");
        Assert.Contains($"content=\"{_page.Access.Token}\"", html);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(Post("/api/next", "{}", token: ""))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(Post("/api/next", "{}", token: "0123456789abcdef0123"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(Post("/api/next", "{}"))).StatusCode);
    }

    [Fact]
    public async Task A_label_is_recorded_with_its_annotator_and_seconds_and_bad_ones_are_refused_naming_why()
    {
        var ok = await _http.SendAsync(Post("/api/labels", Label(1, [0, 1, 1, 255]), name: "Zoë Ann"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var stored = Assert.Single(_rounds.Submitted);
        Assert.Equal(("Zoë Ann", 2.5, new RegionKey(7, 1)), (stored.Annotator, stored.Seconds, stored.Region.Key));
        Assert.Equal([0, 1, 1, 255], stored.Mask);

        async Task<string> Refused(HttpRequestMessage request, HttpStatusCode status)
        {
            var response = await _http.SendAsync(request);
            Assert.Equal(status, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<PageMessages.Problem>())!.Error;
        }
        Assert.Contains("3 pixels, but region 7:1 is 2x2", await Refused(Post("/api/labels", Label(1, [0, 1, 1])), HttpStatusCode.BadRequest));
        Assert.Contains("no pixel is labeled", await Refused(Post("/api/labels", Label(1, [255, 255, 255, 255])), HttpStatusCode.BadRequest));
        Assert.Contains("value 9", await Refused(Post("/api/labels", Label(1, [9, 0, 0, 0])), HttpStatusCode.BadRequest));
        Assert.Contains("region 7:9 is not queried", await Refused(Post("/api/labels", Label(9, [0, 0, 0, 0])), HttpStatusCode.BadRequest));
        Assert.Contains("round of cycle 2 is over", await Refused(Post("/api/labels", Label(1, [0, 0, 0, 0]).Replace("\"cycle\":3", "\"cycle\":2")), HttpStatusCode.Conflict));
        Assert.Contains("give your name", await Refused(Post("/api/labels", Label(1, [0, 0, 0, 0]), name: ""), HttpStatusCode.BadRequest));
        Assert.Contains("malformed JSON", await Refused(Post("/api/labels", "{\"experiment\":"), HttpStatusCode.BadRequest));
        Assert.Single(_rounds.Submitted);
    }

    [Fact]
    public async Task A_region_leased_to_another_session_is_refused_to_a_second_one()
    {
        var next = await (await _http.SendAsync(Post("/api/next", "{}", session: "session-aaaaaaaaaaaa"))).Content.ReadFromJsonAsync<PageMessages.NextView>();
        var region = next!.Region!;
        var response = await _http.SendAsync(Post("/api/labels", Label(region.Region, [0, 0, 0, 0]), session: "session-bbbbbbbbbbbb"));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Empty(_rounds.Submitted);
    }

    [Fact]
    public async Task Bodies_over_the_limit_are_refused_and_images_are_served_by_queried_index_only()
    {
        var huge = await _http.SendAsync(Post("/api/labels", Label(1, new byte[8000])));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/api/images/7")).StatusCode);
        Assert.Equal("image/png", (await _http.GetAsync("/api/images/7")).Content.Headers.ContentType!.MediaType);
        foreach (var path in new[] { "/api/images/8", "/api/images/..%2f..%2fetc%2fpasswd", "/api/images/7.png", "/../../etc/passwd", "/index.html", "/app.js.map" })
            Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Answers_carry_headers_that_keep_other_sites_out()
    {
        var response = await _http.GetAsync("/");
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/round");
        rebound.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.SendAsync(rebound)).StatusCode);
    }

    [Fact]
    public async Task On_every_interface_it_generates_a_token_that_every_request_needs()
    {
        // Listening on 0.0.0.0 for a moment; the requests go to 127.0.0.1 only.
        await using var open = await AnnotationPage.StartAsync(new AnnotationPageOptions { Url = new Uri("http://0.0.0.0:0") }, _rounds);
        Assert.True(open.Access.Generated);
        var local = new UriBuilder(open.Address) { Host = "127.0.0.1" }.Uri;
        using var http = new HttpClient { BaseAddress = local };
        foreach (var path in new[] { "/", "/app.js", "/api/round", "/api/images/7" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(path)).StatusCode);
        Assert.Equal($"?token={open.Access.Token}", open.Link.Query);
        var page = await http.GetStringAsync(open.Link.PathAndQuery);
        Assert.Contains($"app.js?token={open.Access.Token}", page);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/app.js?token={open.Access.Token}")).StatusCode);
    }
}
