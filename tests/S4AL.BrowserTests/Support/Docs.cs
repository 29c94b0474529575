using System.Text.Json;
using Microsoft.Playwright;

namespace S4AL.BrowserTests.Support;

/// <summary>
/// What the tests leave for the documentation when asked to (scripts/bench-annotation.sh sets
/// S4AL_DOCS to the repository's docs/ folder): screenshots of the page and the measured pace as
/// a benchmark result. Without it nothing is written: a test run leaves the repository alone.
/// </summary>
static class Docs
{
    static string? Folder => Environment.GetEnvironmentVariable("S4AL_DOCS") is { Length: > 0 } d ? Path.GetFullPath(d) : null;

    public static async Task Screenshot(IPage page, string name)
    {
        if (Folder is not { } folder) return;
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = false });
    }

    public static void Result(string name, object result)
    {
        if (Folder is not { } folder) return;
        var path = Path.Combine(folder, "results", $"{name}-{DateTime.UtcNow:yyyy-MM-dd}.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var commit = Environment.GetEnvironmentVariable("S4AL_COMMIT");
        File.WriteAllText(path, JsonSerializer.Serialize(new { date = DateTime.UtcNow.ToString("yyyy-MM-dd"), commit, machine = $"{Environment.ProcessorCount} cores", result },
            new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
