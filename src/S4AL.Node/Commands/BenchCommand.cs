using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using S4AL.Learning;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Batches;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Regions;
using S4AL.Learning.Data.Scenes;
using S4AL.Learning.Networks;
using S4AL.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Node.Commands;

/// <summary>
/// `s4al bench ssl-step`: times one S4AL training iteration with the replay branch, fed by the
/// real data path (synthetic scenes, prefetching batch builder, replay buffer), after warm-up.
/// With --floor it times only the work any implementation must do (3 student forward+backward
/// passes, 2 teacher forward passes, SGD step, EMA update) on tensors made beforehand.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks.");
        var net = new Option<string>("--net") { DefaultValueFactory = _ => "mbv2", Description = "mbv2, resnet50 or tiny" };
        var height = new Option<int>("--height") { DefaultValueFactory = _ => 96 };
        var width = new Option<int>("--width") { DefaultValueFactory = _ => 128 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 4 };
        var iters = new Option<int>("--iters") { DefaultValueFactory = _ => 10, Description = "Timed iterations (after 2 warm-up iterations)" };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => Environment.ProcessorCount };
        var floor = new Option<bool>("--floor") { Description = "Time only the network passes, SGD step and EMA update" };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu" };
        var classes = new Option<int>("--classes") { DefaultValueFactory = _ => 11, Description = "Number of classes of the network head (floor only; the full step uses the synthetic dataset's)" };
        var step = new Command("ssl-step", "Time one S4AL training iteration (median after warm-up); last line: seconds_per_iter=<median>.");
        foreach (var o in new Option[] { net, height, width, batch, iters, threads, floor, device, classes }) step.Options.Add(o);
        step.SetAction(p => CommandErrors.Guard(() =>
        {
            int n = p.GetValue(iters);
            if (n < 1) throw new UsageException($"--iters {n}: must be at least 1");
            return Run(RunOptions.Named("--net", p.GetValue(net)!, NetworkFactory.ParseKind), p.GetValue(height), p.GetValue(width), p.GetValue(batch), n,
                p.GetValue(threads), p.GetValue(floor), DeviceParser.Parse(p.GetValue(device)!), p.GetValue(classes), Console.Out);
        }));
        bench.Subcommands.Add(step);

        var rounds = new Option<int>("--rounds") { DefaultValueFactory = _ => 8, Description = "Measured rounds (after 2 to reach the steady state)" };
        var heap = new Command("heap", "Count the page faults of reusing freed tensor memory (a training step's pattern: six 24 MiB buffers alive together, then freed); run it with S4AL__NativeHeap=system to compare with glibc's defaults. Last line: faults_per_round=<mean>.");
        heap.Options.Add(rounds);
        heap.SetAction(p => CommandErrors.Guard(() =>
        {
            int n = p.GetValue(rounds);
            if (n < 1) throw new UsageException($"--rounds {n}: must be at least 1");
            return RunHeap(n, Console.Out);
        }));
        bench.Subcommands.Add(heap);
        bench.Subcommands.Add(ScaleSummaryCommand());
        return bench;
    }

    /// <summary>`s4al bench scale-summary FOLDER...`: the figures of scripts/bench-scale.sh's folders (one per pool size) as a Markdown table, and with --json as the raw result.</summary>
    static Command ScaleSummaryCommand()
    {
        var folders = new Argument<string[]>("folders") { Description = "One folder per pool size, as scripts/bench-scale.sh leaves them", Arity = ArgumentArity.OneOrMore };
        var json = new Option<string?>("--json") { Description = "Write the raw figures to this file" };
        var commit = new Option<string>("--commit") { DefaultValueFactory = _ => "", Description = "Commit measured (stamped into the JSON)" };
        var cores = new Option<int>("--cores") { DefaultValueFactory = _ => Environment.ProcessorCount };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => Environment.ProcessorCount, Description = "Threads the worker node had" };
        var snapshotEvery = new Option<int>("--snapshot-every") { DefaultValueFactory = _ => new S4AL.Actors.Coordinator.CoordinatorOptions().SnapshotEvery, Description = "The coordinator's snapshot interval (events), for the record" };
        var note = new Option<string?>("--note") { Description = "A remark stamped into the JSON (e.g. what else ran on the machine)" };
        var cmd = new Command("scale-summary", "Summarize scripts/bench-scale.sh's measurements: per pool size, scoring time, coordinator CPU and memory, journal bytes per cycle, and each figure's ratio to the smallest pool.");
        cmd.Arguments.Add(folders);
        foreach (var o in new Option[] { json, commit, cores, threads, snapshotEvery, note }) cmd.Options.Add(o);
        cmd.SetAction(p => CommandErrors.Guard(() =>
        {
            var runs = p.GetValue(folders)!.Select(f => ScaleSummary.Measure(f, p.GetValue(snapshotEvery))).OrderBy(r => r.PoolImages).ToList();
            Console.Out.Write(ScaleSummary.ToMarkdown(runs));
            if (p.GetValue(json) is { } file)
            {
                File.WriteAllText(file, ScaleSummary.ToJson(runs, p.GetValue(commit)!, DateTime.UtcNow, p.GetValue(cores), p.GetValue(threads), p.GetValue(note)) + "\n");
                Console.Out.WriteLine($"written: {file}");
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// Minor page faults per round of allocating, touching and freeing six activation-sized buffers.
    /// With glibc's defaults a freed buffer goes back to the kernel and is faulted in and zeroed again
    /// on the next round; with the retaining heap (NativeHeap) a round should fault almost nothing.
    /// The count is process-wide, so other threads (JIT, GC) add a little.
    /// </summary>
    public static int RunHeap(int rounds, TextWriter output)
    {
        var configuration = NativeHeap.Configure();
        output.WriteLine(configuration.Description);
        const int buffers = 6, elements = 6 << 20; // 24 MiB of float32 each, under the 32 MiB mmap threshold
        long pages = (long)buffers * elements * sizeof(float) / Environment.SystemPageSize;
        long Round()
        {
            long before = MinorFaults();
            var held = new List<Tensor>();
            for (int i = 0; i < buffers; i++) held.Add(empty(elements, ScalarType.Float32).fill_(1));
            foreach (var t in held) t.Dispose();
            return MinorFaults() - before;
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Round();
        Round();
        var faults = Enumerable.Range(0, rounds).Select(_ => Round()).ToArray();
        output.WriteLine($"pages_per_round={pages}");
        output.WriteLine($"faults: {string.Join(" ", faults)}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"faults_per_round={faults.Average():0.0}"));
        return 0;
    }

    static long MinorFaults()
    {
        // struct rusage: two timevals (16 bytes each), then 14 longs; ru_minflt is the 5th.
        var buffer = new long[18];
        if (getrusage(0, buffer) != 0) throw new InvalidOperationException("getrusage failed");
        return buffer[4 + 4];
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    static extern int getrusage(int who, [System.Runtime.InteropServices.Out] long[] usage);

    public static int Run(NetworkKind kind, int height, int width, int batchSize, int iterations, int threads, bool floor, Device device, int classes, TextWriter output)
    {
        torch.set_num_threads(threads);
        output.WriteLine($"threads={torch.get_num_threads()} net={kind} size={height}x{width} batch={batchSize} device={device} mode={(floor ? "floor" : "full")}");
        output.WriteLine(NativeHeap.Configure().Description);
        var times = floor
            ? TimeFloor(kind, height, width, batchSize, iterations, device, classes)
            : TimeFull(kind, height, width, batchSize, iterations, device);
        var sorted = times.OrderBy(t => t).ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        output.WriteLine($"iterations: {string.Join(" ", times.Select(t => t.ToString("0.000", CultureInfo.InvariantCulture)))}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds_per_iter={median:0.0000}"));
        return 0;
    }

    const int WarmUp = 2;

    static List<double> TimeFull(NetworkKind kind, int height, int width, int batchSize, int iterations, Device device)
    {
        ISegmentationDataset pool = new SyntheticSceneDataset(64, seed: 1, height, width);
        var labeledSet = LabeledRegionSet.Empty(pool.Count, new RegionGrid(height, width, Math.Min(16, Math.Min(height, width))))
            .WithFullyLabeled(Enumerable.Range(0, 8));
        var settings = new SslSettings();
        // Cycle 1: the replay branch runs from the second cycle on.
        using var trainer = new SslTrainer(() => NetworkFactory.Create(kind, pool.NumClasses), pool.NumClasses, settings, device, seed: 1, cycle: 1);
        trainer.SetLabeledClassCounts(LabelStatistics.CountLabeledPixels(pool, labeledSet));
        // Past the cold start and the replay warm-up, so every iteration runs all three branches.
        int epoch = Math.Max(settings.ColdStartEpochs, settings.ReplayWarmupEpochs);
        trainer.SetEpoch(epoch, epoch + 10);
        using var labeled = BatchPrefetcher.ForDataset(pool, new IndexSampler(Enumerable.Range(0, 8).ToArray(), seed: 2), batchSize, labeledSet, device);
        using var unlabeled = BatchPrefetcher.ForDataset(pool, new IndexSampler(Enumerable.Range(0, pool.Count).ToArray(), seed: 3), batchSize, labeledSet, device);
        trainer.Replay.Add(Enumerable.Range(0, settings.ReplayCapacity).Select(i => i % pool.Count).ToArray());
        var times = new List<double>();
        for (int i = 0; i < WarmUp + iterations; i++)
        {
            var watch = Stopwatch.StartNew();
            using (var lb = labeled.Next())
            using (var ub = unlabeled.Next())
            using (var rb = BatchBuilder.Build(pool, trainer.DrawReplay(batchSize, epoch)!, labeledSet, device))
                trainer.Step(lb, ub, rb, epoch);
            if (i >= WarmUp) times.Add(watch.Elapsed.TotalSeconds);
        }
        return times;
    }

    static List<double> TimeFloor(NetworkKind kind, int height, int width, int batchSize, int iterations, Device device, int classes)
    {
        using var trainer = new SslTrainer(() => NetworkFactory.Create(kind, classes), classes, new SslSettings(), device, seed: 1);
        using var scope = NewDisposeScope();
        var gen = new Generator(7);
        SegmentationBatch Make()
        {
            var x = randn(new long[] { batchSize, 3, height, width }, generator: gen).to(device);
            var y = randint(0, classes, new long[] { batchSize, height, width }, dtype: int64, generator: gen).to(device);
            return new SegmentationBatch(x, y, ones(new long[] { batchSize, height, width }, dtype: @bool).to(device), Enumerable.Range(0, batchSize).ToArray());
        }
        var a = Make(); var b = Make(); var c = Make();
        var times = new List<double>();
        for (int i = 0; i < WarmUp + iterations; i++)
        {
            var watch = Stopwatch.StartNew();
            trainer.FloorStep(a, b, c);
            if (i >= WarmUp) times.Add(watch.Elapsed.TotalSeconds);
        }
        return times;
    }
}
