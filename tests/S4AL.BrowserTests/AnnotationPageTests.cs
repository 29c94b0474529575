using System.Net;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using S4AL.BrowserTests.Support;
using Xunit.Abstractions;

namespace S4AL.BrowserTests;

/// <summary>
/// The annotation page of `s4al run --annotator human` in chromium: what people paint is what the
/// label store holds, pixel for pixel; labels survive a SIGKILL of the node; two annotators never
/// meet on one region; the token is enforced; the last label of a round starts the next cycle.
/// </summary>
[Collection(BrowserCollection.Name)]
public class AnnotationPageTests(Chromium chromium, ITestOutputHelper output)
{
    const int Unlabeled = 255;

    [Fact]
    public async Task Fill_and_brush_labels_are_stored_exactly_survive_a_kill_and_the_last_one_starts_the_next_cycle()
    {
        using var run = HumanRun.Start("paint");
        int initial = run.AwaitInitialRound();
        Assert.Equal(12, initial);
        await using var ana = await AnnotatorPage.Open(chromium.Browser, run.Link, "ana");

        // One click: the whole region in class 2 (chosen with key 3).
        var a = await ana.NextRegion();
        await ana.ChooseByKey(2);
        await ana.FillRegion();
        await ana.Submit();
        var expectedA = Mask(a, 2);

        // The brush: class 1 everywhere, a 1-pixel stroke of class 4 along a row, a 3-pixel dab of class 6.
        var b = await ana.NextRegion(a);
        await ana.ChooseByKey(1);
        await ana.FillRegion();
        await ana.ChooseByKey(4);
        await ana.BrushSize(1);
        await ana.Stroke(b, (b.Left + 1, b.Top + 2), (b.Right - 2, b.Top + 2));
        await ana.ChooseByKey(6);
        await ana.BrushSize(3);
        await ana.Stroke(b, (b.Left + 5, b.Top + 8), (b.Left + 5, b.Top + 8));
        await ana.Submit();
        var expectedB = Mask(b, 1);
        for (int x = b.Left + 1; x <= b.Right - 2; x++) expectedB[2 * b.Width + x - b.Left] = 4;
        for (int y = 7; y <= 9; y++)
            for (int x = 4; x <= 6; x++) expectedB[y * b.Width + x] = 6;

        var c = await ana.NextRegion(b);
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal(2, run.Status().Labeled);
        AssertStored(run, a, expectedA);
        AssertStored(run, b, expectedB);
        Assert.Empty(ana.Errors);

        // A power cut of the node; the same command again; the page reloaded.
        run.Kill();
        run.Resume();
        await ana.Page.ReloadAsync();
        // While the node was down the page's requests failed (console errors); from here on there must be none.
        lock (ana.Errors) ana.Errors.Clear();
        var shown = await ana.NextRegion();
        Assert.DoesNotContain(shown.Id, new[] { a.Id, b.Id });
        Assert.Contains($"2 of {initial} regions labeled", await ana.Progress());
        // The seconds per region are in the journal: the page computes the pace from them.
        await ana.Page.WaitForFunctionAsync("() => document.getElementById('you').textContent.includes('per minute')");
        AssertStored(run, a, expectedA);
        AssertStored(run, b, expectedB);

        // The rest, one click each; the last label of the round starts cycle 0's training.
        var labeled = new HashSet<string> { a.Id, b.Id };
        while (true)
        {
            Assert.True(labeled.Add(shown.Id), $"region {shown.Id} was handed out again after its label");
            await ana.ChooseByKey(3);
            await ana.FillRegion();
            await ana.Submit();
            if (labeled.Count == initial) break;
            shown = await ana.NextRegion(shown);
        }
        output.WriteLine($"after the last label of the initial round: {run.AwaitRoundEnd("cycle 0 starting after the initial round's last label")}");

        // The page moves on by itself to cycle 0's regions, which start from the model's prediction.
        var next = await ana.NextRegion(shown);
        var cycle0 = run.Status();
        Assert.Equal((0, "annotating", 0, 3), cycle0);
        Assert.StartsWith("Cycle 0: 0 of 3 regions labeled", await ana.Progress());
        var start = await ana.Page.EvaluateAsync<int[]>("() => Array.from(document.getElementById('view').dataset.region.split(':'), Number)");
        Assert.Equal([next.Image, next.Region], start);
        await Docs.Screenshot(ana.Page, "annotation-page.png");
        Assert.Empty(ana.Errors);
    }

    [Fact]
    public async Task Two_annotators_never_get_the_same_region_and_a_skipped_region_goes_back_to_the_queue()
    {
        using var run = HumanRun.Start("two");
        int initial = run.AwaitInitialRound();
        await using var ana = await AnnotatorPage.Open(chromium.Browser, run.Link, "ana");
        var skipped = await ana.NextRegion();
        await using var ben = await AnnotatorPage.Open(chromium.Browser, run.Link, "ben");
        var benFirst = await ben.NextRegion();
        Assert.NotEqual(skipped.Id, benFirst.Id);

        await ana.Skip();
        var anaNext = await ana.NextRegion(skipped);
        Assert.NotEqual(benFirst.Id, anaNext.Id);

        var byAnnotator = new Dictionary<AnnotatorPage, HashSet<string>> { [ana] = new(), [ben] = new() };
        var current = new Dictionary<AnnotatorPage, ShownRegion?> { [ana] = anaNext, [ben] = benFirst };
        int rounds = 0;
        while (byAnnotator.Values.Sum(s => s.Count) < initial)
        {
            Assert.True(++rounds <= initial, "the round did not end");
            foreach (var who in new[] { ben, ana })
            {
                if (current[who] is not { } region) continue;
                await who.ChooseByKey(5);
                await who.FillRegion();
                await who.Submit();
                byAnnotator[who].Add(region.Id);
                var next = await who.NextRegionOrNone(region);
                // Ben's first label frees nothing of Ana's; the region Ana skipped is the first open one nobody holds.
                if (rounds == 1 && who == ben) Assert.Equal(skipped.Id, next?.Id);
                current[who] = next;
                if (current[ana] is { } x && current[ben] is { } y) Assert.NotEqual(x.Id, y.Id);
            }
        }
        Assert.Empty(byAnnotator[ana].Intersect(byAnnotator[ben]));
        Assert.Equal(initial, byAnnotator[ana].Union(byAnnotator[ben]).Count());
        Assert.NotEmpty(byAnnotator[ana]);
        Assert.NotEmpty(byAnnotator[ben]);
        run.AwaitRoundEnd("cycle 0 starting after both annotators labeled the round");
        Assert.Empty(ana.Errors);
        Assert.Empty(ben.Errors);

        // On loopback without a token, reading is open but a state-changing request needs the page's token in a header.
        using var http = new HttpClient { BaseAddress = run.Link };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("api/round")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("api/next", Json("{}"))).StatusCode);
        var wrong = new HttpRequestMessage(HttpMethod.Post, "api/next") { Content = Json("{}") };
        wrong.Headers.Add("X-S4AL-Token", "not-the-token-of-this-page");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        // A page of another site that rebinds its name to 127.0.0.1 is turned away by its Host.
        var rebound = new HttpRequestMessage(HttpMethod.Get, "api/round");
        rebound.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(rebound)).StatusCode);
    }

    [Fact]
    public async Task With_an_access_token_every_request_without_it_gets_401_and_the_page_with_it_works()
    {
        const string token = "browser-test-token-0123456789abcdef";
        using var run = HumanRun.Start("token", access: ["--annotate-token", token]);
        Assert.Equal($"?token={token}", run.Link.Query);
        using var http = new HttpClient { BaseAddress = run.Url };
        foreach (var path in new[] { "/", "/?token=wrong-token-0123456789", "/app.js", "/api/round", "/api/images/0" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(path)).StatusCode);
        var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/round");
        bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "wrong-token-0123456789");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(bearer)).StatusCode);
        var right = new HttpRequestMessage(HttpMethod.Get, "/api/round");
        right.Headers.Add("X-S4AL-Token", token);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(right)).StatusCode);

        // A browser given a wrong address gets 401; the printed one labels.
        var context = await chromium.Browser.NewContextAsync();
        var stranger = await (await context.NewPageAsync()).GotoAsync(new Uri(run.Url, "/?token=wrong-token-0123456789").ToString());
        Assert.Equal(401, stranger!.Status);
        await context.CloseAsync();
        await using var ana = await AnnotatorPage.Open(chromium.Browser, run.Link, "ana");
        var region = await ana.NextRegion();
        await ana.ChooseByKey(0);
        await ana.FillRegion();
        await ana.Submit();
        await ana.NextRegion(region);
        Assert.Equal(1, run.Status().Labeled);
        AssertStored(run, region, Mask(region, 0));
        Assert.Empty(ana.Errors);
    }

    [Fact]
    public async Task The_main_view_passes_axe_and_a_scripted_annotator_measures_the_one_click_pace()
    {
        // Regions of 8 px: the initial round queries 48 of them.
        using var run = HumanRun.Start("pace", regionSize: 8);
        int initial = run.AwaitInitialRound();
        await using var ana = await AnnotatorPage.Open(chromium.Browser, run.Link, "script");
        var shown = await ana.NextRegion();
        var axe = await ana.Page.RunAxe();
        Assert.True(axe.Violations.Length == 0, string.Join("\n", axe.Violations.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})")));
        await Docs.Screenshot(ana.Page, "annotation-page-initial.png");

        var latencies = new List<double>();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int labeled = 0;
        for (ShownRegion? next = shown; next is not null; labeled++)
        {
            Assert.True(labeled < initial, "more regions handed out than the round queried");
            await ana.ChooseByKey(labeled % 8);
            await ana.FillRegion();
            await ana.Submit();
            next = await ana.NextRegionOrNone(next);
            if (next is not null) latencies.Add(await ana.SubmitToShownMs());
        }
        watch.Stop();
        Assert.Equal(initial, labeled);
        run.AwaitRoundEnd("cycle 0 starting after the round's last label");
        Assert.Empty(ana.Errors);

        latencies.Sort();
        double perMinute = labeled / watch.Elapsed.TotalMinutes;
        output.WriteLine($"{labeled} regions in {watch.Elapsed.TotalSeconds:0.0} s: {perMinute:0} per minute; submit to next region shown: median {latencies[latencies.Count / 2]:0.0} ms, max {latencies[^1]:0.0} ms");
        Docs.Result("annotation-page", new
        {
            what = "scripted annotator at the annotation page (Playwright, Debian chromium, headless): per region choose a class by key, one click Fill region, one click Submit; s4al run --annotator human on the same machine",
            regions = labeled,
            regionPixels = "8x8",
            seconds = Math.Round(watch.Elapsed.TotalSeconds, 2),
            regionsPerMinute = Math.Round(perMinute, 1),
            submitToNextShownMs = new { median = latencies[latencies.Count / 2], p90 = latencies[(int)(0.9 * (latencies.Count - 1))], max = latencies[^1], samples = latencies.Count },
        });
    }

    static byte[] Mask(ShownRegion region, byte value) => Enumerable.Repeat(value, region.Width * region.Height).ToArray();

    /// <summary>The label store's file holds exactly <paramref name="expected"/> inside the region.</summary>
    static void AssertStored(HumanRun run, ShownRegion region, byte[] expected)
    {
        var stored = run.StoredLabels(region.Image);
        var inside = new byte[region.Width * region.Height];
        for (int y = 0; y < region.Height; y++)
            for (int x = 0; x < region.Width; x++) inside[y * region.Width + x] = stored[(region.Top + y) * HumanRun.Width + region.Left + x];
        Assert.Equal(expected, inside);
        Assert.DoesNotContain((byte)Unlabeled, inside);
    }

    static StringContent Json(string text) => new(text, System.Text.Encoding.UTF8, "application/json");
}
