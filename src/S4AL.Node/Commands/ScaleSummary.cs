using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MessagePack;
using Microsoft.Data.Sqlite;
using S4AL.Actors.Serialization;
using S4AL.Domain.Experiments;
using static S4AL.Domain.Experiments.ExperimentEvents;

namespace S4AL.Node.Commands;

/// <summary>
/// `s4al bench scale-summary`: turns what scripts/bench-scale.sh recorded for each pool size (a
/// folder with the coordinator's log and journal, the samples of both processes and the submit
/// marks) into per-cycle and per-run figures, their ratios to the smallest pool, a JSON document
/// and a Markdown table. Reads only; the benchmark itself runs in the script.
/// </summary>
public static partial class ScaleSummary
{
    /// <summary>One line of samples.tsv: resident and peak memory (kB) and CPU seconds of both processes, and the journal's bytes on disk.</summary>
    public sealed record Sample(double Time, long CoordinatorRssKb, long CoordinatorHwmKb, double CoordinatorCpuSeconds, long WorkerRssKb, long WorkerHwmKb, long JournalBytes);

    /// <summary>When the coordinator logged each step of a cycle (UTC); null where it did not (the last cycle only trains).</summary>
    public sealed record CycleMarks(int Cycle, DateTime? Training, DateTime? Trained, DateTime? LastShard, int ShardsRecorded, DateTime? Acquired);

    /// <summary>One journal event: its sequence number, type, payload bytes, the cycle it belongs to (-1: the submission) and, for a shard's result, the seconds its scoring took.</summary>
    public sealed record JournalEvent(long Sequence, string Kind, int Bytes, int Cycle, double ShardSeconds = 0);

    public sealed record CycleFigures(
        int Cycle, int Shards, double? TrainWallSeconds, double? ScoringWallSeconds, double ShardSeconds, double? AcquireSeconds, double? HandoverSeconds,
        double? CoordinatorCpuSeconds, double? CoordinatorCpuPerSecond, double? CoordinatorRssMaxMb, int JournalEvents, long JournalEventBytes, long? JournalFileBytesAtEnd);

    /// <summary>A process's memory before the experiment (idle), after it, at its peak; its CPU seconds during the experiment and, after it, per second of idling (heartbeats, timers, GC).</summary>
    public sealed record ProcessFigures(double? RssIdleMb, double? RssEndMb, double? PeakMb, double? CpuSeconds, double? CpuIdlePerSecond);

    public sealed record JournalFigures(long FileBytes, int Events, long EventBytes, long SubmittedBytes, long SnapshotBytes, int Snapshots, int SnapshotEvery);

    /// <summary>Means over the cycles that scored the pool (all but the last).</summary>
    public sealed record PerScoringCycle(double ScoringWallSeconds, double ShardSeconds, double AcquireSeconds, double HandoverSeconds, double CoordinatorCpuSeconds,
        double CoordinatorCpuPerSecond, double JournalEventBytes);

    public sealed record RunFigures(
        int PoolImages, int Height, int Width, int RegionSize, int RegionsPerImage, int ShardSize, int ShardsPerCycle, int InitialImages, string Budget,
        int Cycles, double? SubmitSeconds, ProcessFigures Coordinator, ProcessFigures Worker, JournalFigures Journal,
        PerScoringCycle PerScoringCycle, IReadOnlyList<CycleFigures> PerCycle);

