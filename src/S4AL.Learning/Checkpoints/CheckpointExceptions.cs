namespace S4AL.Learning.Checkpoints;

/// <summary>A checkpoint cannot be used. The message and <see cref="FilePath"/> name the file.</summary>
public class CheckpointException : IOException
{
    public CheckpointException(string filePath, string message, Exception? inner = null)
        : base($"checkpoint '{filePath}': {message}", inner)
    {
        FilePath = filePath;
    }

    /// <summary>The checkpoint file concerned.</summary>
    public string FilePath { get; }
}

/// <summary>The checkpoint file does not exist.</summary>
public sealed class CheckpointNotFoundException(string filePath, Exception? inner = null)
    : CheckpointException(filePath, "file not found", inner);

/// <summary>
/// The file is not a valid checkpoint: wrong magic, truncated, content not matching its
/// SHA-256, or an inconsistent index. Never treated as "start fresh".
/// </summary>
public sealed class CheckpointCorruptException(string filePath, string message, Exception? inner = null)
    : CheckpointException(filePath, message, inner);

/// <summary>The file is a checkpoint of a format version this build cannot read.</summary>
public sealed class CheckpointVersionException(string filePath, uint version, uint supported)
    : CheckpointException(filePath, $"format version {version} is not supported (this build reads version {supported})")
{
    public uint Version { get; } = version;
}
