namespace S4AL.Learning.Networks;

/// <summary>
/// A state-dict file could not be read or does not fit the network it is loaded into. The message
/// names the file and, where there is one, the key; both are also exposed as properties.
/// </summary>
public sealed class StateDictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StateDictException(string filePath, string? key, string message, Exception? inner = null)
        : base($"{message} (file '{filePath}'{(key is null ? "" : $", key '{key}'")})", inner)
    {
        FilePath = filePath;
        Key = key;
    }

    /// <summary>The state-dict file.</summary>
    public string FilePath { get; }

    /// <summary>The key that does not fit, or null when the whole file is at fault.</summary>
    public string? Key { get; }
}
