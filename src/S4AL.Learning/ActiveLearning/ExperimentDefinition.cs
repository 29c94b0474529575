using System.Text.Json;
using System.Text.Json.Serialization;
using S4AL.Domain.Experiments;
using S4AL.Learning.Data.Datasets;

namespace S4AL.Learning.ActiveLearning;

/// <summary>
/// What every node needs to know of an experiment: its data and its settings. Travels as JSON
/// inside cluster messages and is saved as the run folder's settings, so one canonical text
/// identifies an experiment (the same options always give the same text). <see cref="Annotator"/>
/// is left out of the text when it is the oracle, so definitions written before it existed keep their text.
/// <see cref="LabeledSetFrom"/> (a sweep's experiments only) names the setting whose final labeled
/// set the experiment starts from, so two baselines on different runs' pixels are told apart.
/// </summary>
public sealed record ExperimentDefinition(
    DatasetOptions Data,
    ActiveLearningSettings Settings,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] AnnotatorMode Annotator = AnnotatorMode.Oracle,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LabeledSetFrom = null)
{
    /// <summary>Whether the pool's own masks are read (the oracle); with people they never are.</summary>
    [JsonIgnore] public bool ReadsPoolMasks => Annotator == AnnotatorMode.Oracle;

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses <see cref="ToJson"/>; <paramref name="source"/> names the text in errors (e.g. a file path).</summary>
    public static ExperimentDefinition FromJson(string json, string source)
    {
        try
        {
            var definition = JsonSerializer.Deserialize<ExperimentDefinition>(json, Json)
                ?? throw new InvalidDataException($"{source}: the experiment definition is empty");
            if (definition.Data is null || definition.Settings is null)
                throw new InvalidDataException($"{source}: the experiment definition lacks 'data' or 'settings'");
            return definition;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a valid experiment definition ({e.Message})", e);
        }
    }
}
