using System.Diagnostics;
using Npgsql;

namespace S4AL.IntegrationTests;

/// <summary>
/// A throw-away PostgreSQL server (Debian's package, `apt-get install postgresql`) in a temporary
/// folder on a free port, started and stopped by the tests themselves; one database per test.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    readonly string _bin;
    readonly string _dir;
    readonly bool _asPostgres;

    public PostgresServer()
    {
        _bin = (Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [])
            .OrderDescending().Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql); the cluster tests start their own server with it");
        _dir = Path.Combine(Path.GetTempPath(), "s4al-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dir);
        // initdb refuses to run as root: run the server as the package's postgres user then.
        _asPostgres = Environment.UserName == "root";
        if (_asPostgres) Run("chown", "postgres", _dir);
        Port = Ports.Free();
        var data = Path.Combine(_dir, "data");
        Pg("initdb", "-D", data, "-A", "trust", "-U", "s4al", "--no-sync");
        Pg("pg_ctl", "-D", data, "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "300", "start",
            "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off");
    }

    public int Port { get; }

    /// <summary>A new, empty database.</summary>
    public string NewDatabase()
    {
        var name = "s4al_" + Guid.NewGuid().ToString("N")[..10];
        using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=s4al;Database=postgres");
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        command.ExecuteNonQuery();
        return $"Host=127.0.0.1;Port={Port};Username=s4al;Database={name}";
    }

    void Pg(string tool, params string[] args)
    {
        var exe = Path.Combine(_bin, tool);
        if (_asPostgres) Run("runuser", ["-u", "postgres", "--", exe, .. args]);
        else Run(exe, args);
    }

    static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2))) { p.Kill(); throw new TimeoutException($"{file} {string.Join(' ', args)} hung"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {output.Result} {error.Result}");
    }


    public void Dispose()
    {
        try { Pg("pg_ctl", "-D", Path.Combine(_dir, "data"), "-m", "immediate", "stop"); } catch (InvalidOperationException) { }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
