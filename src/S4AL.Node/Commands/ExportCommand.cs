using System.CommandLine;
using S4AL.Actors.Workspace;
using S4AL.Annotation;
using S4AL.Learning;
using S4AL.Learning.ActiveLearning;
using S4AL.Node.Configuration;
using S4AL.Node.Runs;

namespace S4AL.Node.Commands;

/// <summary>`s4al export`: writes a cycle's queried regions for an annotation tool (CVAT, Label Studio, or plain masks).</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var runDir = new Option<string>("--run-dir") { Description = "The run folder of the experiment", Required = true };
        var cycle = new Option<int?>("--cycle") { Description = "The cycle whose queries to write (default: the current one, which must be annotating)" };
        var format = new Option<string>("--format") { Description = $"{string.Join(", ", AnnotationFormats.Names)}", Required = true };
        var output = new Option<string>("--out") { Description = "A new or empty folder to write into", Required = true };
        var device = new Option<string>("--device") { Description = "Where the model predicts the pre-annotation: cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var noPrediction = new Option<bool>("--no-prediction") { Description = "Leave the regions empty instead of filling them with the current model's prediction" };
        var cluster = new ClusterOptions();
        var cmd = new Command("export", "Write the regions a cycle asks people to label, in an annotation tool's format: cvat (Segmentation mask 1.1), label-studio (tasks JSON with brush pre-annotations) or masks (one PNG per image, 255 outside the regions).");
        foreach (var o in new Option[] { runDir, cycle, format, output, device, noPrediction }) cmd.Options.Add(o);
        cluster.AddTo(cmd);
        cmd.SetAction(parse => CommandErrors.Guard(() =>
        {
            var kind = RunOptions.Named("--format", parse.GetValue(format)!, AnnotationFormats.Parse);
            var dir = parse.GetValue(runDir)!;
            var node = S4alConfiguration.Load(cluster.Given(parse)).Node;
            var state = node.SeedNodes.Count > 0 ? ExperimentOf(node, dir) : RunFolder.ReadExperiment(dir);
            var data = OpenedDatasets.Open(ExperimentDefinition.FromJson(state.Plan.Definition, $"experiment {state.Id}"));
            var predictOn = parse.GetValue(noPrediction) ? null : RunOptions.Named("--device", parse.GetValue(device)!, Devices.Parse);
            var images = Directory.CreateTempSubdirectory("s4al-export-");
            try
            {
                var queries = CycleQueries.Build(state, parse.GetValue(cycle) ?? state.Cycle, data, images.FullName, predictOn);
                var target = Path.GetFullPath(parse.GetValue(output)!);
                AnnotationExport.Write(kind, queries, target);
                Console.Out.WriteLine($"cycle {queries.Cycle}: {queries.Images.Sum(i => i.Regions.Count)} regions in {queries.Images.Count} images written to {target} ({AnnotationFormats.Name(kind)}; see README.txt there)");
                return 0;
            }
            finally { images.Delete(recursive: true); }
        }));
        return cmd;
    }

    static Domain.Experiments.ExperimentState ExperimentOf(NodeSection node, string runDir)
    {
        using var client = CoordinatorClient.Connect(node, runDir);
        return client.Experiment(runDir);
    }
}
