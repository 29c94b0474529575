using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;

namespace S4AL.Learning.Checkpoints;

/// <summary>
/// Small descriptive data stored as JSON in a checkpoint's index (covered by its SHA-256).
/// Bulk data (weights, optimizer state, RNG state) goes into parts.
/// </summary>
public sealed record CheckpointMetadata
{
    /// <summary>Active-learning cycle the checkpoint belongs to.</summary>
    public int Cycle { get; init; }
    /// <summary>Training step (iteration) within the cycle.</summary>
    public long Step { get; init; }
    /// <summary>When the checkpoint was made; <see cref="CheckpointFile.Write"/> fills in the current time if left default.</summary>
    public DateTimeOffset CreatedUtc { get; init; }
    /// <summary>Hash of the settings that produced it, so a resume with different settings can be refused.</summary>
    public string? SettingsHash { get; init; }
    /// <summary>What the checkpoint is, e.g. "periodic", "end-of-cycle".</summary>
    public string? Kind { get; init; }
    /// <summary>Further small string values (network kind, metric, ...).</summary>
    public ImmutableDictionary<string, string> Properties { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// A value for <see cref="SettingsHash"/>: lower-case hex SHA-256 of the settings'
    /// System.Text.Json serialization (properties in declaration order, so equal records hash equally).
    /// </summary>
    public static string ComputeSettingsHash<T>(T settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(settings)));
    }
}

/// <summary>A written checkpoint: enough to reference it from a message or a journal.</summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="Id">Lower-case hex SHA-256 of the content; identical content gives the identical id.</param>
/// <param name="SizeBytes">File size.</param>
/// <param name="Metadata">The metadata stored in it.</param>
public sealed record CheckpointInfo(string Path, string Id, long SizeBytes, CheckpointMetadata Metadata);
