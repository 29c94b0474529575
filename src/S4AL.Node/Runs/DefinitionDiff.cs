using System.Text.Json.Nodes;
using S4AL.Domain.Experiments;

namespace S4AL.Node.Runs;

/// <summary>Says in words how two plans of one run folder differ, e.g. "settings.metric is entropy there, margin here".</summary>
public static class DefinitionDiff
{
    public static string Describe(ExperimentPlan there, ExperimentPlan here)
    {
        var a = Flatten(JsonNode.Parse(there.Definition));
        var b = Flatten(JsonNode.Parse(here.Definition));
        var differences = a.Keys.Union(b.Keys).Order(StringComparer.Ordinal)
            .Where(k => a.GetValueOrDefault(k) != b.GetValueOrDefault(k))
            .Select(k => $"{k} is {a.GetValueOrDefault(k) ?? "unset"} there, {b.GetValueOrDefault(k) ?? "unset"} here")
            .ToList();
        if (differences.Count > 0) return string.Join("; ", differences.Take(5)) + (differences.Count > 5 ? $"; and {differences.Count - 5} more" : "");
        if (there.ShardSize != here.ShardSize) return $"shard size is {there.ShardSize} there, {here.ShardSize} here";
        return "the initial labeled set differs";
    }

    static Dictionary<string, string?> Flatten(JsonNode? node)
    {
        var result = new Dictionary<string, string?>();
        void Walk(JsonNode? n, string path)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (k, v) in o) Walk(v, path.Length == 0 ? k : $"{path}.{k}");
                    break;
                case JsonArray arr:
                    result[path] = arr.ToJsonString();
                    break;
                default:
                    result[path] = n?.ToString();
                    break;
            }
        }
        Walk(node, "");
        return result;
    }
}
