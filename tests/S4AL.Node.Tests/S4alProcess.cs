using System.Diagnostics;

namespace S4AL.Node.Tests;

/// <summary>Runs the real `s4al` program (built next to the tests) as a child process, as a user would.</summary>
public static class S4alProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(params string[] args) => Run(TimeSpan.FromMinutes(5), args);

    public static Result Run(TimeSpan timeout, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "s4al.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
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
