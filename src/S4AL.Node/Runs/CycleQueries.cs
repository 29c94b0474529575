using S4AL.Actors.Workspace;
using S4AL.Annotation;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Data.Batches;
using S4AL.Learning.Data.Images;
using S4AL.Learning.Evaluation;
using S4AL.Node.Commands;
using static TorchSharp.torch;

namespace S4AL.Node.Runs;

/// <summary>
/// The regions a cycle asks people to label, as annotation tools see them: per image, its
/// pixels at the experiment's working size (so region rectangles match the file), the
/// regions' rectangles and, when asked for, the cycle's model prediction as pre-annotation.
/// </summary>
public static class CycleQueries
{
    /// <summary>The regions cycle <paramref name="cycle"/> queries and the network that chose them (none in the round before cycle 0).</summary>
    public static (IReadOnlyList<RegionId> Regions, CheckpointRef? Model) Of(ExperimentState s, int cycle)
    {
        if (cycle == s.Cycle)
        {
            if (s.Phase != CyclePhase.Annotating)
                throw new UsageException($"cycle {cycle} of experiment {s.Id} is {s.Phase.ToString().ToLowerInvariant()}: its regions are not queried yet (`s4al status` says when it is annotating)");
            return (s.CycleAcquisition, s.Model);
        }
        var record = s.History.FirstOrDefault(h => h.Cycle == cycle)
            ?? throw new UsageException($"--cycle {cycle}: experiment {s.Id} has cycles 0 to {s.Cycle}");
        return (record.Acquired, record.Model);
    }

    /// <summary>
    /// Builds the queries. <paramref name="imageFolder"/> receives each queried image as a PNG at
    /// the working size (the export copies it); null when only the geometry is needed (import).
    /// </summary>
    public static AnnotationQueries Build(ExperimentState s, int cycle, OpenedDatasets data, string? imageFolder, Device? predictOn)
    {
        var (regions, model) = Of(s, cycle);
        var byImage = regions.GroupBy(r => r.Image).OrderBy(g => g.Key).ToList();
        IReadOnlyList<byte[]>? predictions = null;
        if (predictOn is not null && model is not null && byImage.Count > 0)
        {
            using var network = CycleTrainingRun.LoadNetwork(model.Path, model.Sha256, data.Settings, data.Pool.NumClasses, ScoringNetwork.Student, predictOn);
            var indices = byImage.Select(g => g.Key).ToArray();
            predictions = Evaluator.Predict(network, indices, batch => BatchBuilder.Build(data.Pool, batch, null, predictOn), data.Settings.EvaluationBatchSize, predictOn);
        }
        var images = byImage.Select((g, k) =>
        {
            var image = data.Pool.Get(g.Key);
            var name = $"{g.Key:D5}-{Stem(image.Id)}";
            string path = "";
            if (imageFolder is not null)
            {
                path = Path.Combine(imageFolder, name + ".png");
                ImageFiles.WriteRgbPng(path, image.Height, image.Width, image.Rgb);
            }
            var rects = g.Select(r =>
            {
                var (top, bottom, left, right) = data.Grid.Bounds(r.Region);
                return new QueriedRegion(r.Region, top, bottom, left, right);
            }).OrderBy(r => r.Region).ToList();
            return new QueriedImage(g.Key, name, path, image.Height, image.Width, rects, predictions?[k]);
        }).ToList();
        return new AnnotationQueries(data.Pool.ClassNames, images, cycle);
    }

    /// <summary>An image id as a file stem: letters, digits, '-', '_' and '.' kept, the rest '_'.</summary>
    static string Stem(string id)
    {
        var stem = new string(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray()).Trim('.');
        return stem.Length == 0 ? "image" : stem.Length > 80 ? stem[..80] : stem;
    }
}
