using static TorchSharp.torch;

namespace S4AL.Learning.Checkpoints;

/// <summary>
/// A named binary part of a checkpoint, produced by writing into a stream. The writer gets
/// a stream positioned at the part's start; it may dispose it (the checkpoint file stays open).
/// </summary>
public sealed record CheckpointPart
{
    public CheckpointPart(string name, Action<Stream> write)
    {
        CheckpointFile.ValidatePartName(name);
        ArgumentNullException.ThrowIfNull(write);
        Name = name;
        Write = write;
    }

    public string Name { get; }
    public Action<Stream> Write { get; }

    /// <summary>A part holding <paramref name="bytes"/> verbatim.</summary>
    public static CheckpointPart FromBytes(string name, ReadOnlyMemory<byte> bytes) =>
        new(name, s => s.Write(bytes.Span));

    /// <summary>A module's parameters and buffers in TorchSharp's format (module.save), streamed without a copy in memory.</summary>
    public static CheckpointPart FromModule(string name, nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return new(name, s => ModuleWeights.Save(module, s));
    }

    /// <summary>An optimizer's state (momentum buffers, options) in TorchSharp's format.</summary>
    public static CheckpointPart FromOptimizer(string name, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return new(name, s =>
        {
            using var writer = new BinaryWriter(s, ModuleWeights.Utf8, leaveOpen: true);
            optimizer.save_state_dict(writer);
            writer.Flush();
        });
    }
}
