using Akka.Actor;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using S4AL.Actors.Coordinator;
using S4AL.Actors.Hosting;
using S4AL.Actors.Serialization;
using S4AL.Domain.Experiments;

namespace S4AL.Node.Runs;

/// <summary>
/// The files of a run folder and the exclusive lock that keeps a second process out of it
/// (released by the OS when the process dies, even by SIGKILL).
/// </summary>
public sealed class RunFolder : IDisposable
{
    public const string JournalFileName = "journal.db";
    public const string SettingsFileName = "settings.json";
    public const string LogFileName = "s4al.log";
    /// <summary>The Akka address of the process running the folder, for commands that talk to its coordinator (import, annotate).</summary>
    public const string AddressFileName = "node.address";
    const string LockFileName = ".s4al.lock";

    readonly FileStream _lock;

    RunFolder(string path, FileStream lockStream)
    {
        Path = path;
        _lock = lockStream;
    }

    public string Path { get; }
    public string Journal => System.IO.Path.Combine(Path, JournalFileName);
    public string Settings => System.IO.Path.Combine(Path, SettingsFileName);
    public string Log => System.IO.Path.Combine(Path, LogFileName);
    public bool HasJournal => File.Exists(Journal);
    public string AddressFile => System.IO.Path.Combine(Path, AddressFileName);

    /// <summary>Creates the folder if needed and takes its lock; throws if another process holds it.</summary>
    public static RunFolder Open(string path)
    {
        Directory.CreateDirectory(path);
        var lockPath = System.IO.Path.Combine(path, LockFileName);
        try
        {
            var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            using (var w = new StreamWriter(stream, leaveOpen: true)) w.Write(Environment.ProcessId);
            stream.Flush();
            return new RunFolder(path, stream);
        }
        catch (IOException)
        {
            throw new Commands.UsageException($"run folder {path} is in use by another s4al process (lock {lockPath})");
        }
    }

    /// <summary>
    /// The experiments of a run folder's journal, read without the folder's lock (safe while a
    /// process works in it: the journal is SQLite); errors name the folder.
    /// </summary>
    public static IReadOnlyList<ExperimentState> ReadExperiments(string runDir)
    {
        var dir = System.IO.Path.GetFullPath(runDir);
        if (!Directory.Exists(dir)) throw new Commands.UsageException($"--run-dir {runDir}: no such folder");
        var journal = System.IO.Path.Combine(dir, JournalFileName);
        if (!File.Exists(journal)) throw new Commands.UsageException($"--run-dir {runDir}: no run here (no {JournalFileName}; runs made with --runtime in-process have no journal)");
        CheckJournal(journal);
        var config = PersistenceOptions.Sqlite(journal).ToHocon()
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = ERROR\nakka.stdout-loglevel = OFF\nakka.log-dead-letters = off"));
        using var system = ActorSystem.Create("s4al-reader", BootstrapSetup.Create().WithConfig(config).And(S4alMessagePackSerializer.Setup()));
        try
        {
            return JournalReader.ReadAsync(system, new CoordinatorOptions().PersistenceId, TimeSpan.FromSeconds(60)).GetAwaiter().GetResult().Experiments.Values.ToList();
        }
        finally
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>The one experiment of a run folder of `s4al run`.</summary>
    public static ExperimentState ReadExperiment(string runDir) =>
        ReadExperiments(runDir) switch
        {
            [var only] => only,
            [] => throw new Commands.UsageException($"--run-dir {runDir}: the journal holds no experiment yet"),
            var many => many.FirstOrDefault(s => System.IO.Path.GetFullPath(s.Plan.RunDirectory) == System.IO.Path.GetFullPath(runDir))
                ?? throw new Commands.UsageException($"--run-dir {runDir}: the journal holds {many.Count} experiments, none with this run folder"),
        };

    /// <summary>Is a process working in the folder? (For status; does not take the lock.)</summary>
    public static bool IsInUse(string path)
    {
        var lockPath = System.IO.Path.Combine(path, LockFileName);
        if (!File.Exists(lockPath)) return false;
        try
        {
            using var _ = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException) { return true; }
    }

    /// <summary>Fails with one line naming the file when the journal is not a sound SQLite database.</summary>
    public static void CheckJournal(string journal)
    {
        if (!File.Exists(journal)) return;
        try
        {
            using var connection = new SqliteConnection($"Data Source={journal};Mode=ReadOnly;Pooling=false");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check";
            var result = command.ExecuteScalar() as string;
            if (result != "ok") throw new Commands.UsageException($"journal {journal} is damaged: {result}");
        }
        catch (SqliteException e)
        {
            throw new Commands.UsageException($"journal {journal} is damaged or not a journal: {e.Message}");
        }
    }

    public void Dispose() => _lock.Dispose();
}
