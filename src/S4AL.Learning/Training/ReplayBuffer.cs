using System.Buffers.Binary;

namespace S4AL.Learning.Training;

/// <summary>
/// Serializable state of a <see cref="ReplayBuffer"/>: capacity, the held dataset indices in
/// buffer order, and the PRNG state. Plain data, so it can be checkpointed or sent to an actor.
/// </summary>
public sealed record ReplayBufferState(int Capacity, int[] Items, ulong[] RandomState)
{
    const uint Magic = 0x53344C52; // "S4LR"

    /// <summary>Little-endian bytes: magic, capacity, count, items, 4 PRNG words.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[4 + 4 + 4 + 4 * Items.Length + 8 * RandomState.Length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], Capacity);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Items.Length);
        int o = 12;
        foreach (var item in Items) { BinaryPrimitives.WriteInt32LittleEndian(span[o..], item); o += 4; }
        foreach (var word in RandomState) { BinaryPrimitives.WriteUInt64LittleEndian(span[o..], word); o += 8; }
        return bytes;
    }

    /// <summary>Parses <see cref="ToBytes"/>; throws <see cref="InvalidDataException"/> on a malformed buffer.</summary>
    public static ReplayBufferState FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
            throw new InvalidDataException("replay buffer state: missing 'S4LR' header");
        int capacity = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        if (count < 0 || bytes.Length != 12 + 4L * count + 32)
            throw new InvalidDataException($"replay buffer state: {bytes.Length} bytes do not fit {count} items and 4 PRNG words");
        var items = new int[count];
        for (int i = 0; i < count; i++) items[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(12 + 4 * i)..]);
        var rng = new ulong[4];
        for (int i = 0; i < 4; i++) rng[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(12 + 4 * count + 8 * i)..]);
        return new ReplayBufferState(capacity, items, rng);
    }
}

/// <summary>
/// The replay buffer of balanced ClassMix (the authors' pseudo_replay_buffer): it holds
/// dataset indices of pool images seen in earlier iterations. <see cref="Add"/> appends a
/// batch's indices, shuffles the whole buffer and keeps the first <see cref="Capacity"/>;
/// <see cref="Sample"/> removes and returns items from the end, which after the shuffle is a
/// uniform draw without replacement. Pure C#, seeded and deterministic; not thread-safe.
/// </summary>
public sealed class ReplayBuffer
{
    readonly List<int> _items = new();
    readonly DeterministicRandom _random;

    public ReplayBuffer(int capacity, ulong seed)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), $"replay buffer capacity {capacity} must be >= 1");
        Capacity = capacity;
        _random = new DeterministicRandom(seed);
    }

    /// <summary>Restores a buffer saved with <see cref="GetState"/>; it continues exactly where the saved one was.</summary>
    public static ReplayBuffer FromState(ReplayBufferState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Capacity < 1) throw new InvalidDataException($"replay buffer state: capacity {state.Capacity} must be >= 1");
        var buffer = new ReplayBuffer(state.Capacity, 0);
        buffer.Restore(state);
        return buffer;
    }

    /// <summary>Replaces this buffer's items and PRNG state with <paramref name="state"/> (same capacity).</summary>
    public void Restore(ReplayBufferState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Capacity != Capacity) throw new InvalidDataException($"replay buffer state: capacity {state.Capacity}, this buffer has {Capacity}");
        if (state.Items.Length > state.Capacity) throw new InvalidDataException($"replay buffer state: {state.Items.Length} items exceed the capacity {state.Capacity}");
        if (state.Items.Any(i => i < 0)) throw new InvalidDataException("replay buffer state: negative dataset index");
        try { _random.SetState(state.RandomState); }
        catch (ArgumentException e) { throw new InvalidDataException($"replay buffer state: {e.Message}", e); }
        _items.Clear();
        _items.AddRange(state.Items);
    }

    public int Capacity { get; }
    public int Count => _items.Count;
    /// <summary>The held indices, in buffer order (the next <see cref="Sample"/> takes from the end).</summary>
    public IReadOnlyList<int> Items => _items;

    /// <summary>Appends <paramref name="indices"/>, shuffles, and truncates to <see cref="Capacity"/>.</summary>
    public void Add(IEnumerable<int> indices)
    {
        foreach (var i in indices)
        {
            if (i < 0) throw new ArgumentOutOfRangeException(nameof(indices), $"dataset index {i} is negative");
            _items.Add(i);
        }
        _random.Shuffle(_items);
        if (_items.Count > Capacity) _items.RemoveRange(Capacity, _items.Count - Capacity);
    }

    /// <summary>Removes and returns <paramref name="count"/> indices (the code's list.pop(), last first).</summary>
    public int[] Sample(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), $"sample size {count} is negative");
        if (count > _items.Count) throw new InvalidOperationException($"the replay buffer holds {_items.Count} indices, cannot sample {count}");
        var result = new int[count];
        for (int k = 0; k < count; k++)
        {
            result[k] = _items[^1];
            _items.RemoveAt(_items.Count - 1);
        }
        return result;
    }

    public ReplayBufferState GetState() => new(Capacity, _items.ToArray(), _random.GetState());
}
