using Microsoft.Playwright;

namespace S4AL.BrowserTests.Support;

/// <summary>
/// Debian's chromium under Playwright, one per test run. Playwright's own browser downloads are
/// never used (nothing is downloaded here): `apt-get install chromium` provides /usr/bin/chromium,
/// which .ci/run installs.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string Executable = "/usr/bin/chromium";

    IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"{Executable} is missing: install Debian's chromium (apt-get install chromium); the browser tests drive it");
        _playwright = await Playwright.CreateAsync();
        // No sandbox: the tests run as root in CI, where chromium refuses to start with one.
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Executable, Headless = true, Args = ["--no-sandbox"] });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
    }
}

/// <summary>The browser tests share one chromium and run one after the other (2 cores; each starts an `s4al run`).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Chromium>
{
    public const string Name = "browser";
}
