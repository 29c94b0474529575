using System.Globalization;
using System.Text.Json;
using static S4AL.Reporting.Tests.Comparison.ComparisonFixtures;

namespace S4AL.Node.Tests;

public class CommandLineTests
{
    static readonly string Root = S4AL.Actors.Tests.Support.TestFolders.ForProcess("s4al-node-tests");

    static string TempDir()
    {
        var dir = Path.Combine(Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void Run_writes_settings_labeled_set_and_per_cycle_results()
    {
        var dir = Path.Combine(TempDir(), "run");
        var r = S4alProcess.Run("run", "--net", "tiny", "--height", "32", "--width", "48", "--pool-size", "16", "--val-size", "8",
            "--region-size", "8", "--regions-per-image", "2", "--cycles", "1", "--epochs", "2", "--iters", "2", "--threads", "1", "--sup-on-regions", "--run-dir", dir);
        Assert.True(r.ExitCode == 0, r.Error + r.Output);
        Assert.Contains("cycle 0 acquired", r.Output);
        var csv = File.ReadAllLines(Path.Combine(dir, "cycles.csv"));
        Assert.Equal(3, csv.Length); // header + 2 training rounds
        var share0 = double.Parse(csv[1].Split(',')[1], CultureInfo.InvariantCulture);
        var share1 = double.Parse(csv[2].Split(',')[1], CultureInfo.InvariantCulture);
        Assert.True(share1 > share0, $"labeled share did not grow: {share0} -> {share1}");
        using var labeled = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "labeled.json")));
        // 16 images, 2 fully labeled (at least a batch of 4? no: max(batch, 10%) = 4), 2 regions for each other image.
        Assert.Equal(4, labeled.RootElement.GetProperty("fullyLabeled").GetArrayLength());
        Assert.Equal(12 * 2, labeled.RootElement.GetProperty("regions").GetArrayLength());
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "settings.json")));
        Assert.Equal(1, settings.RootElement.GetProperty("settings").GetProperty("cycles").GetInt32());
        Assert.True(settings.RootElement.GetProperty("settings").GetProperty("supervisedOnAcquiredRegions").GetBoolean());
    }

    [Theory]
    [InlineData("--metric", "bogus", "--metric")]
    [InlineData("--net", "vgg", "vgg")]
    [InlineData("--budget", "some", "--budget")]
    [InlineData("--dataset", "imagenet", "imagenet")]
    [InlineData("--device", "tpu", "--device")]
    [InlineData("--batch", "1", "BatchSize")]
    [InlineData("--otlp-endpoint", "localhost:4317", "--otlp-endpoint")]
    [InlineData("--otlp-protocol", "thrift", "--otlp-protocol")]
    public void Invalid_options_give_one_line_naming_the_option_and_a_non_zero_exit(string option, string value, string named)
    {
        var r = S4alProcess.Run("run", option, value, "--run-dir", Path.Combine(TempDir(), "run"));
        Assert.NotEqual(0, r.ExitCode);
        var lines = r.Error.Trim().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("s4al: error:", lines[0]);
        Assert.Contains(named, lines[0]);
    }

    [Fact]
    public void Missing_dataset_folder_is_named()
    {
        var missing = Path.Combine(TempDir(), "no-such-camvid");
        var runDir = Path.Combine(TempDir(), "run");
        var r = S4alProcess.Run("run", "--dataset", "camvid", "--data-root", missing, "--run-dir", runDir);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(missing, r.Error);
        Assert.DoesNotContain("   at ", r.Error); // no stack trace
        Assert.False(Directory.Exists(runDir), "a failed start left a run folder behind");
    }

    [Fact]
    public void Bench_prints_threads_and_ends_with_the_median()
    {
        var r = S4alProcess.Run("bench", "ssl-step", "--net", "tiny", "--height", "32", "--width", "48", "--iters", "2", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Error);
        var lines = r.Output.Trim().Split('\n');
        Assert.Contains("threads=1", lines[0]);
        Assert.Matches(@"^seconds_per_iter=\d+\.\d+$", lines[^1].Trim());
        var floor = S4alProcess.Run("bench", "ssl-step", "--net", "tiny", "--height", "32", "--width", "48", "--iters", "2", "--threads", "1", "--floor");
        Assert.True(floor.ExitCode == 0, floor.Error);
        Assert.Contains("mode=floor", floor.Output);
        Assert.Matches(@"^seconds_per_iter=\d+\.\d+$", floor.Output.Trim().Split('\n')[^1].Trim());
    }

    [Fact]
    public void The_retaining_heap_is_on_by_default_and_the_setting_NativeHeap_system_turns_it_off()
    {
        var on = S4alProcess.Run("bench", "heap", "--rounds", "1");
        Assert.True(on.ExitCode == 0, on.Error);
        Assert.Contains("freed tensor memory kept for reuse", on.Output);
        Assert.Matches(@"^faults_per_round=\d+\.\d$", on.Output.Trim().Split('\n')[^1].Trim());
        var off = S4alProcess.Run(TimeSpan.FromMinutes(5), new Dictionary<string, string> { ["S4AL__NativeHeap"] = "system" }, "bench", "heap", "--rounds", "1");
        Assert.True(off.ExitCode == 0, off.Error);
        Assert.Contains("allocator defaults (NativeHeap=system)", off.Output);
    }

    [Fact]
    public void Settings_reach_the_program_from_its_config_file_and_variables_and_bad_ones_are_one_line_with_exit_2()
    {
        var dir = TempDir();
        var file = Path.Combine(dir, "node.json");
        File.WriteAllText(file, """{ "Node": { "Roles": "coordinator" } }""");
        // From the file: the coordinator role, which needs a journal.
        var r = S4alProcess.Run(TimeSpan.FromMinutes(2), new Dictionary<string, string>(), "node", "--config", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--journal (setting Node:Journal) is required", r.Error);
        // A variable of the real process environment, named as it was set.
        r = S4alProcess.Run(TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["S4AL__Node__Port"] = "abc" }, "node", "--config", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("s4al: error: S4AL__Node__Port=abc: must be a port number 0..65535", r.Error.Trim());
        r = S4alProcess.Run(TimeSpan.FromMinutes(2), new Dictionary<string, string>(), "status", "--config", Path.Combine(dir, "missing.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--config " + Path.Combine(dir, "missing.json") + ": file not found", r.Error);
    }

    // `s4al compare` on the run folders of S4AL.Reporting.Tests' fixtures (the numbers are checked there).
    [Fact]
    public void Compare_writes_the_plot_and_tables_prints_each_setting_and_warns_of_unfinished_runs()
    {
        var dir = TempDir();
        var sweep = Path.Combine(dir, "sweep");
        WriteSweep(sweep);
        WriteRun(Path.Combine(sweep, "s4al-s4"), Entropy, 4, new Cycle(0.10, 0.3));
        var output = Path.Combine(dir, "out");

        var r = S4alProcess.Run("compare", sweep, "--out", output);

        Assert.True(r.ExitCode == 0, r.Error + r.Output);
        Assert.Equal($"s4al: warning: {Path.Combine(sweep, "s4al-s4")}: unfinished (1 of 3 cycles in cycles.json); skipped", r.Error.Trim());
        var lines = r.Output.Trim().Split('\n');
        Assert.Equal("8 runs of 3 settings on fashion-mnist, 64x64, pool 100, validation 100 generated images", lines[0]);
        Assert.Equal("  mode=s4al metric=random: final mIoU 0.3900 (3 seeds, 0.3500-0.4200), 70.9% of full supervision", lines[1]);
        Assert.Equal("  mode=s4al metric=entropy: final mIoU 0.4500 (3 seeds, 0.4000-0.5000), 81.8% of full supervision", lines[2]);
        Assert.Equal("  mode=fully-supervised: final mIoU 0.5500 (2 seeds, 0.5000-0.6000)", lines[3]);
        Assert.StartsWith("written: ", lines[4], StringComparison.Ordinal);
        foreach (var file in new[] { "compare.png", "compare.md", "compare.csv", "compare.html" })
            Assert.True(new FileInfo(Path.Combine(output, file)) is { Exists: true, Length: > 100 }, $"{file} is missing or empty");
    }

    [Fact]
    public void Bad_folders_give_one_line_naming_the_folder_and_exit_1()
    {
        var dir = TempDir();
        var empty = Directory.CreateDirectory(Path.Combine(dir, "empty")).FullName;
        var unfinished = WriteRun(Path.Combine(dir, "unfinished"), Entropy, 1, new Cycle(0.10, 0.3));
        var entropy = WriteRun(Path.Combine(dir, "s4al-s1"), Entropy, 1, new(0.10, 0.3), new(0.125, 0.35), new(0.15, 0.4));
        var synthetic = WriteRun(Path.Combine(dir, "synthetic-s1"), Entropy, 1, new(0.10, 0.3), new(0.125, 0.35), new(0.15, 0.4));
        var settingsFile = Path.Combine(synthetic, "settings.json");
        File.WriteAllText(settingsFile, File.ReadAllText(settingsFile).Replace("\"fashion-mnist\"", "\"synthetic\"", StringComparison.Ordinal));

        (string[] Folders, string Error)[] cases =
        [
            ([Path.Combine(dir, "missing")], $"{Path.Combine(dir, "missing")}: no such folder"),
            ([empty], $"{empty}: neither a run folder (no settings.json) nor a folder of run folders (none in it or one level below)"),
            ([unfinished], $"no finished run to compare: {unfinished}: unfinished (1 of 3 cycles in cycles.json); skipped"),
            ([entropy, synthetic], $"{entropy} and {synthetic} are runs of different datasets (data.kind fashion-mnist vs synthetic); compare runs of one dataset"),
        ];
        foreach (var (folders, error) in cases)
        {
            var r = S4alProcess.Run(["compare", .. folders, "--out", Path.Combine(dir, "out")]);
            Assert.Equal(1, r.ExitCode);
            Assert.Equal($"s4al: error: {error}", r.Error.Trim());
        }
        Assert.False(Directory.Exists(Path.Combine(dir, "out")), "a failed comparison wrote files");
    }
}
