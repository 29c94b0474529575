using System.Text.Json;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Scenes;

namespace S4AL.IntegrationTests;

/// <summary>
/// `s4al run --annotator human` driven the way a lab's script would: at each annotation round
/// `s4al export --format masks`, fill the queried regions, `s4al import`. The labels come from
/// the dataset's true masks, which the human run never sees (its pool holds wrong masks), so the
/// experiment must end exactly where the oracle run with the same seed ends. A SIGKILL in the
/// middle of a round loses no stored label.
/// </summary>
[Collection(ProcessTests.Name)]
public class AnnotationByPeopleTests
{
    static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);
    const int H = 32, W = 48;

    static readonly string[] Options = OptionsWith(cycles: 2);

    static string[] OptionsWith(int cycles) =>
    [
        "--dataset", "folder", "--height", $"{H}", "--width", $"{W}", "--net", "tiny", "--region-size", "8", "--cycles", $"{cycles}", "--epochs", "2", "--iters", "4",
        "--batch", "4", "--initial-share", "0.2", "--budget", "per-image", "--regions-per-image", "2", "--shard-size", "5", "--threads", "1", "--seed", "3",
        "--checkpoint-interval", "0",
    ];

    [Fact]
    public void Labels_exported_filled_and_imported_each_round_end_where_the_oracle_run_ends_even_across_a_kill()
    {
        var truth = Folders.New("truth");
        WriteDataset(truth, wrongPoolMasks: false);
        var hidden = Folders.New("hidden");
        WriteDataset(hidden, wrongPoolMasks: true);

        var oracleDir = Folders.New("oracle");
        var oracle = S4alRun.Complete(null, ["run", .. Options, "--data-root", truth, "--run-dir", oracleDir]);
        Assert.True(oracle.ExitCode == 0, oracle.Output + oracle.Error);

        var dir = Folders.New("human");
        string[] human = ["run", .. Options, "--data-root", hidden, "--annotator", "human", "--run-dir", dir];
        var run = S4alRun.Start(null, human);
        try
        {
            int rounds = 0;
            while (AwaitRound(run, dir) is { } round)
            {
                var export = Path.Combine(Path.GetDirectoryName(dir)!, $"export-{rounds}");
                Ok(S4alRun.Complete(null, "export", "--run-dir", dir, "--format", "masks", "--out", export));
                var images = Fill(export, truth);
                if (rounds == 1)
                {
                    // Half the round, then a power cut of the run: what was imported stays.
                    var half = Path.Combine(Path.GetDirectoryName(dir)!, "export-1-half");
                    CopyOnly(export, half, images.Take(images.Count / 2));
                    Ok(S4alRun.Complete(null, "import", "--run-dir", dir, "--format", "masks", half, "--annotator", "script"));
                    var before = AwaitRound(run, dir)!.Value;
                    Assert.True(before.Labeled > 0 && before.Labeled < before.Queried, $"{before}");
                    run.Kill();
                    run.Dispose();
                    run = S4alRun.Start(null, "run", "--run-dir", dir);
                    Assert.Equal(before, AwaitRound(run, dir));
                    // The same labels again change nothing.
                    Assert.StartsWith("0 region labels stored, ", Ok(S4alRun.Complete(null, "import", "--run-dir", dir, "--format", "masks", half, "--annotator", "script")));
                }
                Ok(S4alRun.Complete(null, "import", "--run-dir", dir, "--format", "masks", export, "--annotator", "script"));
                rounds++;
            }
            run.WaitForExit(Wait);
            Assert.True(run.ExitCode == 0, run.Output + run.Error);
            // The initial set, then cycles 0 and 1 (cycle 2 is the last: it trains and stops).
            Assert.Equal(3, rounds);
        }
        finally { run.Dispose(); }

        Assert.Equal(File.ReadAllText(Path.Combine(oracleDir, "labeled.json")), File.ReadAllText(Path.Combine(dir, "labeled.json")));
        var expected = Cycles(oracleDir);
        var actual = Cycles(dir);
        Assert.Equal(expected.Select(c => c.Miou), actual.Select(c => c.Miou));
        Assert.Equal(expected.Select(c => c.Acquired), actual.Select(c => c.Acquired));
        Assert.Equal(expected.Select(c => c.Share), actual.Select(c => c.Share));
        // cycles.json of the human run carries the rounds' figures.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "cycles.json")));
        var first = json.RootElement[0].GetProperty("annotation");
        Assert.Equal(first.GetProperty("regionsQueried").GetInt32(), first.GetProperty("regionsLabeled").GetInt32());
        Assert.Equal(1, first.GetProperty("annotators").GetInt32());
    }

    [Fact]
    public void Without_validation_images_or_pool_masks_the_run_trains_on_what_people_label_and_says_miou_is_not_measured()
    {
        var truth = Folders.New("truth-unmeasured");
        WriteDataset(truth, wrongPoolMasks: false);
        var bare = Folders.New("bare");
        WriteDataset(bare, wrongPoolMasks: false);
        Directory.Delete(Path.Combine(bare, "train", "masks"), recursive: true);
        Directory.Delete(Path.Combine(bare, "val"), recursive: true);

        var dir = Folders.New("unmeasured");
        var refused = S4alRun.Complete(null, ["run", .. OptionsWith(cycles: 1), "--data-root", bare, "--run-dir", Folders.New("oracle-without-masks")]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--annotator human", refused.Error);

        using var run = S4alRun.Start(null, ["run", .. OptionsWith(cycles: 1), "--data-root", bare, "--annotator", "human", "--run-dir", dir]);
        int rounds = 0;
        while (AwaitRound(run, dir) is { } round)
        {
            var closeTooEarly = S4alRun.Complete(null, "annotate", "--run-dir", dir, "--close");
            if (rounds == 0)
            {
                // Nothing labeled yet: the first round cannot end.
                Assert.Equal(2, closeTooEarly.ExitCode);
                Assert.Contains("label at least one", closeTooEarly.Error);
                var export = Path.Combine(Path.GetDirectoryName(dir)!, "unmeasured-export");
                Ok(S4alRun.Complete(null, "export", "--run-dir", dir, "--format", "masks", "--out", export));
                var images = Fill(export, truth);
                var one = Path.Combine(Path.GetDirectoryName(dir)!, "unmeasured-one");
                CopyOnly(export, one, images.Take(1));
                Ok(S4alRun.Complete(null, "import", "--run-dir", dir, "--format", "masks", one));
                Assert.Contains("returned to the pool", Ok(S4alRun.Complete(null, "annotate", "--run-dir", dir, "--close")));
            }
            else Assert.True(closeTooEarly.ExitCode == 0, closeTooEarly.Output + closeTooEarly.Error);
            rounds++;
        }
        run.WaitForExit(Wait);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Equal(2, rounds);
        Assert.Contains("mIoU not measured", run.Output);
        var csv = File.ReadAllLines(Path.Combine(dir, "cycles.csv"));
        var header = csv[0].Split(',');
        int miou = Array.IndexOf(header, "miou"), labeled = Array.IndexOf(header, "regions_labeled"), queried = Array.IndexOf(header, "regions_queried");
        Assert.All(csv.Skip(1), row => Assert.Equal("", row.Split(',')[miou]));
        // Cycle 0's round was closed at once: nothing labeled, every queried region back in the pool.
        Assert.Equal("0", csv[1].Split(',')[labeled]);
        Assert.NotEqual("0", csv[1].Split(',')[queried]);
        Assert.False(File.Exists(Path.Combine(dir, "miou.png")));
    }

    [Fact]
    public void Images_labeled_in_full_beforehand_start_the_run_without_a_first_round()
    {
        var truth = Folders.New("truth-start");
        WriteDataset(truth, wrongPoolMasks: false);
        var start = Folders.New("start-labels");
        Directory.CreateDirectory(start);
        foreach (var id in new[] { "scene01", "scene04", "scene07", "scene10" })
            File.Copy(Path.Combine(truth, "train", "masks", id + ".png"), Path.Combine(start, id + ".png"));
        File.WriteAllText(Path.Combine(start, "notes.txt"), "not a mask");

        var dir = Folders.New("started");
        var run = S4alRun.Complete(null, ["run", .. OptionsWith(cycles: 0), "--data-root", truth, "--annotator", "human", "--start-labels", start, "--run-dir", dir]);
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.DoesNotContain("annotating", run.Output);
        using var labeled = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "labeled.json")));
        Assert.Equal([1, 4, 7, 10], labeled.RootElement.GetProperty("fullyLabeled").EnumerateArray().Select(e => e.GetInt32()).Order());
        foreach (var (index, id) in new[] { (1, "scene01"), (10, "scene10") })
            Assert.Equal(ImageFiles.ReadLabels(Path.Combine(truth, "train", "masks", id + ".png")).Pixels,
                ImageFiles.ReadLabels(Path.Combine(dir, "labels", $"{index:D5}.png")).Pixels);

        File.Copy(Path.Combine(start, "scene01.png"), Path.Combine(start, "elsewhere.png"));
        var unknown = S4alRun.Complete(null, ["run", .. OptionsWith(cycles: 0), "--data-root", truth, "--annotator", "human", "--start-labels", start, "--run-dir", Folders.New("unknown")]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("elsewhere.png' names no image", unknown.Error);
    }

    [Fact]
    public void A_run_waiting_for_labels_stops_on_SIGTERM_and_resumes_where_it_waited()
    {
        var truth = Folders.New("truth-sigterm");
        WriteDataset(truth, wrongPoolMasks: false);
        var dir = Folders.New("sigterm");
        string[] args = ["run", .. OptionsWith(cycles: 1), "--data-root", truth, "--annotator", "human", "--run-dir", dir];
        using (var run = S4alRun.Start(null, args))
        {
            var waiting = AwaitRound(run, dir);
            Assert.NotNull(waiting);
            run.Terminate();
            run.WaitForExit(TimeSpan.FromMinutes(1));
            Assert.Equal(1, run.ExitCode);
            Assert.Contains("stopped (SIGTERM)", run.Error);
        }
        using var again = S4alRun.Start(null, "run", "--run-dir", dir);
        Assert.Equal(0, AwaitRound(again, dir)!.Value.Labeled);
    }

    /// <summary>Waits until the run waits for labels (labeled of queried) or has ended (null).</summary>
    static (int Labeled, int Queried)? AwaitRound(S4alRun run, string dir)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (run.HasExited) return null;
            if (File.Exists(Path.Combine(dir, "journal.db")))
            {
                var status = S4alRun.Complete(null, "status", "--run-dir", dir, "--json");
                if (status.ExitCode == 0)
                {
                    using var json = JsonDocument.Parse(status.Output);
                    if (json.RootElement.GetArrayLength() == 1 && json.RootElement[0].GetProperty("annotation") is { ValueKind: JsonValueKind.Object } a)
                    {
                        int labeled = a.GetProperty("regionsLabeled").GetInt32(), queried = a.GetProperty("regionsQueried").GetInt32();
                        if (labeled < queried) return (labeled, queried);
                    }
                }
            }
            Thread.Sleep(200);
        }
        throw new TimeoutException($"the run did not wait for labels within {Wait}:\n{run.Output}\n{run.Error}");
    }

    /// <summary>Fills every queried region of the exported masks with the true labels; returns the images' names.</summary>
    static List<string> Fill(string export, string truth)
    {
        using var regions = JsonDocument.Parse(File.ReadAllText(Path.Combine(export, "regions.json")));
        var names = new List<string>();
        foreach (var image in regions.RootElement.GetProperty("images").EnumerateArray())
        {
            var name = image.GetProperty("name").GetString()!;
            var id = name[(name.IndexOf('-') + 1)..];
            var real = ImageFiles.ReadLabels(Path.Combine(truth, "train", "masks", id + ".png")).Pixels;
            var file = Path.Combine(export, name + ".png");
            var labels = ImageFiles.ReadLabels(file).Pixels;
            foreach (var r in image.GetProperty("regions").EnumerateArray())
                for (int y = r.GetProperty("top").GetInt32(); y < r.GetProperty("bottom").GetInt32(); y++)
                    for (int x = r.GetProperty("left").GetInt32(); x < r.GetProperty("right").GetInt32(); x++)
                        labels[y * W + x] = real[y * W + x];
            ImageFiles.WriteLabelPng(file, H, W, labels);
            names.Add(name);
        }
        Assert.NotEmpty(names);
        return names;
    }

    static void CopyOnly(string export, string target, IEnumerable<string> names)
    {
        Directory.CreateDirectory(target);
        foreach (var name in names) File.Copy(Path.Combine(export, name + ".png"), Path.Combine(target, name + ".png"));
    }

    static string Ok(S4alRun command)
    {
        // The exit code too: a command that printed its result and still failed (once, under load average 20, with nothing on stderr) must say how it ended.
        Assert.True(command.ExitCode == 0, $"exit code {command.ExitCode}\nstdout:\n{command.Output}\nstderr:\n{command.Error}");
        return command.Output;
    }

    static List<(double Miou, string Acquired, double Share)> Cycles(string dir)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "cycles.json")));
        return json.RootElement.EnumerateArray().Select(c => (c.GetProperty("miou").GetDouble(), c.GetProperty("acquired").GetRawText(), c.GetProperty("labeledPixelShare").GetDouble())).ToList();
    }

    /// <summary>A folder dataset of generated street scenes; with <paramref name="wrongPoolMasks"/> every pool mask says class 0.</summary>
    static void WriteDataset(string root, bool wrongPoolMasks)
    {
        ISegmentationDataset pool = new SyntheticSceneDataset(12, 11, H, W), validation = new SyntheticSceneDataset(6, 12, H, W);
        Directory.CreateDirectory(root);
        File.WriteAllLines(Path.Combine(root, "classes.txt"), pool.ClassNames);
        foreach (var (split, data, wrong) in new[] { ("train", pool, wrongPoolMasks), ("val", validation, false) })
            for (int i = 0; i < data.Count; i++)
            {
                var image = data.Get(i);
                ImageFiles.WriteRgbPng(Path.Combine(root, split, "images", $"scene{i:D2}.png"), H, W, image.Rgb);
                ImageFiles.WriteLabelPng(Path.Combine(root, split, "masks", $"scene{i:D2}.png"), H, W, wrong ? new byte[H * W] : image.Label);
            }
    }
}
