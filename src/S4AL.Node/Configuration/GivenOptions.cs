using System.CommandLine;

namespace S4AL.Node.Configuration;

/// <summary>
/// The command-line options a user actually gave, as settings keys (the top layer of
/// <see cref="S4alConfiguration"/>). An option left out adds nothing, so appsettings.json and
/// S4AL__ variables show through.
/// </summary>
public sealed class GivenOptions(ParseResult parse)
{
    readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase);
    readonly Dictionary<string, string> _options = new(StringComparer.OrdinalIgnoreCase);

    public ParseResult Parse => parse;

    /// <summary>Adds <paramref name="option"/>'s value under <paramref name="key"/> if the user gave the option.</summary>
    public GivenOptions Map<T>(Option<T> option, string key)
    {
        if (parse.GetResult(option) is not { Implicit: false }) return this;
        _values[key] = parse.GetValue(option) switch
        {
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            var v => v?.ToString(),
        };
        _options[key] = option.Name;
        return this;
    }

    public SettingsLayer ToLayer() => new(_values, (key, value) => $"{(_options.TryGetValue(key, out var o) ? o : key)} {value}");
}
