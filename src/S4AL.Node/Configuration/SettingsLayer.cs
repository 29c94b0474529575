using Microsoft.Extensions.Configuration;

namespace S4AL.Node.Configuration;

/// <summary>
/// One layer of settings above appsettings.json (the S4AL__ variables, the options given on the
/// command line) that can say where each of its values came from. A list it sets replaces the
/// lower layers' list as a whole: Microsoft.Extensions.Configuration merges arrays index by
/// index, so `--seed-nodes a` over two seed nodes in appsettings.json would otherwise keep the
/// second one.
/// </summary>
public sealed class SettingsLayer(IReadOnlyDictionary<string, string?> values, Func<string, string, string> origin) : ConfigurationProvider, IConfigurationSource
{
    public override void Load() => Data = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase);

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    /// <summary>Where the value of <paramref name="key"/> came from, with the value, as a user wrote it (e.g. `--port 70000`).</summary>
    public string Origin(string key, string value) => origin(key, value);

    public override IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath)
    {
        if (parentPath is null) return base.GetChildKeys(earlierKeys, parentPath);
        var mine = base.GetChildKeys([], parentPath).ToList();
        var replacesList = Data.ContainsKey(parentPath) || (mine.Count > 0 && mine.All(k => int.TryParse(k, out _)));
        return replacesList ? mine : base.GetChildKeys(earlierKeys, parentPath);
    }
}
