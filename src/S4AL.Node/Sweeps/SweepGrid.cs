using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using S4AL.Node.Commands;

namespace S4AL.Node.Sweeps;

/// <summary>A named bundle of run options, <c>--setting NAME=OPTIONS</c> (e.g. <c>supervised=--mode supervised --cycles 0</c>).</summary>
public sealed record SweepSetting(string Name, ImmutableArray<string> Options)
{
    public static SweepSetting Parse(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0) throw new UsageException($"--setting '{text}': expected NAME=OPTIONS, e.g. \"supervised=--mode supervised --cycles 0\"");
        var name = text[..eq].Trim();
        if (!SweepGrid.IsName(name)) throw new UsageException($"--setting '{text}': the name '{name}' must be letters, digits, '-' or '.'");
        return new SweepSetting(name, OptionTokens.Split(text[(eq + 1)..], $"--setting {name}"));
    }
}

/// <summary>One axis of the grid, <c>--vary OPTION=V1,V2,...</c>: the run option (without its dashes) and its values.</summary>
public sealed record SweepAxis(string Option, ImmutableArray<string> Values)
{
    public static SweepAxis Parse(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0) throw new UsageException($"--vary '{text}': expected OPTION=V1,V2,... (a run option without its dashes), e.g. metric=entropy,random");
        var option = text[..eq].Trim().TrimStart('-');
        if (option is "seed") throw new UsageException($"--vary '{text}': give seeds with --seeds 1,2,3");
        var values = text[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries).ToImmutableArray();
        if (values.Any(v => v.Length == 0)) throw new UsageException($"--vary '{text}': a value is empty");
        if (values.Distinct().Count() != values.Length) throw new UsageException($"--vary '{text}': a value is given twice");
        return new SweepAxis(option, values);
    }
}

/// <summary>
/// One experiment of a sweep: its name (the run folder under the sweep's, and with the sweep's
/// name its experiment id), what it is made of, the run options that define it (seed and run
/// folder excepted) and the experiment whose final labeled set it starts from, if any.
/// </summary>
public sealed record SweepExperiment(string Name, string? Setting, ImmutableArray<(string Option, string Value)> Varied, int Seed,
    ImmutableArray<string> Arguments, string? LabeledSetFrom, string? LabeledSetFromSetting);

/// <summary>
/// Expands a sweep into its experiments: every setting, times every combination of the varied
/// options' values, times every seed. Options are layered, later winning: the sweep's shared
/// options, then the setting's, then the varied ones. A pure function of the command line, so
/// a sweep run again expands to the same experiments (and the coordinator resumes them).
/// </summary>
public static class SweepGrid
{
    /// <summary>In a setting: start from the final labeled set of that setting's experiment with the same varied values and seed.</summary>
    public const string DependencyOption = "--labeled-from-setting";

    /// <summary>Options the sweep itself decides for each experiment.</summary>
    static readonly string[] Reserved = ["--seed", "--run-dir"];

    public static bool IsName(string s) => s.Length is > 0 and <= 60 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');

