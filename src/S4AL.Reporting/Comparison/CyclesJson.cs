using S4AL.Domain.Experiments;
using System.Text.Json;

namespace S4AL.Reporting.Comparison;

/// <summary>
/// Reads a run folder's cycles.json (written by <see cref="S4AL.Learning.ActiveLearning.CycleResultFiles"/>):
/// only what a comparison needs, each cycle's labeled share, mIoU, per-class IoU, iterations and
/// curve (the last two absent from older files). Errors name the file, the entry and the field.
/// </summary>
public static class CyclesJson
{
    /// <param name="source">Names the text in errors (the file's path).</param>
    public static IReadOnlyList<RunCycle> Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{source}: expected an array of cycles, found {Kind(root)}");
            var cycles = new List<RunCycle>();
            foreach (var entry in root.EnumerateArray())
            {
                var where = $"{source}: entry {cycles.Count}";
                if (entry.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where} is {Kind(entry)}, expected an object");
                var cycle = new RunCycle(
                    (int)Required(entry, "cycle", where),
                    Required(entry, "labeledPixelShare", where),
                    Optional(entry, "miou", where),
                    ClassIous(entry, where),
                    Optional(entry, "iterations", where) is { } iterations ? (long)iterations : null,
                    Curve(entry, where));
                // The last entry is taken as the run's final cycle, so the order must be the cycles' order.
                if (cycles.Count > 0 && cycle.Cycle <= cycles[^1].Cycle)
                    throw new InvalidDataException($"{where}: cycle {cycle.Cycle} follows cycle {cycles[^1].Cycle}; cycles must be in increasing order");
                cycles.Add(cycle);
            }
            if (cycles.Count == 0) throw new InvalidDataException($"{source}: no cycle in it");
            return cycles;
        }
    }

    static IReadOnlyList<ClassIou> ClassIous(JsonElement entry, string where)
    {
        if (!entry.TryGetProperty("classIou", out var list) || list.ValueKind == JsonValueKind.Null) return [];
        if (list.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{where}: 'classIou' is {Kind(list)}, expected an array");
        var result = new List<ClassIou>();
        foreach (var item in list.EnumerateArray())
        {
            var at = $"{where}: classIou[{result.Count}]";
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("class", out var name) || name.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{at} has no 'class' name");
            result.Add(new ClassIou(name.GetString()!, Optional(item, "iou", at)));
        }
        return result;
    }

    static IReadOnlyList<TrainingCurvePoint>? Curve(JsonElement entry, string where)
    {
        if (!entry.TryGetProperty("curve", out var list) || list.ValueKind == JsonValueKind.Null) return null;
        if (list.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{where}: 'curve' is {Kind(list)}, expected an array");
        var points = new List<TrainingCurvePoint>();
        foreach (var item in list.EnumerateArray())
        {
            var at = $"{where}: curve[{points.Count}]";
            if (item.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{at} is {Kind(item)}, expected an object");
            points.Add(new TrainingCurvePoint((int)Required(item, "epochs", at), (long)Required(item, "iterations", at), Required(item, "miou", at)));
        }
        return points;
    }

    static double Required(JsonElement entry, string field, string where) =>
        Optional(entry, field, where) ?? throw new InvalidDataException($"{where}: '{field}' is missing or null");

    static double? Optional(JsonElement entry, string field, string where)
    {
        if (!entry.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
            throw new InvalidDataException($"{where}: '{field}' is {Kind(value)}, expected a number");
        return number;
    }

    static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the text \"{e.GetString()}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        _ => "null",
    };
}
