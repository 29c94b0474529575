using S4AL.Reporting.Comparison;
using static S4AL.Reporting.Tests.Comparison.ComparisonFixtures;

namespace S4AL.Reporting.Tests.Comparison;

public class RunFoldersTests
{
    static readonly ComparisonFixtures.Cycle[] ThreeCycles = [new(0.10, 0.30), new(0.125, 0.35), new(0.15, 0.40)];

    [Fact]
    public void A_sweep_holds_run_folders_in_it_or_one_level_below_and_a_run_folder_is_itself()
    {
        using var folder = new TempFolder();
        WriteRun(folder.File("flat/s4al-s1"), Entropy, 1, ThreeCycles);
        WriteRun(folder.File("nested/s4al/s2"), Entropy, 2, ThreeCycles);
        WriteRun(folder.File("nested/s4al/s1"), Entropy, 1, ThreeCycles);
        WriteRun(folder.File("too-deep/a/b/s1"), Entropy, 1, ThreeCycles);

        Assert.Equal([folder.File("flat/s4al-s1")], RunFolders.Find(folder.File("flat")));
        Assert.Equal([folder.File("nested/s4al/s1"), folder.File("nested/s4al/s2")], RunFolders.Find(folder.File("nested")));
        Assert.Equal([folder.File("nested/s4al/s1")], RunFolders.Find(folder.File("nested/s4al/s1") + "/"));
        Assert.Contains("neither a run folder (no settings.json) nor a folder of run folders",
            Assert.Throws<InvalidDataException>(() => RunFolders.Find(folder.File("too-deep"))).Message);
    }

    [Fact]
    public void The_same_run_reached_twice_is_read_once()
    {
        using var folder = new TempFolder();
        WriteRun(folder.File("sweep/s4al-s1"), Entropy, 1, ThreeCycles);
        var found = RunFolders.Read([folder.File("sweep"), folder.File("sweep/s4al-s1")]);
        var run = Assert.Single(found.Runs);
        Assert.Equal(1, run.Seed);
        Assert.Equal([0.30, 0.35, 0.40], run.Cycles.Select(c => c.MeanIoU!.Value));
        Assert.Empty(found.Warnings);
    }

    [Fact]
    public void Unfinished_runs_are_skipped_with_a_warning_each()
    {
        using var folder = new TempFolder();
        WriteRun(folder.File("sweep/s4al-s1"), Entropy, 1, ThreeCycles);
        WriteRun(folder.File("sweep/s4al-s2"), Entropy, 2, ThreeCycles[..2]);
        WriteRun(folder.File("sweep/s4al-s3"), Entropy, 3, ThreeCycles);
        File.Delete(folder.File("sweep/s4al-s3/cycles.json"));

        var found = RunFolders.Read([folder.File("sweep")]);
        Assert.Equal([1], found.Runs.Select(r => r.Seed));
        Assert.Equal([
            $"{folder.File("sweep/s4al-s2")}: unfinished (2 of 3 cycles in cycles.json); skipped",
            $"{folder.File("sweep/s4al-s3")}: unfinished (no cycles.json); skipped",
        ], found.Warnings);
    }

    [Fact]
    public void Full_supervision_is_finished_after_its_one_cycle()
    {
        using var folder = new TempFolder();
        WriteRun(folder.File("full-s1"), Full, 1, new ComparisonFixtures.Cycle(1.0, 0.5));
        Assert.Single(RunFolders.Read([folder.File("full-s1")]).Runs);
    }

    [Fact]
    public void Nothing_finished_is_an_error_that_says_why_each_run_was_left_out()
    {
        using var folder = new TempFolder();
        WriteRun(folder.File("sweep/s4al-s1"), Entropy, 1, ThreeCycles);
        File.Delete(folder.File("sweep/s4al-s1/cycles.json"));
        var error = Assert.Throws<InvalidDataException>(() => RunFolders.Read([folder.File("sweep")]));
        Assert.Equal($"no finished run to compare: {folder.File("sweep/s4al-s1")}: unfinished (no cycles.json); skipped", error.Message);
    }

    [Fact]
    public void A_missing_folder_and_a_folder_without_runs_are_named()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("empty/sub"));
        Assert.Equal($"{folder.File("nope")}: no such folder",
            Assert.Throws<DirectoryNotFoundException>(() => RunFolders.Read([folder.File("nope")])).Message);
        Assert.Equal($"{folder.File("empty")}: neither a run folder (no settings.json) nor a folder of run folders (none in it or one level below)",
            Assert.Throws<InvalidDataException>(() => RunFolders.Read([folder.File("empty")])).Message);
    }

    [Fact]
    public void A_damaged_cycles_json_is_named_with_the_entry_and_field()
    {
        using var folder = new TempFolder();
        var run = WriteRun(folder.File("s4al-s1"), Entropy, 1, ThreeCycles);
        var path = Path.Combine(run, "cycles.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"miou\": 0.35", "\"miou\": \"high\"", StringComparison.Ordinal));
        var error = Assert.Throws<InvalidDataException>(() => RunFolders.Read([run]));
        Assert.Equal($"{path}: entry 1: 'miou' is the text \"high\", expected a number", error.Message);
    }

    [Fact]
    public void Cycles_json_reads_back_what_CycleResultFiles_wrote_unmeasured_as_null()
    {
        var run = InMemory("r", Entropy, 1, new(0.10, 0.30, 0.5, null), new(0.125, null, 0.6, 0.1), new(0.15, 0.40, 0.7, 0.2));
        Assert.Equal([0, 1, 2], run.Cycles.Select(c => c.Cycle));
        Assert.Equal([0.10, 0.125, 0.15], run.Cycles.Select(c => c.LabeledPixelShare));
        Assert.Equal([0.30, null, 0.40], run.Cycles.Select(c => c.MeanIoU));
        Assert.Equal([new ClassIou("background", 0.5), new ClassIou("item", null)], run.Cycles[0].ClassIoU);
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => CyclesJson.Parse("[{", "x/cycles.json")).Message);
        Assert.Equal("x/cycles.json: entry 0: 'labeledPixelShare' is missing or null",
            Assert.Throws<InvalidDataException>(() => CyclesJson.Parse("[{\"cycle\": 0}]", "x/cycles.json")).Message);
    }

    [Fact]
    public void Cycles_json_reads_back_the_iterations_and_the_curve_of_a_round_trained_to_convergence()
    {
        var full = InMemory("f", Full, 2, new Cycle(1.0, 0.60));
        Assert.Equal(1200, full.Final.Iterations);
        Assert.Equal(FullCurves[2], full.Final.Curve);
        var entropy = InMemory("e", Entropy, 1, new(0.10, 0.30), new(0.125, 0.35));
        Assert.Equal([400L, 800L], entropy.Cycles.Select(c => c.Iterations));
        Assert.All(entropy.Cycles, c => Assert.Null(c.Curve));
        // Files written before iterations and curves were kept read as unknown.
        Assert.Null(Assert.Single(CyclesJson.Parse("[{\"cycle\": 0, \"labeledPixelShare\": 1, \"miou\": 0.5}]", "x/cycles.json")).Iterations);
        Assert.Equal("x/cycles.json: entry 0: curve[1]: 'iterations' is missing or null",
            Assert.Throws<InvalidDataException>(() => CyclesJson.Parse(
                "[{\"cycle\": 0, \"labeledPixelShare\": 1, \"curve\": [{\"epochs\": 5, \"iterations\": 400, \"miou\": 0.4}, {\"epochs\": 10, \"miou\": 0.5}]}]", "x/cycles.json")).Message);
    }
}
