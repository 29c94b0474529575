using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Training;

public sealed partial class SslTrainer
{
    const int StateFormatVersion = 1;

    /// <summary>Names of the parts of <see cref="ExportState"/>.</summary>
    public static class StateParts
    {
        /// <summary>JSON: format version, classes, cycle, step and EMA counters, learning rate, dropout seed base, settings.</summary>
        public const string Meta = "meta";
        /// <summary>Student parameters and buffers (the layout of TorchSharp's Module.save).</summary>
        public const string Student = "student";
        /// <summary>Teacher parameters and buffers (the layout of TorchSharp's Module.save).</summary>
        public const string Teacher = "teacher";
        /// <summary>SGD's momentum buffer over the flat student parameters (absent before the first step).</summary>
        public const string Optimizer = "optimizer";
        /// <summary>State of the augmentation generator (torch.Generator.get_state bytes).</summary>
        public const string Generator = "generator";
        /// <summary><see cref="ReplayBufferState.ToBytes"/>.</summary>
        public const string Replay = "replay";
        /// <summary>Labeled class counts of balanced ClassMix (int64 little-endian); absent if never set.</summary>
        public const string ClassCounts = "class-counts";
    }

    sealed record TrainerMeta(int Format, int NumClasses, int Cycle, long StepCount, long EmaUpdates, double LearningRate, ulong NetworkRandomSeed, SslSettings Settings);

