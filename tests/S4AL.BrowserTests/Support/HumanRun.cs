using System.Text.Json;
using System.Text.RegularExpressions;
using S4AL.IntegrationTests;
using S4AL.Learning.Data.Images;

namespace S4AL.BrowserTests.Support;

/// <summary>
/// `s4al run --annotator human` as a real process on generated scenes (tiny network, 32x48 images),
/// serving the annotation page on a port of its own; killed and resumed like a user would.
/// </summary>
public sealed class HumanRun : IDisposable
{
    public const int Height = 32, Width = 48;
    static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);

    readonly string[] _access;
    S4alRun _process;

    HumanRun(string runDir, Uri url, string[] access, S4alRun process)
    {
        RunDir = runDir;
        Url = url;
        _access = access;
        _process = process;
        Link = AwaitPage();
    }

    public string RunDir { get; }
    /// <summary>The address the page was asked to listen on (the same after a restart).</summary>
    public Uri Url { get; }
    /// <summary>The address s4al printed: the page to open.</summary>
    public Uri Link { get; private set; }
    public string Output => _process.Output + _process.Error;

    /// <summary>
    /// A human run whose initial round queries two pool images (of 5, one batch) in full: <c>2 * (48/regionSize) * (32/regionSize)</c>
    /// regions (12 of 16 px, 48 of 8 px). Cycle 0 then queries one region in each of the other 3 images; cycle 1 is the last.
    /// </summary>
    public static HumanRun Start(string name, int regionSize = 16, params string[] access)
    {
        // A folder of its own, deleted when the test process exits.
        var dir = Path.Combine(S4AL.Actors.Tests.Support.TestFolders.ForProcess("s4al-browser"), name);
        var url = new Uri($"http://127.0.0.1:{Ports.Free()}");
        string[] args =
        [
            "run", "--dataset", "synthetic", "--pool-size", "5", "--val-size", "4", "--height", $"{Height}", "--width", $"{Width}", "--net", "tiny",
            "--region-size", $"{regionSize}", "--cycles", "1", "--epochs", "1", "--iters", "2", "--batch", "2", "--initial-share", "0.2",
            "--budget", "per-image", "--regions-per-image", "1", "--shard-size", "5", "--threads", "1", "--seed", "5", "--checkpoint-interval", "0",
            "--annotator", "human", "--run-dir", dir, "--annotate-url", url.ToString().TrimEnd('/'), .. access,
        ];
        return new HumanRun(dir, url, access, S4alRun.Start(null, args));
    }

    /// <summary>SIGKILL: no shutdown, like a power cut.</summary>
    public void Kill() => _process.Kill();

    /// <summary>The same run again (`s4al run --run-dir DIR`), with the page at the same address.</summary>
    public void Resume()
    {
        _process.Dispose();
        _process = S4alRun.Start(null, ["run", "--run-dir", RunDir, "--annotate-url", Url.ToString().TrimEnd('/'), .. _access]);
        Link = AwaitPage();
    }

    Uri AwaitPage()
    {
        _process.WaitFor(@"annotation page: http://\S+", Wait);
        return new Uri(Regex.Match(_process.Output, @"annotation page: (http://\S+)").Groups[1].Value);
    }

    /// <summary>Where the run stands, from `s4al status --json` (the journal).</summary>
    public (int Cycle, string Phase, int Labeled, int Queried) Status() =>
        TryStatus() ?? throw new InvalidOperationException($"`s4al status` cannot read the run folder yet; output:\n{Output}");

    /// <summary>Null while the run folder has no journal yet (the run is starting).</summary>
    (int Cycle, string Phase, int Labeled, int Queried)? TryStatus()
    {
        var status = S4alRun.Complete(null, "status", "--run-dir", RunDir, "--json");
        if (status.ExitCode != 0) return null;
        using var json = JsonDocument.Parse(status.Output);
        if (json.RootElement.GetArrayLength() == 0) return null;
        var s = json.RootElement[0];
        var annotation = s.GetProperty("annotation");
        return annotation.ValueKind == JsonValueKind.Object
            ? (s.GetProperty("cycle").GetInt32(), s.GetProperty("phase").GetString()!, annotation.GetProperty("regionsLabeled").GetInt32(), annotation.GetProperty("regionsQueried").GetInt32())
            : (s.GetProperty("cycle").GetInt32(), s.GetProperty("phase").GetString()!, 0, 0);
    }

    /// <summary>Polls the status until <paramref name="done"/> holds (the run must keep going meanwhile).</summary>
    public (int Cycle, string Phase, int Labeled, int Queried) AwaitStatus(Func<(int Cycle, string Phase, int Labeled, int Queried), bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (TryStatus() is { } status && done(status)) return status;
            if (_process.HasExited) throw new InvalidOperationException($"s4al exited before {what}: {Output}");
            Thread.Sleep(300);
        }
        throw new TimeoutException($"not within {Wait}: {what}; last status {TryStatus()}; output:\n{Output}");
    }

    /// <summary>The initial round, once the run waits for it: the number of regions it queries.</summary>
    public int AwaitInitialRound() => AwaitStatus(s => s.Queried > 0, "the initial round").Queried;

    /// <summary>Once the round's last label is in: the run has moved on (training, or already the next round).</summary>
    public (int Cycle, string Phase, int Labeled, int Queried) AwaitRoundEnd(string what) =>
        AwaitStatus(s => s.Phase != "annotating" || s.Labeled < s.Queried, what);

    /// <summary>The label store's file of a pool image (Height*Width; 255 = not labeled).</summary>
    public byte[] StoredLabels(int image) => ImageFiles.ReadLabels(Path.Combine(RunDir, "labels", $"{image:D5}.png")).Pixels;

    public void Dispose() => _process.Dispose();
}
