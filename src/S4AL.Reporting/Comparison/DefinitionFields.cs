using System.Text.Json;
using System.Text.Json.Nodes;
using S4AL.Learning.ActiveLearning;

namespace S4AL.Reporting.Comparison;

/// <summary>
/// An experiment definition as flat fields named by their path in settings.json (e.g.
/// "settings.budget.count" = "160"), without what does not make a different setting: the seeds
/// (runs that differ only there are repeats of one setting) and the image cache size (memory, not
/// results).
/// </summary>
public static class DefinitionFields
{
    public const string DataPrefix = "data.", SettingsPrefix = "settings.", Annotator = "annotator";

    static readonly HashSet<string> Ignored = ["data.seed", "settings.seed", "data.cacheBytes"];

    public static IReadOnlyList<KeyValuePair<string, string>> Of(ExperimentDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var fields = new List<KeyValuePair<string, string>>();
        Flatten(JsonNode.Parse(definition.ToJson()), "", fields);
        // The definition leaves the annotator out when it is the oracle (older run folders have no such field): say it either way.
        fields.RemoveAll(f => f.Key == Annotator);
        fields.Add(new(Annotator, JsonNamingPolicy.KebabCaseLower.ConvertName(definition.Annotator.ToString())));
        return fields;
    }

    static void Flatten(JsonNode? node, string path, List<KeyValuePair<string, string>> fields)
    {
        if (node is JsonObject obj)
        {
            foreach (var (key, value) in obj) Flatten(value, path.Length == 0 ? key : $"{path}.{key}", fields);
            return;
        }
        if (Ignored.Contains(path)) return;
        var text = node switch
        {
            null => "null",
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => node.ToJsonString(),
        };
        fields.Add(new(path, text));
    }
}