    /// <summary>
    /// Everything needed to continue training exactly where it stands, as named byte arrays
    /// (see <see cref="StateParts"/>); a checkpoint writer wraps them in its file format.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> ExportState()
    {
        ThrowIfDisposed();
        var parts = new Dictionary<string, byte[]>
        {
            [StateParts.Meta] = JsonSerializer.SerializeToUtf8Bytes(new TrainerMeta(StateFormatVersion, NumClasses, Cycle, StepCount, _ema.Updates, LearningRate, _networkRandomSeed, Settings)),
            [StateParts.Student] = WriteBytes(w => WriteModule(w, Student)),
            [StateParts.Teacher] = WriteBytes(w => WriteModule(w, Teacher)),
            [StateParts.Optimizer] = WriteBytes(WriteOptimizer),
            [StateParts.Replay] = Replay.GetState().ToBytes(),
        };
        using (var state = _generator.get_state())
            parts[StateParts.Generator] = state.data<byte>().ToArray();
        if (_classCounts is not null)
        {
            var bytes = new byte[8 * _classCounts.Length];
            for (int i = 0; i < _classCounts.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), _classCounts[i]);
            parts[StateParts.ClassCounts] = bytes;
        }
        return parts;
    }

    /// <summary>
    /// Restores <see cref="ExportState"/> output into this trainer, which must have been built
    /// with the same network architecture, classes, cycle and settings (a mismatch throws
    /// <see cref="InvalidDataException"/> naming it). Weights are copied into the existing
    /// tensors, so the optimizer and EMA keep referring to them. If loading fails half-way the
    /// trainer is inconsistent and must be discarded.
    /// </summary>
    public void ImportState(IReadOnlyDictionary<string, byte[]> parts)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(parts);
        foreach (var required in new[] { StateParts.Meta, StateParts.Student, StateParts.Teacher, StateParts.Optimizer, StateParts.Generator, StateParts.Replay })
            if (!parts.ContainsKey(required)) throw new InvalidDataException($"trainer state: part '{required}' is missing");

        TrainerMeta meta;
        try { meta = JsonSerializer.Deserialize<TrainerMeta>(parts[StateParts.Meta]) ?? throw new InvalidDataException("trainer state: part 'meta' is null"); }
        catch (JsonException e) { throw new InvalidDataException($"trainer state: part 'meta' is not valid JSON: {e.Message}", e); }
        if (meta.Format != StateFormatVersion) throw new InvalidDataException($"trainer state: format {meta.Format}, this build reads {StateFormatVersion}");
        if (meta.NumClasses != NumClasses) throw new InvalidDataException($"trainer state: saved with {meta.NumClasses} classes, this trainer has {NumClasses}");
        if (meta.Cycle != Cycle) throw new InvalidDataException($"trainer state: saved in cycle {meta.Cycle}, this trainer trains cycle {Cycle}");
        if (meta.Settings is null) throw new InvalidDataException("trainer state: the saved settings are missing");
        if (meta.Settings != Settings) throw new InvalidDataException($"trainer state: saved with different settings ({FirstDifference(meta.Settings, Settings)})");
        if (meta.StepCount < 0 || meta.EmaUpdates < 0) throw new InvalidDataException($"trainer state: negative counters (steps {meta.StepCount}, EMA updates {meta.EmaUpdates})");

        ReadPart(parts[StateParts.Student], StateParts.Student, r => ReadModule(r, Student, StateParts.Student));
        ReadPart(parts[StateParts.Teacher], StateParts.Teacher, r => ReadModule(r, Teacher, StateParts.Teacher));
        ReadPart(parts[StateParts.Optimizer], StateParts.Optimizer, ReadOptimizer);
        using (var generatorState = tensor(parts[StateParts.Generator], ScalarType.Byte))
        {
            try { _generator.set_state(generatorState); }
            catch (Exception e) when (e is not InvalidDataException) { throw new InvalidDataException($"trainer state: part 'generator' does not fit this device's generator: {e.Message}", e); }
        }
        Replay.Restore(ReplayBufferState.FromBytes(parts[StateParts.Replay]));

        if (parts.TryGetValue(StateParts.ClassCounts, out var countBytes))
        {
            if (countBytes.Length != 8 * NumClasses) throw new InvalidDataException($"trainer state: part 'class-counts' has {countBytes.Length} bytes, expected {8 * NumClasses}");
            var counts = new long[NumClasses];
            for (int i = 0; i < NumClasses; i++) counts[i] = BinaryPrimitives.ReadInt64LittleEndian(countBytes.AsSpan(8 * i));
            SetLabeledClassCounts(counts);
        }
        else
        {
            _sampler?.Dispose();
            _sampler = null;
            _classCounts = null;
        }

        StepCount = meta.StepCount;
        _ema.Updates = meta.EmaUpdates;
        _networkRandomSeed = meta.NetworkRandomSeed;
        LearningRate = meta.LearningRate;
        _optimizer.LearningRate = LearningRate;
    }

    static byte[] WriteBytes(Action<BinaryWriter> write)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
            writer.Flush();
        }
        return memory.ToArray();
    }

    static void ReadPart(byte[] bytes, string part, Action<BinaryReader> read)
    {
        using var memory = new MemoryStream(bytes, writable: false);
        using var reader = new BinaryReader(memory, Encoding.UTF8);
        try
        {
            read(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException or IOException)
        {
            throw new InvalidDataException($"trainer state: part '{part}' does not fit this trainer: {e.Message}", e);
        }
        if (memory.Position != memory.Length)
            throw new InvalidDataException($"trainer state: part '{part}' has {memory.Length - memory.Position} unread bytes");
    }

    /// <summary>
    /// Module.save's layout (count, then key and tensor per entry), written from a contiguous
    /// CPU copy: TorchSharp's own Tensor.Save refuses non-contiguous tensors, and
    /// channels-last conv weights are exactly that.
    /// </summary>
    /// <summary>
    /// Loads the student or teacher part of a saved trainer state (<see cref="StateParts.Student"/>,
    /// <see cref="StateParts.Teacher"/>) into a network of the same architecture, e.g. to score with it.
    /// </summary>
    public static void LoadNetwork(byte[] part, string partName, nn.Module network)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(network);
        ReadPart(part, partName, r => ReadModule(r, network, partName));
    }

    static void WriteModule(BinaryWriter writer, nn.Module module)
    {
        var entries = module.state_dict();
        EncodeLeb128(writer, entries.Count);
        foreach (var (key, tensor) in entries)
        {
            writer.Write(key);
            WriteTensor(writer, tensor);
        }
    }

    /// <summary>
    /// Module.load in place: every tensor is copied into the existing one (keeping its device
    /// and memory layout). TorchSharp's own load moves a non-CPU module to the CPU and back,
    /// which replaces its parameter tensors under the optimizer's and the EMA's feet.
    /// </summary>
    static void ReadModule(BinaryReader reader, nn.Module module, string part)
    {
        var target = module.state_dict();
        long count = DecodeLeb128(reader);
        if (count != target.Count) throw new InvalidDataException($"trainer state: part '{part}' has {count} tensors, the network {target.Count}");
        var seen = new HashSet<string>();
        for (long i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            if (!target.TryGetValue(key, out var tensor)) throw new InvalidDataException($"trainer state: part '{part}' has tensor '{key}', which the network lacks");
            if (!seen.Add(key)) throw new InvalidDataException($"trainer state: part '{part}' has tensor '{key}' twice");
            ReadTensorInto(reader, tensor, $"{part}/{key}");
        }
    }

    /// <summary>A flag, then the flat momentum buffer if SGD has taken a step.</summary>
    void WriteOptimizer(BinaryWriter writer)
    {
        var buffer = _optimizer.MomentumBuffer;
        writer.Write(buffer is not null);
        if (buffer is not null) WriteTensor(writer, buffer);
    }

    void ReadOptimizer(BinaryReader reader)
    {
        if (!reader.ReadBoolean())
        {
            _optimizer.SetMomentumBuffer(null);
            return;
        }
        using var scope = NewDisposeScope();
        var buffer = zeros([_studentParameters.Count], _studentParameters.Values.dtype);
        ReadTensorInto(reader, buffer, "optimizer/momentum");
        _optimizer.SetMomentumBuffer(buffer);
    }

    /// <summary>TorchSharp's tensor layout: LEB128 dtype, rank, sizes, then the row-major bytes.</summary>
    static void WriteTensor(BinaryWriter writer, Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var host = tensor.detach().cpu().contiguous();
        EncodeLeb128(writer, (long)host.dtype);
        EncodeLeb128(writer, host.shape.Length);
        foreach (var size in host.shape) EncodeLeb128(writer, size);
        writer.Flush();
        host.WriteBytesToStream(writer.BaseStream);
    }

    static void ReadTensorInto(BinaryReader reader, Tensor target, string name)
    {
        var dtype = (ScalarType)DecodeLeb128(reader);
        long rank = DecodeLeb128(reader);
        if (rank > 16) throw new InvalidDataException($"trainer state: tensor '{name}' has implausible rank {rank}");
        var shape = new long[rank];
        for (int d = 0; d < rank; d++) shape[d] = DecodeLeb128(reader);
        if (dtype != target.dtype || !shape.SequenceEqual(target.shape))
            throw new InvalidDataException($"trainer state: tensor '{name}' is {dtype} [{string.Join(",", shape)}], the trainer's is {target.dtype} [{string.Join(",", target.shape)}]");
        using var scope = NewDisposeScope();
        var host = empty(shape, dtype);
        host.ReadBytesFromStream(reader.BaseStream);
        using (no_grad()) target.copy_(host);
    }

    static void EncodeLeb128(BinaryWriter writer, long value)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), $"LEB128 encodes non-negative values, got {value}");
        do
        {
            byte b = (byte)(value & 0x7f);
            value >>= 7;
            writer.Write(value == 0 ? b : (byte)(b | 0x80));
        } while (value != 0);
    }

    /// <summary>The unsigned LEB128 length prefix of TorchSharp's Module.save format (its codec is internal).</summary>
    static long DecodeLeb128(BinaryReader reader)
    {
        long result = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (shift > 56) throw new InvalidDataException("trainer state: malformed tensor count");
            long b = reader.ReadByte();
            result |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
        }
    }

    /// <summary>Copies every parameter and buffer of <paramref name="source"/> into <paramref name="target"/> (the code's deepcopy).</summary>
    static void CopyModuleState(nn.Module source, nn.Module target)
    {
        var from = source.state_dict();
        var to = target.state_dict();
        using var _ = no_grad();
        foreach (var (key, tensor) in to)
        {
            if (!from.TryGetValue(key, out var value)) throw new InvalidOperationException($"the network factory built networks of different architectures: '{key}' is missing in the student");
            tensor.copy_(value);
        }
    }

    static string FirstDifference(SslSettings saved, SslSettings current)
    {
        foreach (var property in typeof(SslSettings).GetProperties())
        {
            var a = property.GetValue(saved);
            var b = property.GetValue(current);
            if (!Equals(a, b)) return $"{property.Name}: saved {a}, now {b}";
        }
        return "unknown difference";
    }
}
