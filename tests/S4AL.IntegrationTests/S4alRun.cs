using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace S4AL.IntegrationTests;

/// <summary>A real `s4al` process (built next to the tests), with its output captured as it comes, so a test can wait for a moment and SIGKILL it.</summary>
public sealed class S4alRun : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();
    readonly StringBuilder _error = new();

    S4alRun(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_error) _error.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output { get { lock (_output) return _output.ToString(); } }
    public string Error { get { lock (_error) return _error.ToString(); } }
    public int ExitCode => _process.ExitCode;
    public bool HasExited => _process.HasExited;

    /// <summary>s4al.dll in the Node project's output (see the project file for why not the copy next to the tests).</summary>
    public static string Program { get; } = Path.Combine(OutputFolder("S4alDirectory"), "s4al.dll");

    /// <summary>Set in a run's environment: its shard i waits (i + 1) times this many milliseconds (tests/S4AL.TestNode).</summary>
    public const string ScorerDelay = "S4AL_TEST_SCORER_DELAY_MS";

    /// <summary>The same program with the test-only faults of tests/S4AL.TestNode.</summary>
    static string TestProgram { get; } = Path.Combine(OutputFolder("S4alTestDirectory"), "s4al-test.dll");

    static string OutputFolder(string key) =>
        typeof(S4alRun).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static S4alRun Start(IReadOnlyDictionary<string, string>? environment, params string[] args) => StartIn(null, environment, args);

    /// <summary>Starts s4al in <paramref name="workingDirectory"/> (null: the tests' own), so relative paths resolve there.</summary>
    public static S4alRun StartIn(string? workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        start.ArgumentList.Add(environment?.ContainsKey(ScorerDelay) == true ? TestProgram : Program);
        foreach (var a in args) start.ArgumentList.Add(a);
        // The machine's own S4AL_* and OTEL_* settings (a device, an OTLP endpoint) must not change what a test sees.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("S4AL_", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(inherited);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        return new S4alRun(Process.Start(start)!);
    }

    /// <summary>Runs to the end and returns the finished run.</summary>
    public static S4alRun Complete(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var run = Start(environment, args);
        run.WaitForExit(TimeSpan.FromMinutes(5));
        return run;
    }

    public void WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"s4al did not finish within {timeout}; output:\n{Output}\n{Error}");
        }
        _process.WaitForExit();
    }

    /// <summary>Waits until <paramref name="text"/> (or, with a file, its content) matches <paramref name="pattern"/>.</summary>
    public void WaitFor(string pattern, TimeSpan timeout, string? file = null)
    {
        var regex = new Regex(pattern);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            var text = file is null ? Output : File.Exists(file) ? ReadShared(file) : "";
            if (regex.IsMatch(text)) return;
            if (_process.HasExited) throw new InvalidOperationException($"s4al exited (code {_process.ExitCode}) before '{pattern}' appeared; output:\n{Output}\n{Error}");
            Thread.Sleep(50);
        }
        throw new TimeoutException($"'{pattern}' did not appear within {timeout}; output:\n{Output}");
    }

    /// <summary>SIGTERM, as `docker stop` sends: the process should shut down on its own.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: no shutdown hook, no flush, like a power cut of the process.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
