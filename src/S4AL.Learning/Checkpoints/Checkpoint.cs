using Microsoft.Win32.SafeHandles;
using static TorchSharp.torch;

namespace S4AL.Learning.Checkpoints;

/// <summary>
/// A verified, open checkpoint (<see cref="CheckpointFile.Open"/>). Parts are read from the
/// file handle that was verified, so a new checkpoint renamed over the same path meanwhile
/// does not mix into this one. Part reads are positional and thread-safe. Dispose to close.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    readonly SafeFileHandle _handle;
    readonly IReadOnlyDictionary<string, CheckpointFile.PartEntry> _parts;

    internal Checkpoint(string path, SafeFileHandle handle, string id, CheckpointMetadata metadata,
        IReadOnlyDictionary<string, CheckpointFile.PartEntry> parts)
    {
        Path = path;
        _handle = handle;
        Id = id;
        Metadata = metadata;
        _parts = parts;
        SizeBytes = RandomAccess.GetLength(handle);
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }
    /// <summary>Lower-case hex SHA-256 of the content: a stable key for "load once per checkpoint".</summary>
    public string Id { get; }
    public CheckpointMetadata Metadata { get; }
    public long SizeBytes { get; }
    public CheckpointInfo Info => new(Path, Id, SizeBytes, Metadata);

    /// <summary>Part names in file order.</summary>
    public IReadOnlyList<string> PartNames => _parts.Values.OrderBy(p => p.Offset).Select(p => p.Name).ToArray();

    public bool HasPart(string name) => _parts.ContainsKey(name);

    /// <summary>Length in bytes of a part.</summary>
    public long PartLength(string name) => Entry(name).Length;

    /// <summary>A part's bytes.</summary>
    public byte[] ReadPart(string name)
    {
        var entry = Entry(name);
        if (entry.Length > Array.MaxLength)
            throw new CheckpointException(Path, $"part '{name}' is {entry.Length} bytes, too large for one array; use OpenPart");
        var bytes = new byte[entry.Length];
        CheckpointFile.ReadExactly(_handle, bytes, entry.Offset, Path);
        return bytes;
    }

    /// <summary>A read-only, seekable stream over a part, for large parts.</summary>
    public Stream OpenPart(string name)
    {
        var entry = Entry(name);
        return new PartStream(_handle, entry.Offset, entry.Length);
    }

    /// <summary>
    /// Loads a part written by <see cref="CheckpointPart.FromModule"/> into <paramref name="module"/>
    /// (any device; TorchSharp moves it to the CPU to load and back).
    /// </summary>
    /// <exception cref="CheckpointException">The part is missing or does not fit the module (names the file and part).</exception>
    public void LoadModule(string name, nn.Module module, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var stream = OpenPart(name);
        try
        {
            ModuleWeights.Load(module, stream, strict);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or EndOfStreamException or NotImplementedException)
        {
            throw new CheckpointException(Path, $"part '{name}' does not fit module '{module.GetName()}': {e.Message}", e);
        }
    }

    /// <summary>Loads a part written by <see cref="CheckpointPart.FromOptimizer"/> into an optimizer of the same type and parameters.</summary>
    public void LoadOptimizer(string name, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        using var stream = OpenPart(name);
        using var reader = new BinaryReader(stream, ModuleWeights.Utf8, leaveOpen: true);
        try
        {
            optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or EndOfStreamException or InvalidOperationException)
        {
            throw new CheckpointException(Path, $"part '{name}' does not fit optimizer {optimizer.GetType().Name}: {e.Message}", e);
        }
    }

    public void Dispose() => _handle.Dispose();

    CheckpointFile.PartEntry Entry(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return _parts.TryGetValue(name, out var entry)
            ? entry
            : throw new CheckpointException(Path, $"has no part '{name}' (parts: {string.Join(", ", PartNames)})");
    }

    sealed class PartStream(SafeFileHandle handle, long start, long length) : Stream
    {
        long _position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            long left = length - _position;
            if (left <= 0) return 0;
            if (buffer.Length > left) buffer = buffer[..(int)left];
            int n = RandomAccess.Read(handle, buffer, start + _position);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                SeekOrigin.End => length + offset,
                _ => throw new ArgumentOutOfRangeException(nameof(origin)),
            };
            return _position;
        }

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
