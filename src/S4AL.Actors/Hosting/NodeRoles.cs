namespace S4AL.Actors.Hosting;

/// <summary>The cluster roles a node can take; the embedded default takes them all.</summary>
public static class NodeRoles
{
    public const string Coordinator = "coordinator";
    public const string Trainer = "trainer";
    public const string Scorer = "scorer";
    public const string Replay = "replay";

    public static readonly IReadOnlyList<string> All = [Coordinator, Trainer, Scorer, Replay];

    /// <summary>Parses "coordinator,trainer" (any order, case-insensitive); throws naming an unknown role.</summary>
    public static string[] Parse(string text)
    {
        var roles = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(r => r.ToLowerInvariant()).Distinct().ToArray();
        if (roles.Length == 0) throw new ArgumentException("no roles given; expected some of: " + string.Join(", ", All));
        foreach (var role in roles)
            if (!All.Contains(role)) throw new ArgumentException($"unknown role '{role}'; expected some of: {string.Join(", ", All)}");
        return roles;
    }
}