    /// <summary>Each figure of a run divided by the same figure of the smallest pool.</summary>
    public sealed record Ratios(int PoolImages, double Pool, double? ScoringWall, double? ShardSeconds, double? CoordinatorCpu, double? CoordinatorCpuPerSecond, double? CoordinatorPeak,
        double? CoordinatorRssEnd, double? JournalBytesPerCycle, double? JournalFile, double? WorkerPeak);

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Parses samples.tsv (whitespace-separated: epoch seconds, coordinator VmRSS kB, VmHWM kB, CPU
    /// seconds, worker VmRSS kB, VmHWM kB, journal bytes). Comment lines (#) and lines with a missing or
    /// unreadable field (a process that ended while it was sampled) are skipped.
    /// </summary>
    public static IReadOnlyList<Sample> ParseSamples(IEnumerable<string> lines)
    {
        var samples = new List<Sample>();
        foreach (var line in lines)
        {
            if (line.TrimStart().StartsWith('#')) continue;
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 7) continue;
            if (!double.TryParse(f[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var time) ||
                !long.TryParse(f[1], CultureInfo.InvariantCulture, out var crss) || !long.TryParse(f[2], CultureInfo.InvariantCulture, out var chwm) ||
                !double.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var ccpu) ||
                !long.TryParse(f[4], CultureInfo.InvariantCulture, out var wrss) || !long.TryParse(f[5], CultureInfo.InvariantCulture, out var whwm) ||
                !long.TryParse(f[6], CultureInfo.InvariantCulture, out var journal))
                continue;
            samples.Add(new Sample(time, crss, chwm, ccpu, wrss, whwm, journal));
        }
        return samples;
    }

    [GeneratedRegex(@"^(?<t>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) .*?CoordinatorActor: experiment \S+ cycle (?<c>\d+)(?<what> attempt \d+: training on|: trained|: shard \d+ recorded|: acquired \d+ regions)")]
    private static partial Regex CoordinatorLine();

