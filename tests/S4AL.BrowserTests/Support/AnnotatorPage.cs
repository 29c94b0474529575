using System.Globalization;
using Microsoft.Playwright;

namespace S4AL.BrowserTests.Support;

/// <summary>A region as the page shows it: its ids and rectangle, and the part of the image drawn around it.</summary>
public sealed record ShownRegion(int Image, int Region, int Top, int Bottom, int Left, int Right, int CropX, int CropY, int Scale, int Pad)
{
    public string Id => $"{Image}:{Region}";
    public int Width => Right - Left;
    public int Height => Bottom - Top;
}

/// <summary>
/// One annotator at the page in a browser context of their own (their own storage, so their own
/// session and leases), driven through what a person uses: the name form, keys, buttons, the mouse.
/// Console errors and uncaught exceptions of the page are collected.
/// </summary>
public sealed class AnnotatorPage : IAsyncDisposable
{
    /// <summary>Generous: a new round comes after a cycle's training and scoring, on a machine other tests share.</summary>
    static readonly float Timeout = 180_000;

    readonly IBrowserContext _context;

    AnnotatorPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, m) => { if (m.Type == "error") lock (Errors) Errors.Add(m.Text); };
        page.PageError += (_, e) => { lock (Errors) Errors.Add(e); };
    }

    public IPage Page { get; }
    public List<string> Errors { get; } = new();

    public static async Task<AnnotatorPage> Open(IBrowser browser, Uri link, string name)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 760 } });
        var page = new AnnotatorPage(context, await context.NewPageAsync());
        await page.Page.GotoAsync(link.ToString());
        await page.Page.GetByLabel("Your name").FillAsync(name);
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Start labeling" }).ClickAsync();
        return page;
    }

    /// <summary>Waits until the page shows a region ready to label other than <paramref name="previous"/>.</summary>
    public async Task<ShownRegion> NextRegion(ShownRegion? previous = null)
    {
        await Page.WaitForFunctionAsync(
            "previous => document.body.dataset.state === 'ready' && document.getElementById('view').dataset.region !== previous",
            previous?.Id ?? "", new PageWaitForFunctionOptions { Timeout = Timeout, PollingInterval = 20 });
        return await Shown();
    }

    /// <summary>The next region other than <paramref name="previous"/>, or null when the page has nothing for this annotator.</summary>
    public async Task<ShownRegion?> NextRegionOrNone(ShownRegion? previous)
    {
        await Page.WaitForFunctionAsync(
            "previous => document.body.dataset.state === 'waiting' || (document.body.dataset.state === 'ready' && document.getElementById('view').dataset.region !== previous)",
            previous?.Id ?? "", new PageWaitForFunctionOptions { Timeout = Timeout, PollingInterval = 20 });
        return await Page.EvaluateAsync<string>("() => document.body.dataset.state") == "ready" ? await Shown() : null;
    }

    public Task Skip() => Page.GetByRole(AriaRole.Button, new() { Name = "Skip" }).ClickAsync();

    public async Task<ShownRegion> Shown()
    {
        var view = Page.Locator("#view");
        int[] Ints(string? text) => text!.Split(',', ':').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var id = Ints(await view.GetAttributeAsync("data-region"));
        var rect = Ints(await view.GetAttributeAsync("data-rect"));
        var crop = Ints(await view.GetAttributeAsync("data-crop"));
        var scale = Ints(await view.GetAttributeAsync("data-scale"))[0];
        var pad = Ints(await view.GetAttributeAsync("data-pad"))[0];
        return new ShownRegion(id[0], id[1], rect[0], rect[1], rect[2], rect[3], crop[0], crop[1], scale, pad);
    }

    /// <summary>Waits until the page has nothing to hand this annotator (a round ended, or the rest is leased to others).</summary>
    public Task Waiting() => Page.WaitForFunctionAsync("() => document.body.dataset.state === 'waiting'", null, new PageWaitForFunctionOptions { Timeout = Timeout });

    public async Task<string> Progress() => await Page.Locator("#progress").InnerTextAsync();

    /// <summary>Chooses the class by its key (1-9: the palette's first nine).</summary>
    public Task ChooseByKey(int classIndex) => Page.Keyboard.PressAsync((classIndex + 1).ToString(CultureInfo.InvariantCulture));

    /// <summary>The common case: one click fills the whole region with the chosen class.</summary>
    public Task FillRegion() => Page.GetByRole(AriaRole.Button, new() { Name = "Fill region" }).ClickAsync();

    public async Task BrushSize(int size) => await Page.Locator("#size").FillAsync(size.ToString(CultureInfo.InvariantCulture));

    /// <summary>A brush stroke (mouse down at one pixel, moved to another, up), in image pixel coordinates.</summary>
    public async Task Stroke(ShownRegion shown, (int X, int Y) from, (int X, int Y) to)
    {
        var (fx, fy) = await ScreenPoint(shown, from);
        var (tx, ty) = await ScreenPoint(shown, to);
        await Page.Mouse.MoveAsync(fx, fy);
        await Page.Mouse.DownAsync();
        await Page.Mouse.MoveAsync(tx, ty, new MouseMoveOptions { Steps = 12 });
        await Page.Mouse.UpAsync();
    }

    async Task<(float X, float Y)> ScreenPoint(ShownRegion shown, (int X, int Y) pixel)
    {
        // The canvas is drawn at one canvas pixel per CSS pixel: the image's pixels are `scale` wide, inside a border of `pad`.
        var box = await Page.Locator("#view").BoundingBoxAsync() ?? throw new InvalidOperationException("the canvas is not shown");
        return (box.X + shown.Pad + (pixel.X - shown.CropX + 0.5f) * shown.Scale, box.Y + shown.Pad + (pixel.Y - shown.CropY + 0.5f) * shown.Scale);
    }

    public Task Submit() => Page.GetByRole(AriaRole.Button, new() { Name = "Submit and next" }).ClickAsync();

    /// <summary>Milliseconds from the last submit to the next region drawn, as the page measured it.</summary>
    public async Task<double> SubmitToShownMs() =>
        double.Parse(await Page.Locator("#view").GetAttributeAsync("data-submit-to-shown-ms") ?? "NaN", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
