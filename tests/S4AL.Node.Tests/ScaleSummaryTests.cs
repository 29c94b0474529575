using System.Globalization;
using System.Text.Json;
using MessagePack;
using Microsoft.Data.Sqlite;
using S4AL.Actors.Serialization;
using S4AL.Domain;
using S4AL.Domain.Acquisition;
using S4AL.Domain.Experiments;
using S4AL.Node.Commands;
using static S4AL.Domain.Experiments.ExperimentEvents;

namespace S4AL.Node.Tests;

/// <summary>
/// `s4al bench scale-summary` on folders laid out as scripts/bench-scale.sh leaves them, with a
/// journal, log and samples made here (the benchmark itself never runs in the tests).
/// </summary>
public sealed class ScaleSummaryTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("s4al-scale-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Samples_skip_comments_and_lines_of_a_process_that_ended_while_sampled()
    {
        var samples = ScaleSummary.ParseSamples([
            "# time coordinator_rss_kb coordinator_hwm_kb coordinator_cpu_s worker_rss_kb worker_hwm_kb journal_bytes",
            "1796141996.5 251392 251400 4.20 216924 216930 57344",
            "1796141997.1   0.95 ", // the coordinator was gone: awk printed nothing
            "1796141997.7 253044 253050 4.61 220432 220440 65536",
        ]);
        Assert.Equal(2, samples.Count);
        Assert.Equal(new ScaleSummary.Sample(1796141997.7, 253044, 253050, 4.61, 220432, 220440, 65536), samples[1]);
    }

    [Fact]
    public void The_coordinator_log_dates_each_step_of_a_cycle_and_a_retried_cycle_starts_at_its_first_attempt()
    {
        var cycles = ScaleSummary.ParseCoordinatorLog([
            "2026-12-01 16:13:43.239 INF S4AL.Actors.Coordinator.CoordinatorActor: experiment run submitted",
            "2026-12-01 16:13:43.366 INF S4AL.Actors.Coordinator.CoordinatorActor: experiment run cycle 0 attempt 1: training on akka.tcp://s4al@127.0.0.1:42047",
            "2026-12-01 16:13:44.000 WRN S4AL.Actors.Coordinator.CoordinatorActor: experiment run cycle 0 attempt 2: training on akka.tcp://s4al@127.0.0.1:42047",
            "2026-12-01 16:13:45.496 INF S4AL.Actors.Coordinator.CoordinatorActor: experiment run cycle 0: trained, validation mIoU 0.0002",
            "2026-12-01 16:13:47.043 INF S4AL.Actors.Coordinator.CoordinatorActor: experiment run cycle 0: shard 1 recorded",
            "2026-12-01 16:13:47.548 INF S4AL.Actors.Coordinator.CoordinatorActor: experiment run cycle 0: shard 0 recorded",
            "2026-12-01 16:13:47.620 INF S4AL.Actors.Coordinator.CoordinatorActor: experiment run cycle 0: acquired 100 regions",
            "2026-12-01 16:13:47.700 INF Akka.Actor.ActorSystem: cycle 0: shard 7 recorded (another logger: ignored)",
            "2026-12-01 16:13:47.664 INF S4AL.Actors.Coordinator.CoordinatorActor: experiment run cycle 1 attempt 1: training on akka.tcp://s4al@127.0.0.1:42047",
            "2026-12-01 16:13:48.180 INF S4AL.Actors.Coordinator.CoordinatorActor: experiment run cycle 1: trained, validation mIoU 0.0042",
        ]);
        static DateTime T(string s) => DateTime.SpecifyKind(DateTime.Parse("2026-12-01 " + s, CultureInfo.InvariantCulture), DateTimeKind.Utc);
        Assert.Equal(2, cycles.Count);
        Assert.Equal(new ScaleSummary.CycleMarks(0, T("16:13:43.366"), T("16:13:45.496"), T("16:13:47.548"), 2, T("16:13:47.620")), cycles[0]);
        Assert.Equal(new ScaleSummary.CycleMarks(1, T("16:13:47.664"), T("16:13:48.180"), null, 0, null), cycles[1]);
    }

    [Fact]
    public void A_folder_gives_per_cycle_figures_from_journal_log_and_samples_and_ratios_to_the_smallest_pool()
    {
        var small = Folder("1000", pool: 1000, shardsPerCycle: 2, hwmKb: 300 * 1024);
        var large = Folder("10000", pool: 10000, shardsPerCycle: 20, hwmKb: 330 * 1024);
        var runs = new[] { ScaleSummary.Measure(large, 100), ScaleSummary.Measure(small, 100) }.OrderBy(r => r.PoolImages).ToList();

        var r = runs[0];
        Assert.Equal((1000, 250, 2, 2, 2, "global 100"), (r.PoolImages, r.ShardSize, r.ShardsPerCycle, r.InitialImages, r.Cycles, r.Budget));
        var c0 = r.PerCycle[0];
        Assert.Equal(2, c0.Shards);
        Assert.Equal(2.0, c0.TrainWallSeconds!.Value, 3);      // 00:10 -> 00:12
        Assert.Equal(5.0, c0.ScoringWallSeconds!.Value, 3);    // trained 00:12 -> acquired 00:17
        Assert.Equal(2 * 2.0, c0.ShardSeconds, 6);             // 2 s per shard, from the journal
        Assert.Equal(0.5, c0.AcquireSeconds!.Value, 3);        // last shard 00:16.5 -> acquired 00:17
        Assert.Equal(1.0, c0.HandoverSeconds!.Value, 3);       // acquired 00:17 -> cycle 1 trains 00:18
        Assert.Equal(8 * 0.5, c0.CoordinatorCpuSeconds!.Value, 6); // 0.5 CPU-s per second while the cycle ran (00:10 -> 00:18)
        Assert.Equal(0.5, c0.CoordinatorCpuPerSecond!.Value, 6);
        Assert.Equal(0.5, r.PerScoringCycle.CoordinatorCpuPerSecond, 6);  // idle afterwards: 0.1 CPU-s per second
        Assert.Equal(0.1, r.Coordinator.CpuIdlePerSecond!.Value, 6);
        Assert.Equal(300.0, r.Coordinator.PeakMb!.Value, 6);
        Assert.Equal(200.0, r.Coordinator.RssIdleMb!.Value, 6);
        var journal = ScaleSummary.ReadJournal(Path.Combine(small, "journal.db")).Events;
        Assert.Equal(journal.Where(e => e.Cycle == 0).Sum(e => e.Bytes), c0.JournalEventBytes);
        Assert.Equal(journal.Where(e => e.Cycle == -1).Sum(e => e.Bytes), r.Journal.SubmittedBytes);
        Assert.Equal(new[] { -1, 0, 0, 0, 0, 0, 0, 1, 1, 1 }, journal.Select(e => e.Cycle));
        Assert.Equal((1, 64), (r.Journal.Snapshots, r.Journal.SnapshotBytes));
        var c1 = r.PerCycle[1];
        Assert.Equal((0, (double?)null, (double?)null), (c1.Shards, c1.ScoringWallSeconds, c1.HandoverSeconds));
        // Only the cycle that scored counts in the means per scoring cycle.
        Assert.Equal(5.0, r.PerScoringCycle.ScoringWallSeconds, 3);

        var ratios = ScaleSummary.RatiosTo(runs);
        Assert.Equal(10.0, ratios[1].Pool);
        Assert.Equal(1.1, ratios[1].CoordinatorPeak!.Value, 6);
        // Ten times the shards: ten times the shard seconds and about ten times the journal's bytes of a cycle (larger image indices take a few more MessagePack bytes).
        Assert.Equal(10.0, ratios[1].ShardSeconds!.Value, 6);
        Assert.InRange(ratios[1].JournalBytesPerCycle!.Value, 8.0, 11.0);

        var table = ScaleSummary.ToMarkdown(runs).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, table.Length);
        Assert.StartsWith("| 10,000 (x10.0) | 20 |", table[3]);
        using var json = JsonDocument.Parse(ScaleSummary.ToJson(runs, "abc1234", new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), 2, 2, null));
        Assert.Equal("abc1234", json.RootElement.GetProperty("commit").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("machine_cores").GetInt32());
        Assert.Equal(10000, json.RootElement.GetProperty("runs")[1].GetProperty("pool_images").GetInt32());
        Assert.Equal(10.0, json.RootElement.GetProperty("ratios_to_smallest_pool")[1].GetProperty("shard_seconds").GetDouble(), 6);
    }

    /// <summary>
    /// A folder of one pool size: cycle 0 trains 00:10-00:12, scores its shards (2 s each in the journal) until 00:16.5,
    /// acquires at 00:17; cycle 1 (the last) trains from 00:18 to 00:19; submitted at 00:09, finished at
    /// 00:20. The coordinator uses 0.5 CPU-s per second until then and 0.1 while idle afterwards.
    /// </summary>
    string Folder(string name, int pool, int shardsPerCycle, long hwmKb)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        var id = ExperimentId.Parse("run");
        var plan = new ExperimentPlan(id, Path.Combine(dir, "run"), "{}", pool, 4, 1, 250, [0, 1], [], SelectionBudget.Global(100));
        var checkpoint = new CheckpointRef("/c.s4ckpt", new string('a', 64), 0, 1, 2);
        var evaluation = new CycleEvaluation(2, [1, 0, 0, 1], 0.1, 1.0);
        var events = new List<IExperimentEvent> { new Submitted(plan), new CycleStarted(id, 0, 1), new CycleTrained(id, 0, checkpoint, evaluation) };
        for (int s = 0; s < shardsPerCycle; s++)
            events.Add(new ShardScored(id, 0, s, Enumerable.Range(0, 100).Select(i => new RegionCandidate(s * 250 + i, i % 4, 1.0 / (i + 1))).ToArray(), 2.0));
        events.AddRange([new RegionsAcquired(id, 0, [new RegionId(5, 1)]), new RegionsAnnotated(id, 0),
            new CycleStarted(id, 1, 1), new CheckpointSaved(id, checkpoint with { Cycle = 1 }), new CycleTrained(id, 1, checkpoint with { Cycle = 1 }, evaluation)]);
        WriteJournal(Path.Combine(dir, "journal.db"), events);

        string at(double seconds) => new DateTime(2026, 12, 1, 16, 0, 0, DateTimeKind.Utc).AddSeconds(seconds).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        const string C = "INF S4AL.Actors.Coordinator.CoordinatorActor: experiment run";
        File.WriteAllLines(Path.Combine(dir, "coordinator.log"), [
            $"{at(9)} {C} submitted",
            $"{at(10)} {C} cycle 0 attempt 1: training on akka.tcp://s4al@127.0.0.1:1",
            $"{at(12)} {C} cycle 0: trained, validation mIoU 0.5",
            $"{at(14)} {C} cycle 0: shard 0 recorded",
            $"{at(16.5)} {C} cycle 0: shard 1 recorded",
            $"{at(17)} {C} cycle 0: acquired 100 regions",
            $"{at(18)} {C} cycle 1 attempt 1: training on akka.tcp://s4al@127.0.0.1:1",
            $"{at(19)} {C} cycle 1: trained, validation mIoU 0.6",
        ]);
        double epoch = (new DateTime(2026, 12, 1, 16, 0, 0, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds;
        var samples = new List<string> { "# header" };
        for (double t = 8; t <= 25; t += 0.5)
        {
            double cpu = t <= 20 ? 0.5 * t : 10 + 0.1 * (t - 20);
            long rss = t <= 9 ? 200 * 1024 : hwmKb - 1024;
            samples.Add(string.Create(CultureInfo.InvariantCulture, $"{epoch + t:0.000} {rss} {(t <= 9 ? rss : hwmKb)} {cpu:0.00} 100000 120000 {4096 * (int)t}"));
        }
        File.WriteAllLines(Path.Combine(dir, "samples.tsv"), samples);
        File.WriteAllLines(Path.Combine(dir, "marks.tsv"), [
            string.Create(CultureInfo.InvariantCulture, $"submitted {epoch + 9:0.000}"), string.Create(CultureInfo.InvariantCulture, $"finished {epoch + 20:0.000}")]);
        Directory.CreateDirectory(Path.Combine(dir, "run"));
        File.WriteAllText(Path.Combine(dir, "run", "settings.json"),
            """{"data": {"height": 32, "width": 32}, "settings": {"regionSize": 16, "budget": {"scope": "global", "count": 100}}}""");
        return dir;
    }

    /// <summary>The columns of Akka.Persistence.Sql's SQLite tables that the summary reads.</summary>
    static void WriteJournal(string file, IEnumerable<IExperimentEvent> events)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = """
                CREATE TABLE journal (ordering INTEGER PRIMARY KEY AUTOINCREMENT, deleted BIT NOT NULL, persistence_id TEXT, sequence_number INTEGER, message BLOB, manifest TEXT);
                CREATE TABLE snapshot (persistence_id TEXT, sequence_number INTEGER, snapshot BLOB, manifest TEXT);
                INSERT INTO snapshot VALUES ('s4al-coordinator', 8, zeroblob(64), 'snapshot');
                """;
            create.ExecuteNonQuery();
        }
        long sequence = 0;
        foreach (var e in events)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO journal (deleted, persistence_id, sequence_number, message, manifest) VALUES (0, 's4al-coordinator', $n, $m, $t)";
            insert.Parameters.AddWithValue("$n", ++sequence);
            insert.Parameters.AddWithValue("$m", MessagePackSerializer.Serialize(e.GetType(), e, S4alMessagePackSerializer.Options));
            insert.Parameters.AddWithValue("$t", S4alMessagePackSerializer.ManifestOf(e.GetType()));
            insert.ExecuteNonQuery();
        }
    }
}