    /// <summary>The cycle steps of the coordinator's log (its log file: UTC times, see FileLoggerProvider); a cycle's first training attempt starts it.</summary>
    public static IReadOnlyList<CycleMarks> ParseCoordinatorLog(IEnumerable<string> lines)
    {
        var cycles = new SortedDictionary<int, CycleMarks>();
        foreach (var line in lines)
        {
            var m = CoordinatorLine().Match(line);
            if (!m.Success) continue;
            var time = DateTime.SpecifyKind(DateTime.ParseExact(m.Groups["t"].Value, "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture), DateTimeKind.Utc);
            int cycle = int.Parse(m.Groups["c"].Value, CultureInfo.InvariantCulture);
            var c = cycles.TryGetValue(cycle, out var known) ? known : new CycleMarks(cycle, null, null, null, 0, null);
            string what = m.Groups["what"].Value;
            cycles[cycle] = what switch
            {
                _ when what.EndsWith("training on", StringComparison.Ordinal) => c with { Training = c.Training ?? time },
                ": trained" => c with { Trained = time },
                _ when what.EndsWith("recorded", StringComparison.Ordinal) => c with { LastShard = time, ShardsRecorded = c.ShardsRecorded + 1 },
                _ => c with { Acquired = time },
            };
        }
        return cycles.Values.ToList();
    }

    /// <summary>The cycle an event belongs to; -1 for the submission.</summary>
    public static int CycleOf(IExperimentEvent e) => e switch
    {
        Submitted => -1,
        CycleStarted s => s.Cycle,
        CycleTraced t => t.Cycle,
        TrainingAttemptFailed f => f.Cycle,
        CheckpointSaved c => c.Checkpoint.Cycle,
        CycleTrained t => t.Cycle,
        ShardScored s => s.Cycle,
        RegionsAcquired a => a.Cycle,
        RegionLabeled l => l.Cycle,
        AnnotationClosed c => c.Cycle,
        RegionsAnnotated a => a.Cycle,
        _ => throw new InvalidDataException($"journal event {e.GetType().Name} has no cycle"),
    };

    /// <summary>The coordinator's events in a SQLite journal (read-only), the plan they were submitted with, and the snapshots' bytes and count.</summary>
    public static (IReadOnlyList<JournalEvent> Events, ExperimentPlan? Plan, long SnapshotBytes, int Snapshots) ReadJournal(string file)
    {
        if (!File.Exists(file)) throw new UsageException($"journal {file} does not exist");
        var events = new List<JournalEvent>();
        ExperimentPlan? plan = null;
        using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT sequence_number, manifest, message FROM journal WHERE deleted = 0 ORDER BY ordering";
            using var reader = command.ExecuteReader();
            var types = S4alMessagePackSerializer.MessageTypes.ToDictionary(S4alMessagePackSerializer.ManifestOf);
            while (reader.Read())
            {
                string manifest = reader.GetString(1);
                var bytes = (byte[])reader.GetValue(2);
                if (!types.TryGetValue(manifest, out var type)) throw new InvalidDataException($"journal {file}: unknown event type {manifest}");
                var e = (IExperimentEvent)MessagePackSerializer.Deserialize(type, bytes, S4alMessagePackSerializer.Options)!;
                if (e is Submitted s) plan ??= s.Plan;
                events.Add(new JournalEvent(reader.GetInt64(0), type.Name, bytes.Length, CycleOf(e), e is ShardScored scored ? scored.Seconds : 0));
            }
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT COUNT(*), COALESCE(SUM(LENGTH(snapshot)), 0) FROM snapshot";
            using var reader = command.ExecuteReader();
            reader.Read();
            return (events, plan, reader.GetInt64(1), reader.GetInt32(0));
        }
    }

    /// <summary>
    /// The figures of one pool size's folder: coordinator.log, journal.db, samples.tsv, marks.tsv
    /// ("submitted EPOCH", "finished EPOCH") and run/settings.json.
    /// </summary>
    public static RunFigures Measure(string folder, int snapshotEvery)
    {
        var samples = ParseSamples(File.ReadLines(Path.Combine(folder, "samples.tsv")));
        var marks = ParseMarks(File.ReadLines(Path.Combine(folder, "marks.tsv")));
        var log = ParseCoordinatorLog(File.ReadLines(Path.Combine(folder, "coordinator.log")));
        string journalFile = Path.Combine(folder, "journal.db");
        var (events, plan, snapshotBytes, snapshots) = ReadJournal(journalFile);
        if (plan is null) throw new InvalidDataException($"{journalFile} has no submitted experiment");
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "run", "settings.json")));
        var data = settings.RootElement.GetProperty("data");
        var s = settings.RootElement.GetProperty("settings");
        var budget = s.GetProperty("budget");
        double? submitted = marks.GetValueOrDefault("submitted"), finished = marks.GetValueOrDefault("finished");

        static double Epoch(DateTime t) => (t - DateTime.UnixEpoch).TotalSeconds;
        Sample? At(double time) => samples.LastOrDefault(x => x.Time <= time);
        Sample? done = finished is { } fin ? At(fin) : null, final = samples.Count > 0 ? samples[^1] : null;
        double? idleRate = done is not null && final is not null && final.Time - done.Time >= 1
            ? (final.CoordinatorCpuSeconds - done.CoordinatorCpuSeconds) / (final.Time - done.Time) : null;
        var cycles = new List<CycleFigures>();
        for (int i = 0; i < log.Count; i++)
        {
            var c = log[i];
            var next = i + 1 < log.Count ? log[i + 1].Training : null;
            double? start = c.Training is { } t0 ? Epoch(t0) : null;
            double? end = next is { } t1 ? Epoch(t1) : finished;
            Sample? first = start is { } a ? At(a) : null, last = end is { } b ? At(b) : null;
            double? cpu = first is not null && last is not null ? last.CoordinatorCpuSeconds - first.CoordinatorCpuSeconds : null;
            var window = start is { } ws && end is { } we ? samples.Where(x => x.Time >= ws && x.Time <= we).ToList() : [];
            var own = events.Where(e => e.Cycle == c.Cycle).ToList();
            cycles.Add(new CycleFigures(c.Cycle, own.Count(e => e.Kind == nameof(ShardScored)),
                Seconds(c.Training, c.Trained), Seconds(c.Trained, c.Acquired), own.Sum(e => e.ShardSeconds),
                Seconds(c.LastShard, c.Acquired), c.Acquired is null ? null : Seconds(c.Acquired, next),
                cpu, cpu is { } used && last!.Time > first!.Time ? used / (last.Time - first.Time) : null,
                window.Count > 0 ? window.Max(x => x.CoordinatorRssKb) / 1024.0 : null,
                own.Count, own.Sum(e => (long)e.Bytes), last?.JournalBytes));
        }
        var scoring = cycles.Where(c => c.Shards > 0).ToList();
        double Mean(Func<CycleFigures, double?> f) => scoring.Select(f).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(double.NaN).Average();
        var perCycle = new PerScoringCycle(Mean(c => c.ScoringWallSeconds), Mean(c => c.ShardSeconds), Mean(c => c.AcquireSeconds), Mean(c => c.HandoverSeconds),
            Mean(c => c.CoordinatorCpuSeconds), Mean(c => c.CoordinatorCpuPerSecond), Mean(c => c.JournalEventBytes));

        Sample? idle = submitted is { } sub ? At(sub) : null;
        var coordinator = new ProcessFigures(idle?.CoordinatorRssKb / 1024.0, final?.CoordinatorRssKb / 1024.0,
            samples.Count > 0 ? samples.Max(x => x.CoordinatorHwmKb) / 1024.0 : null,
            idle is not null && done is not null ? done.CoordinatorCpuSeconds - idle.CoordinatorCpuSeconds : null, idleRate);
        var worker = new ProcessFigures(idle?.WorkerRssKb / 1024.0, final?.WorkerRssKb / 1024.0,
            samples.Count > 0 ? samples.Max(x => x.WorkerHwmKb) / 1024.0 : null, null, null);
        long fileBytes = new[] { "", "-wal", "-journal" }.Select(x => journalFile + x).Where(File.Exists).Sum(f => new FileInfo(f).Length);
        var journal = new JournalFigures(fileBytes, events.Count, events.Sum(e => (long)e.Bytes), events.Where(e => e.Cycle == -1).Sum(e => (long)e.Bytes),
            snapshotBytes, snapshots, snapshotEvery);
        int regionSize = s.GetProperty("regionSize").GetInt32();
        return new RunFigures(plan.PoolImages, data.GetProperty("height").GetInt32(), data.GetProperty("width").GetInt32(), regionSize, plan.RegionsPerImage,
            plan.ShardSize, cycles.Select(c => c.Shards).DefaultIfEmpty(0).Max(), plan.InitialFullyLabeled.Length,
            $"{budget.GetProperty("scope").GetString()} {budget.GetProperty("count").GetInt32()}", cycles.Count,
            submitted is not null && finished is not null ? finished - submitted : null, coordinator, worker, journal, perCycle, cycles);
    }

    static double? Seconds(DateTime? from, DateTime? to) => from is { } a && to is { } b ? (b - a).TotalSeconds : null;

    /// <summary>marks.tsv: "name epoch-seconds" per line.</summary>
    public static Dictionary<string, double> ParseMarks(IEnumerable<string> lines)
    {
        var marks = new Dictionary<string, double>();
        foreach (var line in lines)
        {
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 2 && double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var t)) marks[f[0]] = t;
        }
        return marks;
    }

    /// <summary>Each run's figures divided by the first run's (the smallest pool when the runs are sorted).</summary>
    public static IReadOnlyList<Ratios> RatiosTo(IReadOnlyList<RunFigures> runs)
    {
        if (runs.Count == 0) return [];
        var b = runs[0];
        static double? R(double? value, double? baseline) =>
            value is { } v && baseline is { } w && w > 0 && !double.IsNaN(v) && !double.IsNaN(w) ? v / w : null;
        return runs.Select(r => new Ratios(r.PoolImages, (double)r.PoolImages / b.PoolImages,
            R(r.PerScoringCycle.ScoringWallSeconds, b.PerScoringCycle.ScoringWallSeconds), R(r.PerScoringCycle.ShardSeconds, b.PerScoringCycle.ShardSeconds),
            R(r.PerScoringCycle.CoordinatorCpuSeconds, b.PerScoringCycle.CoordinatorCpuSeconds),
            R(r.PerScoringCycle.CoordinatorCpuPerSecond, b.PerScoringCycle.CoordinatorCpuPerSecond), R(r.Coordinator.PeakMb, b.Coordinator.PeakMb),
            R(r.Coordinator.RssEndMb, b.Coordinator.RssEndMb), R(r.PerScoringCycle.JournalEventBytes, b.PerScoringCycle.JournalEventBytes),
            R(r.Journal.FileBytes, b.Journal.FileBytes), R(r.Worker.PeakMb, b.Worker.PeakMb))).ToList();
    }

    /// <summary>The JSON of docs/results/scale-DATE.json.</summary>
    public static string ToJson(IReadOnlyList<RunFigures> runs, string commit, DateTime date, int cores, int threads, string? note) =>
        JsonSerializer.Serialize(new
        {
            Date = date.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            Commit = commit,
            MachineCores = cores,
            WorkerThreads = threads,
            Note = note,
            Runs = runs,
            RatiosToSmallestPool = RatiosTo(runs),
        }, Json);

    /// <summary>The table of docs/benchmarks.md: one row per pool size, each figure with its ratio to the smallest pool's.</summary>
    public static string ToMarkdown(IReadOnlyList<RunFigures> runs)
    {
        var ratios = RatiosTo(runs);
        static string F(double? v, string format = "0.0") => v is { } x && !double.IsNaN(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "-";
        static string X(double? r) => r is { } x ? $" (x{x.ToString(x < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture)})" : "";
        var md = new StringBuilder();
        md.AppendLine("| pool images (x) | shards per cycle | scoring wall s/cycle (x) | shard seconds/cycle (x) | coordinator after last shard: acquire / hand-over s | coordinator CPU s/cycle (x) | coordinator CPU s per s: in scoring cycles / idle | coordinator RSS MB: idle / end (x) / peak (x) | journal bytes/cycle (x) | journal file at end, kB (x) | worker peak RSS MB (x) |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (int i = 0; i < runs.Count; i++)
        {
            var r = runs[i]; var q = ratios[i]; var p = r.PerScoringCycle;
            md.AppendLine(string.Join(" | ",
                $"| {r.PoolImages.ToString("N0", CultureInfo.InvariantCulture)}{X(q.Pool)}",
                r.ShardsPerCycle.ToString(CultureInfo.InvariantCulture),
                F(p.ScoringWallSeconds) + X(q.ScoringWall),
                F(p.ShardSeconds) + X(q.ShardSeconds),
                $"{F(p.AcquireSeconds, "0.00")} / {F(p.HandoverSeconds, "0.00")}",
                F(p.CoordinatorCpuSeconds, "0.00") + X(q.CoordinatorCpu),
                $"{F(p.CoordinatorCpuPerSecond, "0.000")} / {F(r.Coordinator.CpuIdlePerSecond, "0.000")}",
                $"{F(r.Coordinator.RssIdleMb, "0")} / {F(r.Coordinator.RssEndMb, "0")}{X(q.CoordinatorRssEnd)} / {F(r.Coordinator.PeakMb, "0")}{X(q.CoordinatorPeak)}",
                F(p.JournalEventBytes, "0") + X(q.JournalBytesPerCycle),
                F(r.Journal.FileBytes / 1024.0, "0") + X(q.JournalFile),
                F(r.Worker.PeakMb, "0") + X(q.WorkerPeak)) + " |");
        }
        return md.ToString();
    }
}
