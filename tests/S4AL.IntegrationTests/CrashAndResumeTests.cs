using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace S4AL.IntegrationTests;

/// <summary>The uninterrupted run every crash test is compared with (same options, same seed).</summary>
public sealed class ReferenceRun
{
    public static readonly string[] Options =
    [
        "--net", "tiny", "--height", "48", "--width", "64", "--pool-size", "24", "--val-size", "8", "--region-size", "8",
        "--cycles", "2", "--epochs", "4", "--iters", "8", "--shard-size", "6", "--threads", "1", "--seed", "3",
    ];

    public ReferenceRun()
    {
        Dir = Folders.New("reference");
        var run = S4alRun.Complete(null, [.. Args(Dir)]);
        if (run.ExitCode != 0) throw new InvalidOperationException($"the reference run failed:\n{run.Output}\n{run.Error}");
    }

    public string Dir { get; }

    /// <summary>A checkpoint after every epoch, so a kill lands between two checkpoints of the cycle.</summary>
    public static string[] Args(string runDir, params string[] more) => ["run", .. Options, "--run-dir", runDir, "--checkpoint-interval", "0", .. more];
}

/// <summary>The tests that start `s4al` processes share one reference run and never run side by side (2 cores).</summary>
[CollectionDefinition(Name)]
public sealed class ProcessTests : ICollectionFixture<ReferenceRun>
{
    public const string Name = "s4al processes";
}

static class Folders
{
    /// <summary>This test process's folders (run folders, logs, journals), deleted when it exits.</summary>
    static readonly string Root = S4AL.Actors.Tests.Support.TestFolders.ForProcess("s4al-integration");

    public static string New(string name)
    {
        var dir = Path.Combine(Root, Guid.NewGuid().ToString("N")[..8], name);
        Directory.CreateDirectory(Path.GetDirectoryName(dir)!);
        return dir;
    }
}

