using S4AL.Domain.Metrics;
using System.Text.Json;
using S4AL.Domain;
using S4AL.Domain.Experiments;
using S4AL.Learning.ActiveLearning;
using S4AL.Learning.Evaluation;
using S4AL.Node.Commands;
using static S4AL.Domain.Protocols.CoordinatorProtocol;

namespace S4AL.Node.Tests;

/// <summary>
/// The machine-readable outputs keep one naming convention: camelCase keys everywhere, IoU written
/// "iou"/"miou". Each test pins the whole shape, so a new key or a renamed one is a decision.
/// </summary>
public class JsonShapeTests
{
    /// <summary>Every key path of a JSON document ("cycles[].failedAttempts[].reason"), sorted.</summary>
    static IReadOnlyList<string> Keys(string json)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        void Walk(JsonElement e, string path)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        var key = path.Length == 0 ? p.Name : $"{path}.{p.Name}";
                        keys.Add(key);
                        Walk(p.Value, key);
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray()) Walk(item, path + "[]");
                    break;
            }
        }
        using var document = JsonDocument.Parse(json);
        Walk(document.RootElement, "");
        return keys.ToList();
    }

    static void AssertCamelCase(IEnumerable<string> keys) =>
        Assert.All(keys.SelectMany(k => k.Replace("[]", "").Split('.', StringSplitOptions.RemoveEmptyEntries)), name => Assert.Matches("^[a-z][a-zA-Z0-9]*$", name));

    [Fact]
    public void Status_json_is_camel_case_throughout()
    {
        var evaluation = new CycleEvaluation(2, [5, 1, 2, 7], 0.1, 3.5);
        var checkpoint = new CheckpointRef("/runs/a/checkpoints/cycle-1-epoch-2.s4ckpt", new string('a', 64), 1, 2, 40);
        var status = new ExperimentStatus(ExperimentId.Parse("a"), true, CyclePhase.Annotating, 1, 2, 3, 0, 0, checkpoint,
            [new CycleRecord(0, evaluation, checkpoint with { Cycle = 0 }, [new RegionId(1, 2)], 4.5, 2, [new FailedAttempt(1, "interrupted")], new AnnotationFigures(4, 3, 300, 20, 6, 2, 1))],
            "/runs/a", null, new string('b', 32), [new FailedAttempt(1, "trainer lost"), new FailedAttempt(2, "error")], AnnotatorMode.Human, 20, 5);
        var json = StatusCommand.ToJson([status], running: false);
        var keys = Keys(json);
        AssertCamelCase(keys);
        Assert.Equal(new[]
        {
            "[].annotation", "[].annotation.regionsLabeled", "[].annotation.regionsQueried", "[].annotator",
            "[].attempt", "[].cycle", "[].cycles", "[].cycles[].acquired",
            "[].cycles[].annotation", "[].cycles[].annotation.annotators", "[].cycles[].annotation.corrections", "[].cycles[].annotation.labeledPixels",
            "[].cycles[].annotation.regionsLabeled", "[].cycles[].annotation.regionsQueried", "[].cycles[].annotation.secondsMedian",
            "[].cycles[].annotation.secondsSum", "[].cycles[].attempts", "[].cycles[].cycle",
            "[].cycles[].failedAttempts", "[].cycles[].failedAttempts[].attempt", "[].cycles[].failedAttempts[].reason",
            "[].cycles[].labeledPixelShare", "[].cycles[].miou", "[].error", "[].experiment", "[].failedAttempts", "[].failedAttempts[].attempt",
            "[].failedAttempts[].reason", "[].lastCheckpoint", "[].lastCheckpoint.cycle", "[].lastCheckpoint.epochsDone",
            "[].lastCheckpoint.path", "[].lastCheckpoint.sha256", "[].lastCheckpoint.step", "[].lastCycle", "[].phase",
            "[].runDirectory", "[].running", "[].shards", "[].shardsScored", "[].traceId", "[].trainer", "[].waitingFor",
        }, keys.Select(k => "[]." + k.TrimStart('[', ']', '.')).Order(StringComparer.Ordinal));
        using var document = JsonDocument.Parse(json);
        Assert.Equal("trainer lost", document.RootElement[0].GetProperty("failedAttempts")[0].GetProperty("reason").GetString());
        Assert.Equal(2, document.RootElement[0].GetProperty("cycles")[0].GetProperty("attempts").GetInt32());
    }

    [Fact]
    public void Cycles_json_is_camel_case_throughout()
    {
        var metrics = ConfusionMatrix.FromCounts(2, [5, 1, 2, 7]).ToMetrics(["road", "car"]);
        var cycles = new[]
        {
            new CycleResult(0, 0.1, 10, metrics, [new RegionId(3, 1)], 12.5, 1.5, 2, [new FailedTrainingAttempt(1, "interrupted")], new AnnotationFigures(4, 3, 300, 20, 6, 2, 1)),
            new CycleResult(1, 0.2, 11, metrics, [], 10, 0, Steps: 800, Curve: [new TrainingCurvePoint(5, 400, 0.25), new TrainingCurvePoint(10, 800, 0.5)]),
        };
        var json = CycleResultFiles.ToJson(cycles);
        var keys = Keys(json);
        AssertCamelCase(keys);
        Assert.Equal(new[]
        {
            "[].acquired", "[].annotation", "[].annotation.annotators", "[].annotation.corrections", "[].annotation.labeledPixels",
            "[].annotation.regionsLabeled", "[].annotation.regionsQueried", "[].annotation.secondsMedian", "[].annotation.secondsSum",
            "[].attempts", "[].classIou", "[].classIou[].class", "[].classIou[].iou", "[].curve", "[].curve[].epochs", "[].curve[].iterations",
            "[].curve[].miou", "[].cycle", "[].failedAttempts", "[].failedAttempts[].attempt", "[].failedAttempts[].reason", "[].iterations",
            "[].labeledPixelShare", "[].labeledRegions", "[].meanClassAccuracy", "[].miou", "[].pixelAccuracy", "[].scoreSeconds", "[].trainSeconds",
        }, keys.Select(k => "[]." + k.TrimStart('[', ']', '.')).Order(StringComparer.Ordinal));
        var csv = CycleResultFiles.ToCsv(cycles).Split('\n');
        Assert.Equal("cycle,labeled_pixel_share,labeled_regions,miou,mean_class_accuracy,pixel_accuracy,acquired_regions,train_seconds,score_seconds,attempts," +
            "regions_queried,regions_labeled,annotated_pixels,annotation_seconds,annotation_seconds_median,annotators,iterations", csv[0]);
        Assert.EndsWith(",2,4,3,300,20,6,2,", csv[1]);
        // The oracle's cycles have no annotation figures: empty, not 0.
        Assert.EndsWith(",1,,,,,,,800", csv[2]);
        Assert.Equal("cycle,epochs,iterations,miou\n1,5,400,0.25\n1,10,800,0.5\n", CycleResultFiles.CurveToCsv(cycles).ReplaceLineEndings("\n"));
    }
}
