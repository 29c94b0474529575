using System.CommandLine;
using S4AL.Actors.Workspace;
using S4AL.Annotation;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.ActiveLearning;
using S4AL.Node.Configuration;
using S4AL.Node.Runs;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Node.Commands;

/// <summary>
/// `s4al import`: reads labels made in an annotation tool and hands each labeled region to the
/// coordinator: checked, written to the run folder's label store, then journaled with its
/// SHA-256 before it counts. A file with any error stores nothing.
/// </summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var runDir = new Option<string>("--run-dir") { Description = "The run folder of the experiment (an `s4al run --annotator human` working in it, or with --seed-nodes the experiment's results folder)", Required = true };
        var format = new Option<string>("--format") { Description = $"{string.Join(", ", AnnotationFormats.Names)}", Required = true };
        var annotator = new Option<string>("--annotator") { Description = "Who labeled these regions (stored with each label)", DefaultValueFactory = _ => Environment.UserName };
        var path = new Argument<string>("path") { Description = "What the tool exported: cvat: its zip or folder; label-studio: its JSON export; masks: the folder (or a zip of it)" };
        var cluster = new ClusterOptions();
        var cmd = new Command("import", "Read people's labels of the current cycle's queried regions from an annotation tool's export and record them; partial imports are fine and importing again changes nothing.");
        cmd.Options.Add(runDir);
        cmd.Options.Add(format);
        cmd.Options.Add(annotator);
        cmd.Arguments.Add(path);
        cluster.AddTo(cmd);
        cmd.SetAction(parse => CommandErrors.Guard(() =>
        {
            var kind = RunOptions.Named("--format", parse.GetValue(format)!, AnnotationFormats.Parse);
            var who = parse.GetValue(annotator)!.Trim();
            if (who.Length == 0) throw new UsageException("--annotator: give a name");
            var source = Path.GetFullPath(parse.GetValue(path)!);
            if (!File.Exists(source) && !Directory.Exists(source)) throw new UsageException($"{source}: no such file or folder");
            var dir = parse.GetValue(runDir)!;
            var node = S4alConfiguration.Load(cluster.Given(parse)).Node;
            using var client = CoordinatorClient.Connect(node, dir);
            var state = client.Experiment(dir);
            if (!state.AwaitsLabels)
                throw new UsageException($"experiment {state.Id} waits for no labels: cycle {state.Cycle} is {(state.Plan.Annotator == AnnotatorMode.Oracle ? "labeled by the oracle" : state.Phase.ToString().ToLowerInvariant())}");
            var data = OpenedDatasets.Open(ExperimentDefinition.FromJson(state.Plan.Definition, $"experiment {state.Id}"));
            var queries = CycleQueries.Build(state, state.Cycle, data, imageFolder: null, predictOn: null);
            IReadOnlyDictionary<int, byte[]> labels;
            try { labels = AnnotationImport.Read(kind, queries, source); }
            catch (AnnotationImportException e) { throw new InvalidDataException(e.Message, e); }
            var (stored, unchanged, progress) = Record(client, state, data, queries, labels, who, source);
            Console.Out.WriteLine($"{stored} region labels stored, {unchanged} unchanged; cycle {state.Cycle}: {progress}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>Each region with a labeled pixel: into the label store, then to the coordinator, which journals it before answering.</summary>
    static (int Stored, int Unchanged, string Progress) Record(CoordinatorClient client, ExperimentState state, OpenedDatasets data, AnnotationQueries queries,
        IReadOnlyDictionary<int, byte[]> labels, string annotator, string source)
    {
        var store = data.LabelStore(state.Plan.RunDirectory);
        int stored = 0, unchanged = 0;
        string progress = $"{state.CycleLabels.Count} of {state.CycleAcquisition.Length} regions labeled";
        foreach (var image in queries.Images)
        {
            if (!labels.TryGetValue(image.Index, out var imageLabels)) continue;
            foreach (var region in image.Regions)
            {
                var mask = store.Cut(imageLabels, region.Region);
                if (mask.All(v => v == AnnotationQueries.Unlabeled)) continue;
                var label = store.Store(image.Index, region.Region, mask, source);
                switch (client.Ask<object>(new SubmitLabel(state.Id, state.Cycle, new RegionId(image.Index, region.Region), new RegionLabel(label.Sha256, annotator, null, label.LabeledPixels))))
                {
                    case LabelAccepted a:
                        if (a.Changed) stored++; else unchanged++;
                        progress = $"{a.RegionsLabeled} of {a.RegionsQueried} regions labeled";
                        break;
                    case AnnotationRefused r:
                        throw new InvalidDataException($"{source}: region {image.Index}:{region.Region} refused after {stored} stored: {r.Reason}");
                }
            }
        }
        return (stored, unchanged, progress);
    }
}
