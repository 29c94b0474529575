namespace S4AL.Actors.Hosting;

/// <summary>The cluster roles a node can take; by default it takes the compute roles (<see cref="All"/>).</summary>
public static class NodeRoles
{
    public const string Coordinator = "coordinator";
    public const string Trainer = "trainer";
    public const string Scorer = "scorer";
    public const string Replay = "replay";
    /// <summary>Serves the annotation page (people label a cycle's queried regions); `s4al run --annotator human` takes it too.</summary>
    public const string Annotation = "annotation";

    /// <summary>The roles of a node that is given none: everything an experiment needs to run.</summary>
    public static readonly IReadOnlyList<string> All = [Coordinator, Trainer, Scorer, Replay];

    /// <summary>Every role a node may be given: <see cref="All"/> and the annotation page, which opens a port and so is asked for by name.</summary>
    public static readonly IReadOnlyList<string> Known = [.. All, Annotation];

    /// <summary>Parses "coordinator,trainer" (any order, case-insensitive); throws naming an unknown role.</summary>
    public static string[] Parse(string text)
    {
        var roles = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(r => r.ToLowerInvariant()).Distinct().ToArray();
        if (roles.Length == 0) throw new ArgumentException("no roles given; expected some of: " + string.Join(", ", Known));
        foreach (var role in roles)
            if (!Known.Contains(role)) throw new ArgumentException($"unknown role '{role}'; expected some of: {string.Join(", ", Known)}");
        return roles;
    }
}
