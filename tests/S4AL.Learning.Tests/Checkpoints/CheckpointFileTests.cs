using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using S4AL.Learning.Checkpoints;
using S4AL.Learning.Tests.Acquisition;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Checkpoints;

public sealed class CheckpointFileTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "s4al-ckpt-tests-" + Guid.NewGuid().ToString("N"));

    public CheckpointFileTests() => Directory.CreateDirectory(_folder);
    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static readonly CheckpointMetadata Meta = new()
    {
        Cycle = 2,
        Step = 1234,
        CreatedUtc = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
        SettingsHash = "abc123",
        Kind = "periodic",
        Properties = ImmutableDictionary<string, string>.Empty.Add("network", "Tiny"),
    };

    static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    string Write(string name, params CheckpointPart[] parts) => CheckpointFile.Write(Path.Combine(_folder, name), Meta, parts).Path;

    string WriteSample(string name = "a.s4ckpt") =>
        Write(name, CheckpointPart.FromBytes("state", RandomBytes(3000, 1)), CheckpointPart.FromBytes("extra", RandomBytes(10, 2)));

    [Fact]
    public void Round_trip_returns_identical_parts_metadata_and_id()
    {
        var state = RandomBytes(100_000, 1);
        var empty = Array.Empty<byte>();
        var info = CheckpointFile.Write(Path.Combine(_folder, "sub", "c.s4ckpt"), Meta,
            [CheckpointPart.FromBytes("state", state), CheckpointPart.FromBytes("empty", empty), CheckpointPart.FromBytes("rng", "xyz"u8.ToArray())]);

        using var ckpt = CheckpointFile.Open(info.Path);
        Assert.Equal(state, ckpt.ReadPart("state"));
        Assert.Equal(empty, ckpt.ReadPart("empty"));
        Assert.Equal("xyz"u8.ToArray(), ckpt.ReadPart("rng"));
        Assert.Equal(["state", "empty", "rng"], ckpt.PartNames);
        using (var s = ckpt.OpenPart("state"))
        {
            var copy = new MemoryStream();
            s.CopyTo(copy);
            Assert.Equal(state, copy.ToArray());
        }

        Assert.Equal(Meta.Cycle, ckpt.Metadata.Cycle);
        Assert.Equal(Meta.Step, ckpt.Metadata.Step);
        Assert.Equal(Meta.CreatedUtc, ckpt.Metadata.CreatedUtc);
        Assert.Equal(Meta.SettingsHash, ckpt.Metadata.SettingsHash);
        Assert.Equal(Meta.Kind, ckpt.Metadata.Kind);
        Assert.Equal("Tiny", ckpt.Metadata.Properties["network"]);

        // The id is the SHA-256 of everything before the stored hash, and the same everywhere it is reported.
        var bytes = File.ReadAllBytes(info.Path);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, bytes.Length - 40))), ckpt.Id);
        Assert.Equal(info.Id, ckpt.Id);
        Assert.Equal(info.Id, CheckpointFile.Inspect(info.Path).Id);
        Assert.Equal(bytes.Length, info.SizeBytes);
    }

    [Fact]
    public void Identical_content_gives_the_identical_id_and_different_content_another()
    {
        var a = CheckpointFile.Write(Path.Combine(_folder, "a"), Meta, [CheckpointPart.FromBytes("x", RandomBytes(50, 3))]);
        var b = CheckpointFile.Write(Path.Combine(_folder, "b"), Meta, [CheckpointPart.FromBytes("x", RandomBytes(50, 3))]);
        var c = CheckpointFile.Write(Path.Combine(_folder, "c"), Meta with { Step = 1235 }, [CheckpointPart.FromBytes("x", RandomBytes(50, 3))]);
        Assert.Equal(a.Id, b.Id);
        Assert.NotEqual(a.Id, c.Id);
        Assert.Matches("^[0-9a-f]{64}$", a.Id);
    }

    sealed record FakeSettings(string Dataset, double LearningRate, int[] Epochs);

    [Fact]
    public void Settings_hash_depends_on_the_values_only()
    {
        var a = CheckpointMetadata.ComputeSettingsHash(new FakeSettings("camvid", 0.01, [100, 200]));
        Assert.Equal(a, CheckpointMetadata.ComputeSettingsHash(new FakeSettings("camvid", 0.01, [100, 200])));
        Assert.NotEqual(a, CheckpointMetadata.ComputeSettingsHash(new FakeSettings("camvid", 0.02, [100, 200])));
        Assert.NotEqual(a, CheckpointMetadata.ComputeSettingsHash(new FakeSettings("camvid", 0.01, [100, 201])));
        Assert.Matches("^[0-9a-f]{64}$", a);
    }

    [Fact]
    public void Module_weights_round_trip_exactly()
    {
        using var source = new TinyTestNetwork(5, seed: 1);
        using var target = new TinyTestNetwork(5, seed: 2);
        Assert.False(SameWeights(source, target));
        var path = Write("m.s4ckpt", CheckpointPart.FromModule("student", source), CheckpointPart.FromModule("teacher", target));

        using var ckpt = CheckpointFile.Open(path);
        using var loaded = new TinyTestNetwork(5, seed: 3);
        ckpt.LoadModule("student", loaded);
        Assert.True(SameWeights(source, loaded));
        ckpt.LoadModule("teacher", loaded);
        Assert.True(SameWeights(target, loaded));

        // Bytes helpers agree with the part.
        Assert.Equal(ModuleWeights.ToBytes(source), ckpt.ReadPart("student"));
    }

    [Fact]
    public void Module_buffers_are_saved_too()
    {
        using var bn = nn.BatchNorm2d(4);
        using (no_grad()) bn.running_mean!.copy_(tensor(new float[] { 1, 2, 3, 4 }));
        var path = Write("bn.s4ckpt", CheckpointPart.FromModule("bn", bn));
        using var other = nn.BatchNorm2d(4);
        using var ckpt = CheckpointFile.Open(path);
        ckpt.LoadModule("bn", other);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, other.running_mean!.data<float>().ToArray());
    }

    [Fact]
    public void Optimizer_state_round_trips_so_training_continues_identically()
    {
        using var netA = new TinyTestNetwork(3, seed: 4);
        var optA = optim.SGD(netA.parameters(), 0.1, momentum: 0.9, nesterov: true);
        Step(netA, optA, 1);
        var path = Write("o.s4ckpt", CheckpointPart.FromModule("student", netA), CheckpointPart.FromOptimizer("optimizer", optA));

        using var netB = new TinyTestNetwork(3, seed: 5);
        var optB = optim.SGD(netB.parameters(), 0.1, momentum: 0.9, nesterov: true);
        using (var ckpt = CheckpointFile.Open(path))
        {
            ckpt.LoadModule("student", netB);
            ckpt.LoadOptimizer("optimizer", optB);
        }
        // The momentum buffers came along: the next step lands on the same weights.
        Step(netA, optA, 2);
        Step(netB, optB, 2);
        Assert.True(SameWeights(netA, netB));
    }

    static void Step(TinyTestNetwork net, optim.Optimizer opt, int seed)
    {
        using var scope = NewDisposeScope();
        var g = new Generator((ulong)seed);
        var x = rand([2, 3, 8, 8], generator: g);
        var y = randint(0, 3, [2, 8, 8], generator: g);
        opt.zero_grad();
        nn.functional.cross_entropy(net.call(x), y).backward();
        opt.step();
    }

    static bool SameWeights(nn.Module a, nn.Module b)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        return sa.Count == sb.Count && sa.All(kv => sb.TryGetValue(kv.Key, out var t) && kv.Value.Equals(t));
    }

    [Fact]
    public void Flipping_any_byte_is_detected()
    {
        var path = WriteSample();
        var original = File.ReadAllBytes(path);
        // In a part, in the index, in the index length, in the stored hash, in the end marker, in the version.
        foreach (int position in new[] { 100, original.Length - 100, original.Length - 45, original.Length - 20, original.Length - 3 })
        {
            var bytes = (byte[])original.Clone();
            bytes[position] ^= 0x01;
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<CheckpointCorruptException>(() => CheckpointFile.Open(path));
            Assert.Contains(path, e.Message);
            Assert.Equal(path, e.FilePath);
        }
        File.WriteAllBytes(path, original);
        using var ok = CheckpointFile.Open(path);
    }

    [Fact]
    public void Truncation_is_detected()
    {
        var path = WriteSample();
        var original = File.ReadAllBytes(path);
        foreach (int length in new[] { original.Length - 1, original.Length - 40, original.Length / 2, 20, 5, 0 })
        {
            File.WriteAllBytes(path, original[..length]);
            var e = Assert.Throws<CheckpointCorruptException>(() => CheckpointFile.Open(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public void Wrong_magic_and_wrong_version_are_reported_as_such()
    {
        var path = WriteSample();
        var bytes = File.ReadAllBytes(path);
        var notCkpt = (byte[])bytes.Clone();
        Encoding.ASCII.GetBytes("PK\u0003\u0004ZIP!").CopyTo(notCkpt, 0);
        File.WriteAllBytes(path, notCkpt);
        var magic = Assert.Throws<CheckpointCorruptException>(() => CheckpointFile.Open(path));
        Assert.Contains("not an S4AL checkpoint", magic.Message);
        Assert.Contains(path, magic.Message);

        var future = (byte[])bytes.Clone();
        future[8] = 2;
        File.WriteAllBytes(path, future);
        var version = Assert.Throws<CheckpointVersionException>(() => CheckpointFile.Open(path));
        Assert.Equal(2u, version.Version);
        Assert.Contains("version 2", version.Message);
        Assert.Contains(path, version.Message);
    }

    [Fact]
    public void Missing_file_is_reported_with_its_path()
    {
        var path = Path.Combine(_folder, "nope", "missing.s4ckpt");
        var e = Assert.Throws<CheckpointNotFoundException>(() => CheckpointFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.IsAssignableFrom<CheckpointException>(e);
    }

    [Fact]
    public void Missing_part_and_misfitting_module_are_clear_errors()
    {
        using var net = new TinyTestNetwork(5, seed: 1);
        var path = Write("m.s4ckpt", CheckpointPart.FromModule("student", net));
        using var ckpt = CheckpointFile.Open(path);
        var missing = Assert.Throws<CheckpointException>(() => ckpt.ReadPart("teacher"));
        Assert.Contains("'teacher'", missing.Message);
        Assert.Contains("student", missing.Message);
        Assert.Contains(path, missing.Message);

        using var otherArchitecture = new TinyTestNetwork(7, seed: 1);
        var misfit = Assert.Throws<CheckpointException>(() => ckpt.LoadModule("student", otherArchitecture));
        Assert.Contains("'student'", misfit.Message);
        Assert.Contains(path, misfit.Message);
    }

    [Fact]
    public void Invalid_parts_are_rejected_before_writing()
    {
        var target = Path.Combine(_folder, "dup.s4ckpt");
        Assert.Throws<ArgumentException>(() => CheckpointFile.Write(target, Meta, [CheckpointPart.FromBytes("x", new byte[1]), CheckpointPart.FromBytes("x", new byte[2])]));
        Assert.Throws<ArgumentException>(() => CheckpointPart.FromBytes("", new byte[1]));
        Assert.Throws<ArgumentException>(() => CheckpointPart.FromBytes("a\nb", new byte[1]));
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Writes_leave_no_temporary_files()
    {
        WriteSample("a.s4ckpt");
        WriteSample("a.s4ckpt"); // overwrite
        WriteSample("b.s4ckpt");
        Assert.Equal(["a.s4ckpt", "b.s4ckpt"], Directory.GetFiles(_folder).Select(f => Path.GetFileName(f)!).Order().ToArray());
    }

    [Fact]
    public void A_failed_write_leaves_the_previous_file_intact_and_no_partial_file()
    {
        var path = WriteSample("a.s4ckpt");
        var before = File.ReadAllBytes(path);
        var failing = new CheckpointPart("student", s =>
        {
            s.Write(RandomBytes(5000, 9));
            throw new IOException("disk full (simulated)");
        });

        var e = Assert.Throws<IOException>(() => Write("a.s4ckpt", CheckpointPart.FromBytes("state", new byte[10]), failing));
        Assert.Contains("simulated", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        using (CheckpointFile.Open(path)) { }

        Assert.Throws<IOException>(() => Write("new.s4ckpt", failing));
        Assert.False(File.Exists(Path.Combine(_folder, "new.s4ckpt")));
        Assert.Equal(["a.s4ckpt"], Directory.GetFiles(_folder).Select(f => Path.GetFileName(f)!).ToArray());
    }

    [Fact]
    public void An_open_checkpoint_keeps_reading_its_own_content_when_the_path_is_replaced()
    {
        var path = Write("a.s4ckpt", CheckpointPart.FromBytes("state", RandomBytes(100, 1)));
        using var ckpt = CheckpointFile.Open(path);
        Write("a.s4ckpt", CheckpointPart.FromBytes("state", RandomBytes(100, 2)));
        Assert.Equal(RandomBytes(100, 1), ckpt.ReadPart("state"));
    }
}
