using System.Text.Json;
using S4AL.Learning.Storage;
using S4AL.Node.Commands;

namespace S4AL.Node.Sweeps;

/// <summary>One experiment as <c>sweep.json</c> lists it.</summary>
/// <param name="Id">The coordinator's experiment id: the sweep's name and the experiment's.</param>
/// <param name="LabeledSetFrom">The experiment (name) whose final labeled set this one starts from.</param>
/// <param name="SameAs">An earlier experiment of the sweep with exactly this definition: this one is not trained again.</param>
public sealed record SweepFileExperiment(string Name, string Id, string? Setting, int Seed, IReadOnlyDictionary<string, string> Varied, string RunDirectory,
    string? LabeledSetFrom, string? SameAs);

/// <summary>
/// <c>sweep.json</c> in the sweep's folder: the command line it was made from (so it can be
/// resumed with its folder alone) and its experiments, which <c>s4al status</c> shows as a table.
/// </summary>
public sealed record SweepFile(string Name, IReadOnlyList<string> Arguments, IReadOnlyList<SweepFileExperiment> Experiments)
{
    public const string FileName = "sweep.json";

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The experiment's name in the sweep for an experiment id (the id itself if it is not the sweep's).</summary>
    public string NameOf(string id) => Experiments.FirstOrDefault(e => e.Id == id)?.Name ?? id;

    public void Write(string folder) => AtomicFile.WriteText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));

    public static string PathIn(string folder) => Path.Combine(folder, FileName);

    /// <summary>The sweep of <paramref name="folder"/>, or null if it is not a sweep's folder; a damaged file is an error naming it.</summary>
    public static SweepFile? Read(string folder)
    {
        var path = PathIn(folder);
        if (!File.Exists(path)) return null;
        try
        {
            var file = JsonSerializer.Deserialize<SweepFile>(File.ReadAllText(path), Json);
            if (file is null || file.Name is null || file.Arguments is null || file.Experiments is null || file.Experiments.Any(e => e.Name is null || e.Id is null))
                throw new UsageException($"{path}: not a sweep file (name, arguments and experiments are required)");
            return file;
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path}: not a valid sweep file ({e.Message})");
        }
    }
}
