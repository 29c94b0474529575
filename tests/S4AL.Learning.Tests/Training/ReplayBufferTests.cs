using S4AL.Learning.Training;

namespace S4AL.Learning.Tests.Training;

public class ReplayBufferTests
{
    [Fact]
    public void Add_keeps_at_most_capacity_items_drawn_from_what_was_added()
    {
        var buffer = new ReplayBuffer(10, seed: 7);
        for (int batch = 0; batch < 6; batch++) buffer.Add([batch * 4, batch * 4 + 1, batch * 4 + 2, batch * 4 + 3]);
        Assert.Equal(10, buffer.Count);
        Assert.Equal(10, buffer.Items.Distinct().Count());
        Assert.All(buffer.Items, i => Assert.InRange(i, 0, 23));
        // The shuffle before truncation lets old items survive: not simply the last 10 added.
        Assert.NotEqual(Enumerable.Range(14, 10), buffer.Items.Order());
    }

    [Fact]
    public void Sample_removes_and_returns_from_the_end_and_refuses_to_overdraw()
    {
        var buffer = new ReplayBuffer(8, seed: 1);
        buffer.Add([10, 11, 12, 13, 14]);
        var before = buffer.Items.ToArray();
        var drawn = buffer.Sample(2);
        Assert.Equal(new[] { before[4], before[3] }, drawn);
        Assert.Equal(before[..3], buffer.Items);
        var ex = Assert.Throws<InvalidOperationException>(() => buffer.Sample(4));
        Assert.Contains("holds 3", ex.Message);
    }

    [Fact]
    public void Same_seed_gives_the_same_buffer_and_different_seeds_differ()
    {
        ReplayBuffer Run(ulong seed)
        {
            var b = new ReplayBuffer(20, seed);
            for (int i = 0; i < 10; i++) { b.Add(Enumerable.Range(i * 4, 4)); if (b.Count >= 4) b.Sample(2); }
            return b;
        }
        Assert.Equal(Run(3).Items, Run(3).Items);
        Assert.NotEqual(Run(3).Items, Run(4).Items);
    }

    [Fact]
    public void Draws_are_roughly_uniform_over_the_held_items()
    {
        var hits = new int[5];
        var buffer = new ReplayBuffer(5, seed: 11);
        for (int round = 0; round < 5000; round++)
        {
            buffer.Add([0, 1, 2, 3, 4]);
            hits[buffer.Sample(1)[0]]++;
            buffer.Sample(buffer.Count);
        }
        Assert.All(hits, h => Assert.InRange(h, 850, 1150));
    }

    [Fact]
    public void State_round_trip_through_bytes_continues_identically()
    {
        var a = new ReplayBuffer(12, seed: 5);
        a.Add([1, 2, 3, 4, 5, 6]);
        a.Sample(2);
        var restored = ReplayBuffer.FromState(ReplayBufferState.FromBytes(a.GetState().ToBytes()));
        Assert.Equal(a.Items, restored.Items);
        a.Add([7, 8, 9, 10, 11, 12, 13, 14]);
        restored.Add([7, 8, 9, 10, 11, 12, 13, 14]);
        Assert.Equal(a.Items, restored.Items);
        Assert.Equal(a.Sample(3), restored.Sample(3));
    }

    [Fact]
    public void Malformed_state_is_rejected()
    {
        Assert.Throws<InvalidDataException>(() => ReplayBufferState.FromBytes(new byte[] { 1, 2, 3 }));
        var bytes = new ReplayBuffer(4, 1).GetState().ToBytes();
        Assert.Throws<InvalidDataException>(() => ReplayBufferState.FromBytes(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<InvalidDataException>(() => ReplayBuffer.FromState(new ReplayBufferState(2, [1, 2, 3], [1, 2, 3, 4])));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayBuffer(0, 1));
    }

    [Fact]
    public void Deterministic_random_is_stable_and_restorable()
    {
        var r = new DeterministicRandom(42);
        // Reference values of xoshiro256** seeded by SplitMix64(42), from an independent implementation.
        Assert.Equal(new ulong[] { 1546998764402558742, 6990951692964543102, 12544586762248559009 },
                     new[] { r.NextUInt64(), r.NextUInt64(), r.NextUInt64() });
        var state = r.GetState();
        var next = r.NextInt(1000);
        Assert.Equal(next, DeterministicRandom.FromState(state).NextInt(1000));
        Assert.Throws<ArgumentException>(() => DeterministicRandom.FromState(new ulong[4]));
        var counts = new int[3];
        for (int i = 0; i < 3000; i++) counts[r.NextInt(3)]++;
        Assert.All(counts, c => Assert.InRange(c, 900, 1100));
    }
}