    public static ImmutableArray<int> ParseSeeds(string text)
    {
        var seeds = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
                throw new UsageException($"--seeds {text}: '{part}' is not a seed (a whole number of 0 or more)");
            if (seeds.Contains(seed)) throw new UsageException($"--seeds {text}: seed {seed} is given twice");
            seeds.Add(seed);
        }
        return seeds.ToImmutableArray();
    }

    public static ImmutableArray<SweepExperiment> Expand(IReadOnlyList<string> shared, IReadOnlyList<SweepSetting> settings, IReadOnlyList<SweepAxis> axes, IReadOnlyList<int> seeds)
    {
        if (seeds.Count == 0) throw new UsageException("--seeds: give at least one seed");
        Check(shared, "the sweep's options");
        if (settings.Select(s => s.Name).Distinct().Count() != settings.Count)
            throw new UsageException($"--setting: the name '{settings.GroupBy(s => s.Name).First(g => g.Count() > 1).Key}' is given twice");
        if (axes.Select(a => a.Option).Distinct().Count() != axes.Count)
            throw new UsageException($"--vary: option '{axes.GroupBy(a => a.Option).First(g => g.Count() > 1).Key}' is varied twice");
        foreach (var axis in axes)
        {
            if (axis.Option == DependencyOption[2..]) throw new UsageException($"--vary {axis.Option}: dependencies belong in a --setting");
            if (Reserved.Contains("--" + axis.Option)) throw new UsageException($"--vary {axis.Option}: the sweep sets --{axis.Option} of each experiment itself");
        }
        var bySetting = settings.Count == 0 ? new Dictionary<string, (ImmutableArray<string> Options, string? DependsOn)> { [""] = ([], null) }
            : settings.ToDictionary(s => s.Name, s => Dependency(s));
        foreach (var (name, (options, dependsOn)) in bySetting)
        {
            Check(options, $"--setting {name}");
            if (dependsOn is null) continue;
            if (!bySetting.ContainsKey(dependsOn)) throw new UsageException($"--setting {name}: {DependencyOption} {dependsOn} names no setting of this sweep ({string.Join(", ", bySetting.Keys)})");
            if (OptionTokens.Group(options).Any(g => g.Option == "--labeled-from")) throw new UsageException($"--setting {name}: give {DependencyOption} or --labeled-from, not both");
        }
        CheckAcyclic(bySetting.ToDictionary(x => x.Key, x => x.Value.DependsOn));

        var experiments = new List<SweepExperiment>();
        foreach (var (setting, (options, dependsOn)) in bySetting)
            foreach (var combination in Combinations(axes))
                foreach (var seed in seeds)
                {
                    var varied = combination.SelectMany(c => new[] { "--" + c.Option, c.Value }).ToArray();
                    var arguments = OptionTokens.Merge(shared, options, varied);
                    string? settingName = settings.Count == 0 ? null : setting;
                    experiments.Add(new SweepExperiment(NameOf(settingName, combination, seed), settingName, combination, seed, arguments,
                        dependsOn is null ? null : NameOf(dependsOn, combination, seed), dependsOn));
                }
        var clash = experiments.GroupBy(e => e.Name).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null) throw new UsageException($"two experiments of the sweep would both be named '{clash.Key}': use values that differ in letters or digits");
        return experiments.ToImmutableArray();
    }

    /// <summary>The experiment's name: setting, varied values and seed, e.g. <c>s4al_metric-random-s2</c>.</summary>
    static string NameOf(string? setting, ImmutableArray<(string Option, string Value)> combination, int seed)
    {
        var parts = new List<string>();
        if (setting is not null) parts.Add(setting);
        parts.AddRange(combination.Select(c => $"{c.Option}-{Clean(c.Value)}"));
        return $"{(parts.Count == 0 ? "run" : string.Join("_", parts))}-s{seed}";
    }

    static string Clean(string value)
    {
        var s = new StringBuilder();
        foreach (var c in value) s.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-');
        return s.ToString().Trim('-', '.');
    }

    static IEnumerable<ImmutableArray<(string Option, string Value)>> Combinations(IReadOnlyList<SweepAxis> axes)
    {
        IEnumerable<ImmutableArray<(string, string)>> all = [ImmutableArray<(string, string)>.Empty];
        foreach (var axis in axes)
            all = all.SelectMany(prefix => axis.Values.Select(v => prefix.Add((axis.Option, v))));
        return all;
    }

    static (ImmutableArray<string> Options, string? DependsOn) Dependency(SweepSetting setting)
    {
        var groups = OptionTokens.Group(setting.Options);
        var dependency = groups.Where(g => g.Option == DependencyOption).ToList();
        if (dependency.Count == 0) return (setting.Options, null);
        if (dependency is not [{ Values: [var name] }]) throw new UsageException($"--setting {setting.Name}: {DependencyOption} takes one setting name, once");
        return (groups.Where(g => g.Option != DependencyOption).SelectMany(g => g.Values.Prepend(g.Option)).ToImmutableArray(), name);
    }

    static void Check(IReadOnlyList<string> options, string where)
    {
        foreach (var (option, _) in OptionTokens.Group(options))
        {
            if (Reserved.Contains(option)) throw new UsageException($"{where}: {option} is set by the sweep for each experiment ({(option == "--seed" ? "give seeds with --seeds" : "results go under the sweep's --run-dir")})");
            if (option == DependencyOption && where == "the sweep's options") throw new UsageException($"{DependencyOption} belongs in a --setting");
        }
    }

    static void CheckAcyclic(IReadOnlyDictionary<string, string?> dependsOn)
    {
        foreach (var start in dependsOn.Keys)
        {
            var seen = new List<string> { start };
            for (var next = dependsOn[start]; next is not null; next = dependsOn[next])
            {
                if (seen.Contains(next)) throw new UsageException($"--setting: {string.Join(" -> ", seen.Append(next))} depend on each other in a circle");
                seen.Add(next);
            }
        }
    }
}

/// <summary>Run options as tokens: split like a shell, grouped by option, merged layer over layer.</summary>
public static class OptionTokens
{
    /// <summary>Splits <paramref name="text"/> on white space, keeping quoted parts ('...' or "...") whole.</summary>
    public static ImmutableArray<string> Split(string text, string where)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        bool inToken = false;
        char? quote = null;
        foreach (var c in text)
        {
            if (quote is { } q)
            {
                if (c == q) quote = null; else current.Append(c);
            }
            else if (c is '"' or '\'') { quote = c; inToken = true; }
            else if (char.IsWhiteSpace(c))
            {
                if (inToken) tokens.Add(current.ToString());
                current.Clear();
                inToken = false;
            }
            else { current.Append(c); inToken = true; }
        }
        if (quote is not null) throw new UsageException($"{where}: a quote is not closed in '{text}'");
        if (inToken) tokens.Add(current.ToString());
        return tokens.ToImmutableArray();
    }

    /// <summary>The options in order, each with the values that follow it (<c>--x=v</c> is <c>--x v</c>).</summary>
    public static IReadOnlyList<(string Option, string[] Values)> Group(IReadOnlyList<string> tokens)
    {
        var groups = new List<(string, List<string>)>();
        foreach (var token in tokens)
        {
            if (token.StartsWith("--", StringComparison.Ordinal))
            {
                int eq = token.IndexOf('=');
                groups.Add(eq > 0 ? (token[..eq], [token[(eq + 1)..]]) : (token, []));
            }
            else if (groups.Count == 0) throw new UsageException($"'{token}' is not an option (options start with --)");
            else groups[^1].Item2.Add(token);
        }
        return groups.Select(g => (g.Item1, g.Item2.ToArray())).ToList();
    }

    /// <summary>Layers merged: an option of a later layer replaces the same option of an earlier one, in the place it first appeared.</summary>
    public static ImmutableArray<string> Merge(params IReadOnlyList<string>[] layers)
    {
        var order = new List<string>();
        var values = new Dictionary<string, string[]>();
        foreach (var layer in layers)
            foreach (var (option, v) in Group(layer))
            {
                if (!values.ContainsKey(option)) order.Add(option);
                values[option] = v;
            }
        return order.SelectMany(o => values[o].Prepend(o)).ToImmutableArray();
    }
}
