using System.Text.Json;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Data.Scenes;

namespace S4AL.IntegrationTests;

/// <summary>
/// The coordinator only coordinates: its node needs no data. The dataset is given as a path
/// relative to each process's working folder, and only the trainer's, the scorer's and the
/// submitting client's folders have it; the coordinator runs in an empty folder.
/// </summary>
[Collection(ProcessTests.Name)]
public class CoordinatorWithoutDataTests
{
    static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);

    /// <summary>A folder dataset (train and val splits of PNG images and masks) from the built-in scene generator.</summary>
    static void WriteFolderDataset(string root, int trainImages, int valImages)
    {
        foreach (var (split, count, seed) in new[] { ("train", trainImages, 21), ("val", valImages, 22) })
        {
            var scenes = new SyntheticSceneDataset(count, seed, height: 48, width: 64);
            for (int i = 0; i < count; i++)
            {
                var image = scenes.Get(i);
                ImageFiles.WriteRgbPng(Path.Combine(root, split, "images", $"{i:D3}.png"), image.Height, image.Width, image.Rgb);
                ImageFiles.WriteLabelPng(Path.Combine(root, split, "masks", $"{i:D3}.png"), image.Height, image.Width, image.Label);
            }
            if (split == "train") File.WriteAllLines(Path.Combine(root, "classes.txt"), scenes.ClassNames);
        }
    }

    [Fact]
    public void A_cluster_experiment_completes_with_a_coordinator_node_that_has_no_data()
    {
        var dir = Folders.New("coordinator-without-data");
        var withData = Path.Combine(dir, "workers");
        var withoutData = Path.Combine(dir, "coordinator");
        Directory.CreateDirectory(withoutData);
        WriteFolderDataset(Path.Combine(withData, "data"), trainImages: 16, valImages: 6);
        int seedPort = Ports.Free();
        var seed = $"akka.tcp://s4al@127.0.0.1:{seedPort}";
        string Log(string name) => Path.Combine(dir, name + ".log");
        var nodes = new List<S4alRun>();
        try
        {
            nodes.Add(S4alRun.StartIn(withoutData, null, "node", "--roles", "coordinator,replay", "--port", seedPort.ToString(), "--seed-nodes", seed,
                "--journal", "sqlite:" + Path.Combine(withoutData, "journal.db"), "--log", Log("coordinator"), "--threads", "1"));
            nodes[0].WaitFor("is up with roles", Wait);
            foreach (var (name, roles) in new[] { ("trainer", "trainer"), ("scorer", "scorer") })
                nodes.Add(S4alRun.StartIn(withData, null, "node", "--roles", roles, "--port", "0", "--seed-nodes", seed, "--log", Log(name), "--threads", "1"));
            foreach (var node in nodes) node.WaitFor("is up with roles", Wait);

            var runDir = Path.Combine(dir, "run");
            var submit = S4alRun.StartIn(withData, null, "submit", "--dataset", "folder", "--data-root", "data", "--net", "tiny", "--region-size", "8",
                "--regions-per-image", "2", "--cycles", "1", "--epochs", "2", "--iters", "4", "--shard-size", "8", "--threads", "1",
                "--run-dir", runDir, "--seed-nodes", seed, "--watch");
            submit.WaitForExit(TimeSpan.FromMinutes(10));
            Assert.True(submit.ExitCode == 0, submit.Output + submit.Error + S4alRun.ReadShared(Log("coordinator")));
            Assert.Contains("cycle 1: ", submit.Output);
            // The results were written (by the scorer node's reporter), and the coordinator's folder holds nothing but its journal.
            Assert.True(File.Exists(Path.Combine(runDir, "cycles.csv")));
            Assert.True(File.Exists(Path.Combine(runDir, "acquired-cycle-0.png")));
            Assert.False(Directory.Exists(Path.Combine(withoutData, "data")));
            Assert.DoesNotContain("data", S4alRun.ReadShared(Log("coordinator")).Split('\n').Where(l => l.Contains(" ERR ")));
        }
        finally
        {
            foreach (var node in nodes) node.Dispose();
        }
    }

    [Fact]
    public void People_label_a_cluster_experiment_through_export_and_import_with_seed_nodes()
    {
        var dir = Folders.New("cluster-annotation");
        var withData = Path.Combine(dir, "workers");
        var withoutData = Path.Combine(dir, "coordinator");
        Directory.CreateDirectory(withoutData);
        WriteFolderDataset(Path.Combine(withData, "data"), trainImages: 12, valImages: 4);
        // Images 0 and 5 come labeled: the first round is cycle 0's.
        var start = Path.Combine(withData, "start");
        Directory.CreateDirectory(start);
        foreach (var id in new[] { "000", "005" }) File.Copy(Path.Combine(withData, "data", "train", "masks", id + ".png"), Path.Combine(start, id + ".png"));
        int seedPort = Ports.Free();
        var seed = $"akka.tcp://s4al@127.0.0.1:{seedPort}";
        string Log(string name) => Path.Combine(dir, name + ".log");
        S4alRun In(params string[] args)
        {
            var command = S4alRun.StartIn(withData, null, args);
            command.WaitForExit(Wait);
            Assert.True(command.ExitCode == 0, command.Output + command.Error);
            return command;
        }
        var nodes = new List<S4alRun>();
        try
        {
            nodes.Add(S4alRun.StartIn(withoutData, null, "node", "--roles", "coordinator,replay", "--port", seedPort.ToString(), "--seed-nodes", seed,
                "--journal", "sqlite:" + Path.Combine(withoutData, "journal.db"), "--log", Log("coordinator"), "--threads", "1"));
            nodes[0].WaitFor("is up with roles", Wait);
            nodes.Add(S4alRun.StartIn(withData, null, "node", "--roles", "trainer,scorer", "--port", "0", "--seed-nodes", seed, "--log", Log("worker"), "--threads", "1"));
            nodes[1].WaitFor("is up with roles", Wait);

            var runDir = Path.Combine(dir, "run");
            In("submit", "--dataset", "folder", "--data-root", "data", "--height", "48", "--width", "64", "--net", "tiny", "--region-size", "16", "--regions-per-image", "1", "--cycles", "1",
                "--epochs", "1", "--iters", "2", "--shard-size", "6", "--threads", "1", "--annotator", "human", "--start-labels", start,
                "--run-dir", runDir, "--seed-nodes", seed);
            string Phase()
            {
                using var json = JsonDocument.Parse(In("status", "--seed-nodes", seed, "--json").Output);
                return json.RootElement[0].GetProperty("phase").GetString()!;
            }
            var deadline = DateTime.UtcNow + Wait;
            while (Phase() != "annotating") { Assert.True(DateTime.UtcNow < deadline, "cycle 0 never waited for labels"); Thread.Sleep(500); }

            var export = Path.Combine(dir, "export");
            In("export", "--seed-nodes", seed, "--run-dir", runDir, "--format", "masks", "--out", export);
            using (var regions = JsonDocument.Parse(File.ReadAllText(Path.Combine(export, "regions.json"))))
                foreach (var image in regions.RootElement.GetProperty("images").EnumerateArray())
                {
                    // Every region labeled as the true mask says.
                    var name = image.GetProperty("name").GetString()!;
                    var real = ImageFiles.ReadLabels(Path.Combine(withData, "data", "train", "masks", name[(name.IndexOf('-') + 1)..] + ".png")).Pixels;
                    ImageFiles.WriteLabelPng(Path.Combine(export, name + ".png"), 48, 64, real);
                }
            Assert.Contains("10 region labels stored", In("import", "--seed-nodes", seed, "--run-dir", runDir, "--format", "masks", export, "--annotator", "ana").Output);
            deadline = DateTime.UtcNow + Wait;
            while (Phase() != "done") { Assert.True(DateTime.UtcNow < deadline, "the experiment did not finish after its labels"); Thread.Sleep(500); }
            var cycles = File.ReadAllLines(Path.Combine(runDir, "cycles.csv"));
            Assert.Equal(3, cycles.Length);
            var header = cycles[0].Split(',');
            var first = cycles[1].Split(',');
            Assert.Equal(("10", "10", "1"), (first[Array.IndexOf(header, "regions_queried")], first[Array.IndexOf(header, "regions_labeled")], first[Array.IndexOf(header, "annotators")]));
            Assert.True(File.Exists(Path.Combine(runDir, "labels", "00000.png")));
        }
        finally
        {
            foreach (var node in nodes) node.Dispose();
        }
    }
}