/// <summary>
/// SIGKILL `s4al run` at several moments and run the same command again: it must resume from
/// the journal and the last checkpoint, lose and duplicate no acquired region, and end where
/// the uninterrupted run ends.
/// </summary>
[Collection(ProcessTests.Name)]
public class CrashAndResumeTests(ReferenceRun reference)
{
    static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);

    [Fact]
    public void Killed_while_training_resumes_from_its_checkpoint_and_ends_like_the_uninterrupted_run()
    {
        var dir = Folders.New("killed-training");
        var log = Path.Combine(dir, "s4al.log");
        using (var first = S4alRun.Start(null, ReferenceRun.Args(dir)))
        {
            // The coordinator logs a checkpoint once the journal holds it. The last cycle trains 8
            // epochs of about 0.3 s, so after its first checkpoint the kill lands in training.
            first.WaitFor(@"cycle 2: checkpoint after epoch \d+ recorded", Wait, log);
            first.Kill();
        }
        int recorded = Regex.Matches(S4alRun.ReadShared(log), @"cycle 2: checkpoint after epoch (\d+) recorded").Max(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        // The journal may hold one more than the log shows (killed between the write and the line).
        var status = Regex.Match(Status(dir), @"cycle 2/2: training \(attempt 1\), last checkpoint after epoch (\d+)");
        Assert.True(status.Success, Status(dir));
        int epoch = int.Parse(status.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(epoch, recorded, recorded + 1);

        var second = S4alRun.Complete(null, ReferenceRun.Args(dir));
        Assert.True(second.ExitCode == 0, second.Output + second.Error);
        Assert.Matches($@"resuming in cycle 2 \(training\): .*from the checkpoint after epoch {epoch}", second.Output);
        AssertSameOutcome(dir);
        // The interrupted attempt is not silent: cycle 2 needed two, the first one interrupted.
        using var cycles = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "cycles.json")));
        var last = cycles.RootElement[2];
        Assert.Equal(2, last.GetProperty("attempts").GetInt32());
        Assert.StartsWith("interrupted", last.GetProperty("failedAttempts")[0].GetProperty("reason").GetString());
        Assert.Contains("2 training attempts", Status(dir));
    }

    [Fact]
    public void Killed_while_scoring_rescores_only_the_shards_without_a_persisted_result()
    {
        var dir = Folders.New("killed-scoring");
        // Shard i waits (i + 1) x 700 ms, so the shards finish one after the other.
        var slow = new Dictionary<string, string> { [S4alRun.ScorerDelay] = "700" };
        var log = Path.Combine(dir, "s4al.log");
        using (var first = S4alRun.Start(slow, ReferenceRun.Args(dir)))
        {
            // Logged by the coordinator once the shard's result is in the journal.
            first.WaitFor(@"cycle 0: shard \d+ recorded", Wait, log);
            first.Kill();
        }
        var recorded = ShardsRecorded(S4alRun.ReadShared(log), cycle: 0);
        var before = S4alRun.ReadShared(log);
        var status = Regex.Match(Status(dir), @"cycle 0/2: scoring, (\d+) of 4 shards done");
        Assert.True(status.Success, Status(dir));
        // The journal may hold one more than the log shows (killed between the write and the line).
        int persisted = int.Parse(status.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(persisted, Math.Max(1, recorded.Count), Math.Min(3, recorded.Count + 1));

        var second = S4alRun.Complete(slow, ReferenceRun.Args(dir));
        Assert.True(second.ExitCode == 0, second.Output + second.Error);
        var rescored = ShardsScored(S4alRun.ReadShared(log)[before.Length..], cycle: 0);
        // 24 images, 4 fully labeled, 6 per shard: 4 shards; the persisted ones are not scored again.
        Assert.Equal(4 - persisted, rescored.Count);
        Assert.Empty(rescored.Intersect(recorded));
        AssertSameOutcome(dir);
    }

    [Fact]
    public void Killed_between_cycles_continues_with_the_next_cycle()
    {
        var dir = Folders.New("killed-between");
        using (var first = S4alRun.Start(null, ReferenceRun.Args(dir)))
        {
            first.WaitFor(@"cycle 0 done", Wait);
            first.Kill();
        }
        var second = S4alRun.Complete(null, ReferenceRun.Args(dir));
        Assert.True(second.ExitCode == 0, second.Output + second.Error);
        AssertSameOutcome(dir);
    }

    [Fact]
    public void Full_supervision_to_convergence_killed_after_an_evaluation_resumes_the_same_curve_and_reports_its_best()
    {
        // At most 12 epochs (6, doubled as every last round), an evaluation after each; 2 without a gain end the round.
        string[] Args(string dir)
        {
            var options = ReferenceRun.Options.ToArray();
            options[Array.IndexOf(options, "--epochs") + 1] = "6";
            return ["run", .. options, "--mode", "full", "--eval-every", "1", "--patience", "2", "--run-dir", dir, "--checkpoint-interval", "0"];
        }
        var whole = Folders.New("converge-whole");
        var run = S4alRun.Complete(null, Args(whole));
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        var curve = File.ReadAllLines(Path.Combine(whole, "curve.csv"));
        Assert.Equal("cycle,epochs,iterations,miou", curve[0]);
        var points = curve.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.InRange(points.Count, 3, 12);
        Assert.Equal(Enumerable.Range(1, points.Count).Select(e => e.ToString(CultureInfo.InvariantCulture)), points.Select(p => p[1]));
        // The cycle reports its best evaluation (the earliest of equals) and the iterations that reached it.
        var best = points.MaxBy(p => double.Parse(p[3], CultureInfo.InvariantCulture))!;
        var row = File.ReadAllLines(Path.Combine(whole, "cycles.csv"))[1].Split(',');
        Assert.Equal(best[3], row[3]);
        Assert.Equal(best[2], row[^1]);
        Assert.True(File.Exists(Path.Combine(whole, "checkpoints", "cycle-0-best.s4ckpt")));

        var dir = Folders.New("converge-killed");
        var log = Path.Combine(dir, "s4al.log");
        using (var first = S4alRun.Start(null, Args(dir)))
        {
            first.WaitFor(@"cycle 0: checkpoint after epoch \d+ recorded", Wait, log);
            first.Kill();
        }
        var second = S4alRun.Complete(null, Args(dir));
        Assert.True(second.ExitCode == 0, second.Output + second.Error);
        // The curve lives in the checkpoints: the resumed round evaluates and stops exactly as the whole one.
        Assert.Equal(curve, File.ReadAllLines(Path.Combine(dir, "curve.csv")));
        Assert.Equal(Rows(whole, columns: 7), Rows(dir, columns: 7));
    }

    [Fact]
    public void A_finished_run_run_again_reports_it_is_complete()
    {
        var dir = Folders.New("finished");
        CopyFolder(reference.Dir, dir);
        // A copy lives elsewhere: its journal names the reference folder, which is refused.
        var moved = S4alRun.Complete(null, "run", "--run-dir", dir);
        Assert.Equal(2, moved.ExitCode);
        Assert.Contains("cannot be moved", moved.Error);

        var again = S4alRun.Complete(null, "run", "--run-dir", reference.Dir);
        Assert.True(again.ExitCode == 0, again.Output + again.Error);
        Assert.Contains("already complete", again.Output);
    }

    [Fact]
    public void The_actor_runtime_and_the_in_process_driver_acquire_the_same_regions_and_score_the_same()
    {
        var dir = Folders.New("in-process");
        var run = S4alRun.Complete(null, ReferenceRun.Args(dir, "--runtime", "in-process"));
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Equal(File.ReadAllText(Path.Combine(reference.Dir, "labeled.json")), File.ReadAllText(Path.Combine(dir, "labeled.json")));
        Assert.Equal(Rows(reference.Dir, columns: 7), Rows(dir, columns: 7));
    }

    [Fact]
    public void A_damaged_checkpoint_is_a_one_line_error_and_nothing_is_destroyed()
    {
        var dir = Folders.New("damaged-checkpoint");
        using (var first = S4alRun.Start(null, ReferenceRun.Args(dir)))
        {
            first.WaitFor(@"cycle 2: checkpoint after epoch \d+ recorded", Wait, Path.Combine(dir, "s4al.log"));
            first.Kill();
        }
        // The checkpoint the journal points at (a later one may have been reported just before the kill).
        var status = Status(dir);
        var match = Regex.Match(status, @"cycle 2/2: training \(attempt 1\), last checkpoint after epoch (\d+)");
        Assert.True(match.Success, status);
        var epoch = match.Groups[1].Value;
        var checkpoint = Directory.GetFiles(Path.Combine(dir, "checkpoints"), $"cycle-2-epoch-{epoch}.*").Single();
        var good = File.ReadAllBytes(checkpoint);
        var bytes = (byte[])good.Clone();
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(checkpoint, bytes);
        var before = Snapshot(dir);

        var second = S4alRun.Complete(null, ReferenceRun.Args(dir));
        Assert.Equal(1, second.ExitCode);
        var line = Assert.Single(second.Error.Trim().Split('\n'));
        Assert.StartsWith("s4al: error:", line);
        Assert.Contains($"cycle-2-epoch-{epoch}", line);
        Assert.DoesNotContain("   at ", second.Error);
        // The journal only gained the failed attempt; every other file is as it was.
        AssertUnchanged(before, dir, ignore: "journal.db");

        // Nothing was lost: with the checkpoint repaired, the same command finishes the run as if nothing happened.
        File.WriteAllBytes(checkpoint, good);
        var third = S4alRun.Complete(null, ReferenceRun.Args(dir));
        Assert.True(third.ExitCode == 0, third.Output + third.Error);
        AssertSameOutcome(dir);
    }

    [Fact]
    public void A_damaged_journal_is_a_one_line_error_and_is_left_alone()
    {
        var dir = Folders.New("damaged-journal");
        CopyFolder(reference.Dir, dir);
        var journal = Path.Combine(dir, "journal.db");
        var bytes = File.ReadAllBytes(journal);
        for (int i = 100; i < 600; i++) bytes[i] = 0x5A;
        File.WriteAllBytes(journal, bytes);
        var hash = SHA256.HashData(bytes);

        var run = S4alRun.Complete(null, "run", "--run-dir", dir);
        Assert.NotEqual(0, run.ExitCode);
        var line = Assert.Single(run.Error.Trim().Split('\n'));
        Assert.Contains("journal", line);
        Assert.Equal(hash, SHA256.HashData(File.ReadAllBytes(journal)));
        var status = S4alRun.Complete(null, "status", "--run-dir", dir);
        Assert.NotEqual(0, status.ExitCode);
        Assert.Contains("journal", status.Error);
    }

    [Fact]
    public void Settings_that_contradict_the_run_folder_are_refused_and_nothing_changes()
    {
        var before = Snapshot(reference.Dir);
        var run = S4alRun.Complete(null, ReferenceRun.Args(reference.Dir, "--metric", "margin"));
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Error.Trim().Split('\n'));
        Assert.Contains("defined differently", line);
        Assert.Contains("settings.metric is entropy there, margin here", line);
        AssertUnchanged(before, reference.Dir, ignore: "s4al.log");
    }

    [Fact]
    public void Status_tells_where_a_finished_run_stands()
    {
        var status = Status(reference.Dir);
        Assert.Contains("done; finished", status);
        Assert.Matches(@"cycle 2: \d+\.\d+% labeled -> mIoU 0\.\d{4}", status);
    }

    // ---- helpers ----

    void AssertSameOutcome(string dir)
    {
        // Every acquisition and every metric is bit-exact, also of cycles trained after a resume
        // (see README, Determinism); only the timings and the attempts may differ.
        Assert.Equal(File.ReadAllText(Path.Combine(reference.Dir, "labeled.json")), File.ReadAllText(Path.Combine(dir, "labeled.json")));
        using var cycles = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "cycles.json")));
        var acquired = cycles.RootElement.EnumerateArray()
            .SelectMany(c => c.GetProperty("acquired").EnumerateArray().Select(r => (r[0].GetInt32(), r[1].GetInt32()))).ToList();
        Assert.Equal(acquired.Count, acquired.Distinct().Count());
        Assert.Equal(Rows(reference.Dir, columns: 7), Rows(dir, columns: 7));
    }

    static List<string> Rows(string dir, int columns) =>
        File.ReadAllLines(Path.Combine(dir, "cycles.csv")).Select(l => string.Join(",", l.Split(',').Take(columns))).ToList();

    static HashSet<int> ShardsScored(string log, int cycle) =>
        Regex.Matches(log, $@"scored shard (\d+) of experiment \S+ cycle {cycle}:").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToHashSet();

    static HashSet<int> ShardsRecorded(string log, int cycle) =>
        Regex.Matches(log, $@"experiment \S+ cycle {cycle}: shard (\d+) recorded").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToHashSet();

    static string Status(string dir)
    {
        var status = S4alRun.Complete(null, "status", "--run-dir", dir);
        Assert.True(status.ExitCode == 0, status.Output + status.Error);
        return status.Output;
    }

    static Dictionary<string, string> Snapshot(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".s4al.lock"))
            .ToDictionary(f => Path.GetRelativePath(dir, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    static void AssertUnchanged(Dictionary<string, string> before, string dir, string? ignore = null)
    {
        var after = Snapshot(dir);
        foreach (var (file, hash) in before)
        {
            // SQLite's companions of an ignored database (journal.db-journal after a kill mid-write,
            // rolled back and deleted when the next run opens it) belong to it.
            if (ignore is not null && (file == ignore || file.StartsWith(ignore + "-", StringComparison.Ordinal))) continue;
            if (file == "s4al.log") continue;
            Assert.True(after.TryGetValue(file, out var now), $"{file} was deleted");
            Assert.True(now == hash, $"{file} was changed");
        }
    }

    static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
