using System.Diagnostics;

namespace S4AL.Node.Tests;

/// <summary>Runs the real `s4al` program (built next to the tests) as a child process, as a user would.</summary>
public static class S4alProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(params string[] args) => Run(TimeSpan.FromMinutes(5), args);

    public static Result Run(TimeSpan timeout, params string[] args) => Run(timeout, null, args);

    public static Result Run(TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "s4al.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        // The machine's own S4AL_* and OTEL_* settings (a device, an OTLP endpoint) must not change what a test sees.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("S4AL_", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(inherited);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"s4al {string.Join(' ', args)} did not finish in {timeout}");
        }
        return new Result(process.ExitCode, output.Result, error.Result);
    }
}
