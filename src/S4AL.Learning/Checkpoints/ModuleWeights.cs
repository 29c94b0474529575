using System.Runtime.InteropServices;
using System.Text;
using static TorchSharp.torch;

namespace S4AL.Learning.Checkpoints;

/// <summary>
/// Saves and loads a TorchSharp module's parameters and buffers (its state dict) to and
/// from bytes or streams, in TorchSharp's own format (module.save / module.load), so a round
/// trip is bit-exact. Unlike module.save(Stream), these leave the stream open.
/// </summary>
public static class ModuleWeights
{
    // The encoding BinaryWriter/BinaryReader use by default, which TorchSharp's own file overloads rely on.
    internal static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] ToBytes(nn.Module module)
    {
        using var ms = new MemoryStream();
        Save(module, ms);
        return ms.ToArray();
    }

    public static void Save(nn.Module module, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new BinaryWriter(stream, Utf8, leaveOpen: true);
        module.save(writer);
        writer.Flush();
    }

    /// <summary>Loads weights saved by <see cref="Save"/>; with <paramref name="strict"/> every key must match.</summary>
    public static void Load(nn.Module module, ReadOnlyMemory<byte> bytes, bool strict = true)
    {
        using var ms = MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
        Load(module, ms, strict);
    }

    /// <summary>Loads weights saved by <see cref="Save"/> from the stream's current position.</summary>
    public static void Load(nn.Module module, Stream stream, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, Utf8, leaveOpen: true);
        module.load(reader, strict);
    }
}
