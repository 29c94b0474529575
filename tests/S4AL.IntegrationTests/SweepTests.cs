using System.Text.Json;

namespace S4AL.IntegrationTests;

/// <summary>
/// `s4al sweep` on one machine: a grid with a dependent baseline and an identical setting,
/// SIGKILLed while it trains and resumed from its folder alone. Each experiment must end where
/// its uninterrupted run ends, the baseline on exactly the pixels its S4AL run acquired.
/// </summary>
[Collection(ProcessTests.Name)]
public class SweepTests(ReferenceRun reference)
{
    static readonly TimeSpan Wait = TimeSpan.FromMinutes(15);

    /// <summary>The reference run's options but the seed and threads, which the sweep gives.</summary>
    static readonly string[] Shared = ReferenceRun.Options.Chunk(2).Where(o => o[0] is not ("--seed" or "--threads")).SelectMany(o => o).ToArray();

    [Fact]
    public void A_sweep_killed_while_training_resumes_from_its_folder_and_each_experiment_ends_like_its_uninterrupted_run()
    {
        var dir = Folders.New("sweep");
        string[] args =
        [
            "sweep", "--run-dir", dir, "--seeds", "3,4", "--threads", "1", "--checkpoint-interval", "0",
            "--setting", "s4al=", "--setting", "sup=--mode supervised --cycles 0 --labeled-from-setting s4al", "--setting", "again=--shard-size 6", .. Shared,
        ];
        var log = Path.Combine(dir, "s4al.log");
        using (var first = S4alRun.Start(null, args))
        {
            first.WaitFor(@"cycle 1: checkpoint after epoch 2 recorded", Wait, log);
            first.Kill();
        }
        Assert.Contains("identical to s4al-s3", Status(dir));

        var second = S4alRun.Start(null, "sweep", "--run-dir", dir);
        second.WaitForExit(Wait);
        Assert.True(second.ExitCode == 0, second.Output + second.Error);
        Assert.Contains("sweep: 6 experiments (4 to train, 2 identical to another)", second.Output);
        Assert.Contains("known already", second.Output);
        Assert.Contains("all 4 experiments done", second.Output);

        // Seed 3 is the reference run's: the same acquisitions and metrics, bit for bit.
        Assert.Equal(File.ReadAllText(Path.Combine(reference.Dir, "labeled.json")), File.ReadAllText(Path.Combine(dir, "s4al-s3", "labeled.json")));
        Assert.Equal(Rows(reference.Dir), Rows(Path.Combine(dir, "s4al-s3")));
        foreach (var seed in new[] { 3, 4 })
        {
            // The baseline trained once, on exactly the labeled set of its S4AL run.
            Assert.Equal(Labeled(Path.Combine(dir, $"s4al-s{seed}")), Labeled(Path.Combine(dir, $"sup-s{seed}")));
            Assert.Single(Rows(Path.Combine(dir, $"sup-s{seed}")).Skip(1));
            Assert.False(File.Exists(Path.Combine(dir, $"again-s{seed}", "cycles.csv")));
        }
        // One kill costs at most one attempt of one cycle: nothing else was trained twice.
        int extra = new[] { "s4al-s3", "s4al-s4", "sup-s3", "sup-s4" }.Sum(e => Attempts(Path.Combine(dir, e)).Sum(a => a - 1));
        Assert.InRange(extra, 0, 1);

        var status = Status(dir);
        Assert.Matches(@"sup-s4\s+0/0\s+done\s+0\.\d{4}", status);
        Assert.Contains("4 of 4 experiments done; finished", status);
        var compare = S4alRun.Complete(null, "compare", dir, "--out", Path.Combine(dir, "compare"));
        Assert.True(compare.ExitCode == 0, compare.Output + compare.Error);
        Assert.Contains("# Comparison of 2 settings", File.ReadAllText(Path.Combine(dir, "compare", "compare.md")));
        // The settings keep the names the sweep gave them.
        Assert.Contains("  s4al: final mIoU", compare.Output);
        Assert.Contains("  sup: final mIoU", compare.Output);
    }

    [Fact]
    public void A_sweep_whose_experiment_changed_is_refused_naming_it_and_nothing_is_written()
    {
        var dir = Folders.New("sweep-refused");
        var bad = S4alRun.Complete(null, ["sweep", "--run-dir", dir, "--vary", "metric=entropy,nonsense", .. Shared]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("sweep experiment metric-nonsense-s1: --metric nonsense", bad.Error);
        Assert.False(Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any(), "a refused sweep writes nothing");
    }

    static List<string> Rows(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "cycles.csv")).Select(l => string.Join(",", l.Split(',').Take(7))).ToList();

    static string Labeled(string dir)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "labeled.json")));
        return json.RootElement.ToString();
    }

    static IEnumerable<int> Attempts(string dir)
    {
        using var cycles = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "cycles.json")));
        return cycles.RootElement.EnumerateArray().Select(c => c.GetProperty("attempts").GetInt32()).ToList();
    }

    static string Status(string dir)
    {
        var status = S4alRun.Complete(null, "status", "--run-dir", dir);
        Assert.True(status.ExitCode == 0, status.Output + status.Error);
        return status.Output;
    }
}
