using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

using S4AL.Learning.Storage;

namespace S4AL.Learning.Checkpoints;

/// <summary>
/// Writes and opens checkpoint files. Layout (version 1, integers little-endian):
/// <code>
/// "S4ALCKPT"            8 bytes magic
/// version               uint32 = 1
/// part payloads         back to back
/// index                 UTF-8 JSON { metadata, parts: [{ name, offset, length }] }
/// index length          int64
/// SHA-256               32 bytes, over every byte before it
/// "S4ALEND1"            8 bytes end marker
/// </code>
/// The index comes after the payloads so parts stream straight to disk (their lengths
/// are not known in advance) while the hash is computed in the same single pass. The end
/// marker makes a truncated file recognizable as such before hashing. Files are written to
/// a temporary file in the target folder, flushed to disk and renamed over the target, so
/// a reader sees either the old complete file or the new complete file, never a partial one.
/// </summary>
public static class CheckpointFile
{
    public const uint FormatVersion = 1;
    /// <summary>Conventional file extension.</summary>
    public const string Extension = ".s4ckpt";

    static ReadOnlySpan<byte> Magic => "S4ALCKPT"u8;
    static ReadOnlySpan<byte> EndMarker => "S4ALEND1"u8;
    internal const int HeaderLength = 12;
    const int HashLength = 32;
    // index length + hash + end marker
    internal const int TrailerLength = 8 + HashLength + 8;
    const int MaxIndexLength = 16 << 20;
    const int MaxPartNameLength = 200;

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Writes a checkpoint atomically, replacing any file at <paramref name="path"/>; creates the
    /// folder if needed. If a part writer throws, the target is left untouched and the
    /// temporary file is removed.
    /// </summary>
    /// <returns>The file's path, id (SHA-256 hex), size and metadata.</returns>
    public static CheckpointInfo Write(string path, CheckpointMetadata metadata, IEnumerable<CheckpointPart> parts)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(parts);
        var partList = parts.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in partList)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(parts));
            if (!names.Add(p.Name)) throw new ArgumentException($"checkpoint '{path}': part '{p.Name}' is given twice", nameof(parts));
        }
        if (metadata.CreatedUtc == default) metadata = metadata with { CreatedUtc = DateTimeOffset.UtcNow };

        var fullPath = Path.GetFullPath(path);
        byte[] hash = [];
        long size = 0;
        AtomicFile.Write(fullPath, file =>
        {
            using var hashing = new HashingWriteStream(file);
            hashing.Write(Magic);
            Span<byte> u32 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(u32, FormatVersion);
            hashing.Write(u32);

            var entries = new List<PartEntry>(partList.Count);
            foreach (var part in partList)
            {
                long offset = hashing.Position;
                using (var sink = new NonClosingStream(hashing)) part.Write(sink);
                entries.Add(new PartEntry(part.Name, offset, hashing.Position - offset));
            }

            var index = JsonSerializer.SerializeToUtf8Bytes(new CheckpointIndex(metadata, entries), Json);
            hashing.Write(index);
            Span<byte> i64 = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(i64, index.Length);
            hashing.Write(i64);

            hash = hashing.GetHash();
            file.Write(hash);
            file.Write(EndMarker);
            size = file.Length;
        });
        return new CheckpointInfo(fullPath, Convert.ToHexStringLower(hash), size, metadata);
    }

    /// <summary>
    /// Opens and verifies a checkpoint (magic, version, end marker, SHA-256 of the whole
    /// content, index consistency). The returned object keeps the file open for reading parts;
    /// dispose it when done.
    /// </summary>
    /// <exception cref="CheckpointNotFoundException">No such file.</exception>
    /// <exception cref="CheckpointCorruptException">Not a checkpoint, truncated, or altered.</exception>
    /// <exception cref="CheckpointVersionException">A format version this build cannot read.</exception>
    public static Checkpoint Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointNotFoundException(fullPath, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(fullPath, $"cannot be opened: {e.Message}", e);
        }

        try
        {
            var (id, metadata, parts) = Verify(handle, fullPath);
            return new Checkpoint(fullPath, handle, id, metadata, parts);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Verifies a checkpoint and returns its id (SHA-256 hex) and metadata without keeping it open.</summary>
    public static CheckpointInfo Inspect(string path)
    {
        using var checkpoint = Open(path);
        return checkpoint.Info;
    }

    static (string Id, CheckpointMetadata Metadata, IReadOnlyDictionary<string, PartEntry> Parts) Verify(
        Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path)
    {
        long length = RandomAccess.GetLength(handle);
        Span<byte> head = stackalloc byte[HeaderLength];
        int headRead = ReadAt(handle, head, 0);
        if (headRead >= Magic.Length && !head[..Magic.Length].SequenceEqual(Magic))
            throw new CheckpointCorruptException(path, $"not an S4AL checkpoint (magic is '{Printable(head[..Magic.Length])}', expected 'S4ALCKPT')");
        if (length < HeaderLength + TrailerLength)
            throw new CheckpointCorruptException(path, $"only {length} bytes, shorter than any checkpoint: the file is truncated");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(head[Magic.Length..]);
        if (version != FormatVersion) throw new CheckpointVersionException(path, version, FormatVersion);

        Span<byte> trailer = stackalloc byte[TrailerLength];
        ReadExactly(handle, trailer, length - TrailerLength, path);
        if (!trailer[(8 + HashLength)..].SequenceEqual(EndMarker))
            throw new CheckpointCorruptException(path, "the end marker is missing: the file is truncated or was not completely written");
        long indexLength = BinaryPrimitives.ReadInt64LittleEndian(trailer[..8]);
        var storedHash = trailer.Slice(8, HashLength).ToArray();

        var computed = HashRange(handle, length - HashLength - EndMarker.Length, path);
        if (!CryptographicOperations.FixedTimeEquals(computed, storedHash))
            throw new CheckpointCorruptException(path,
                $"content does not match its SHA-256 (stored {Convert.ToHexStringLower(storedHash)}, computed {Convert.ToHexStringLower(computed)}): the file was altered or damaged");

        long indexEnd = length - TrailerLength;
        if (indexLength <= 0 || indexLength > MaxIndexLength || indexLength > indexEnd - HeaderLength)
            throw new CheckpointCorruptException(path, $"index length {indexLength} is impossible for a file of {length} bytes");
        long indexStart = indexEnd - indexLength;
        var indexBytes = new byte[indexLength];
        ReadExactly(handle, indexBytes, indexStart, path);
        CheckpointIndex? index;
        try
        {
            index = JsonSerializer.Deserialize<CheckpointIndex>(indexBytes, Json);
        }
        catch (JsonException e)
        {
            throw new CheckpointCorruptException(path, $"the index is not valid JSON: {e.Message}", e);
        }
        if (index?.Metadata is null || index.Parts is null)
            throw new CheckpointCorruptException(path, "the index lacks metadata or the part list");

        var parts = new Dictionary<string, PartEntry>(StringComparer.Ordinal);
        foreach (var p in index.Parts)
        {
            if (string.IsNullOrEmpty(p.Name) || p.Offset < HeaderLength || p.Length < 0 || p.Offset + p.Length > indexStart)
                throw new CheckpointCorruptException(path, $"part '{p.Name}' (offset {p.Offset}, length {p.Length}) lies outside the payload area [{HeaderLength}, {indexStart})");
            if (!parts.TryAdd(p.Name, p))
                throw new CheckpointCorruptException(path, $"part '{p.Name}' is listed twice");
        }
        return (Convert.ToHexStringLower(storedHash), index.Metadata, parts);
    }

    internal static void ValidatePartName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > MaxPartNameLength || name.Any(char.IsControl))
            throw new ArgumentException($"checkpoint part name '{name}' must be at most {MaxPartNameLength} printable characters", nameof(name));
    }

    static byte[] HashRange(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long count, string path)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long offset = 0;
        while (offset < count)
        {
            int want = (int)Math.Min(buffer.Length, count - offset);
            ReadExactly(handle, buffer.AsSpan(0, want), offset, path);
            sha.AppendData(buffer, 0, want);
            offset += want;
        }
        return sha.GetHashAndReset();
    }

    internal static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        int n = ReadAt(handle, buffer, offset);
        if (n != buffer.Length)
            throw new CheckpointCorruptException(path, $"ends early: wanted {buffer.Length} bytes at offset {offset}, got {n} (the file changed while being read?)");
    }

    static int ReadAt(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    static string Printable(ReadOnlySpan<byte> bytes) =>
        new(Encoding.ASCII.GetString(bytes).Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());

    internal sealed record PartEntry(string Name, long Offset, long Length);

    sealed record CheckpointIndex(CheckpointMetadata Metadata, List<PartEntry> Parts);

    /// <summary>Forwards writes to the file while hashing them and counting the position.</summary>
    sealed class HashingWriteStream(Stream inner) : Stream
    {
        readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long _position;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _position;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            _sha.AppendData(buffer);
            _position += buffer.Length;
        }

        public byte[] GetHash() => _sha.GetHashAndReset();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _sha.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// What a part writer sees: TorchSharp's module.save(Stream) disposes the stream it is
    /// given, which must not close the checkpoint file.
    /// </summary>
    sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }
}
