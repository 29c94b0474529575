using S4AL.Learning.Networks;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Networks;

public sealed class PyTorchStateDictTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("s4al-networks-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string FilePath(string name) => Path.Combine(folder, name);

    [Fact]
    public void Whole_network_round_trips_through_the_pytorch_format()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var source = new TinySegNet(4);
        RandomizeBatchNormStatistics(source);
        var path = FilePath("tiny.pt");
        PyTorchStateDict.Save(source, path);

        manual_seed(2);
        using var target = new TinySegNet(4);
        PyTorchStateDict.Load(target, path);

        var expected = source.state_dict();
        foreach (var (key, tensor) in target.state_dict())
            Assert.True(tensor.Identical(expected[key]), $"{key} differs after the round trip");
        source.eval();
        target.eval();
        var x = randn(2, 3, 20, 28);
        Assert.True(source.call(x).Identical(target.call(x)));
    }

    [Fact]
    public void Mobilenet_backbone_loads_from_torchvision_named_keys_and_computes_the_same_features()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        // Stands in for torchvision.models.mobilenet_v2(): its 19 feature layers under `features`,
        // a classifier under `classifier` (a small one: those keys are skipped anyway).
        using var torchvisionLike = new TorchvisionLikeMobileNetV2();
        RandomizeBatchNormStatistics(torchvisionLike);
        var path = FilePath("mobilenet_v2.pth");
        PyTorchStateDict.Save(torchvisionLike, path);

        using var net = new DeepLabV3PlusMobileNetV2(3);
        var headBefore = net.state_dict().Where(kv => !kv.Key.StartsWith("network.")).ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        net.LoadBackboneStateDict(path);

        var source = torchvisionLike.state_dict();
        var loaded = net.state_dict();
        for (var i = 0; i < MobileNetV2.DeepLabLayerCount; i++) {
            foreach (var (key, tensor) in source.Where(kv => kv.Key.StartsWith($"features.{i}.")))
                Assert.True(loaded["network." + key["features.".Length..]].Identical(tensor), key);
        }
        foreach (var (key, before) in headBefore)
            Assert.True(loaded[key].Identical(before), $"{key} is not part of the backbone but changed");

        torchvisionLike.eval();
        net.eval();
        using var noGrad = no_grad();
        var x = randn(1, 3, 32, 48);
        var (low, high) = net.ExtractFeatures(x);
        var expectedLow = torchvisionLike.Features[(0, MobileNetV2.LowLevelEnd)].call(x);
        var expectedHigh = torchvisionLike.Features[(MobileNetV2.LowLevelEnd, MobileNetV2.DeepLabLayerCount)].call(expectedLow);
        Assert.True(low.Identical(expectedLow));
        Assert.True(high.Identical(expectedHigh));
    }

    [Fact]
    public void Authors_checkpoint_entry_is_selected_by_name()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var student = new TinySegNet(3);
        using var teacher = new TinySegNet(3);
        // The layout of the authors' torch.save({...}) checkpoints.
        var checkpoint = new Dictionary<string, object>
        {
            ["epoch"] = 10,
            ["model_state_dict"] = student.state_dict(),
            ["teacher_state_dict"] = teacher.state_dict(),
        };
        var path = FilePath("epoch_gen_0_10.pt");
        using (var stream = File.Create(path))
            PyTorchPickler.PickleStateDict(stream, checkpoint);

        using var target = new TinySegNet(3);
        PyTorchStateDict.Load(target, path, entry: "teacher_state_dict");
        Assert.True(target.state_dict()["classifier.weight"].Identical(teacher.state_dict()["classifier.weight"]));

        var noEntry = Assert.Throws<StateDictException>(() => PyTorchStateDict.Load(target, path));
        Assert.Contains("'model_state_dict', 'teacher_state_dict'", noEntry.Message);
        var wrongEntry = Assert.Throws<StateDictException>(() => PyTorchStateDict.Load(target, path, entry: "ema"));
        Assert.Contains("'teacher_state_dict'", wrongEntry.Message);
        Assert.Equal("ema", wrongEntry.Key);
    }

    [Fact]
    public void Shape_mismatch_names_file_and_key_and_leaves_the_network_untouched()
    {
        using var scope = NewDisposeScope();
        var path = FilePath("wide.pt");
        using (var wide = new TinySegNet(3, width: 8)) PyTorchStateDict.Save(wide, path);
        using var net = new TinySegNet(3);
        var before = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var error = Assert.Throws<StateDictException>(() => PyTorchStateDict.Load(net, path));
        Assert.Equal(path, error.FilePath);
        Assert.Equal("classifier.weight", error.Key);
        Assert.Contains(path, error.Message);
        Assert.Contains("[3, 8, 1, 1]", error.Message);
        foreach (var (key, tensor) in net.state_dict())
            Assert.True(tensor.Identical(before[key]), $"{key} was changed by a failed load");
    }

    [Fact]
    public void Missing_and_unexpected_keys_are_named()
    {
        using var scope = NewDisposeScope();
        using var net = new TinySegNet(3);
        var state = net.state_dict();

        var partial = FilePath("partial.pt");
        PyTorchPickler.PickleStateDict(partial, state.Where(kv => kv.Key != "features.4.weight").ToDictionary(kv => kv.Key, kv => kv.Value));
        var missing = Assert.Throws<StateDictException>(() => PyTorchStateDict.Load(net, partial));
        Assert.Equal("features.4.weight", missing.Key);
        Assert.Contains("Missing key", missing.Message);

        var extra = FilePath("extra.pt");
        var withExtra = state.ToDictionary(kv => kv.Key, kv => kv.Value);
        withExtra["head.weight"] = zeros(2);
        PyTorchPickler.PickleStateDict(extra, withExtra);
        var unexpected = Assert.Throws<StateDictException>(() => PyTorchStateDict.Load(net, extra));
        Assert.Equal("head.weight", unexpected.Key);
        Assert.Contains("Unexpected key", unexpected.Message);
    }

    [Fact]
    public void Backbone_load_refuses_a_key_outside_the_backbone()
    {
        using var scope = NewDisposeScope();
        using var net = new DeepLabV3PlusMobileNetV2(3);
        var path = FilePath("not_torchvision.pth");
        PyTorchPickler.PickleStateDict(path, new Dictionary<string, Tensor> { ["aspp_dl.project.0.weight"] = zeros(256, 1280, 1, 1) });
        var error = Assert.Throws<StateDictException>(() => net.LoadBackboneStateDict(path));
        Assert.Equal("aspp_dl.project.0.weight", error.Key);
    }

    [Fact]
    public void Backbone_load_without_num_batches_tracked_is_accepted_as_in_pytorch()
    {
        // torchvision's original resnet50-19c8e357.pth predates the num_batches_tracked buffer.
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var donor = new TinySegNet(3);
        var path = FilePath("old.pt");
        PyTorchPickler.PickleStateDict(path, donor.state_dict()
            .Where(kv => !kv.Key.EndsWith(".num_batches_tracked"))
            .ToDictionary(kv => kv.Key, kv => kv.Value));
        using var net = new TinySegNet(5);
        net.LoadBackboneStateDict(path);
        Assert.True(net.state_dict()["features.0.weight"].Identical(donor.state_dict()["features.0.weight"]));
    }

    [Fact]
    public void Missing_file_throws_file_not_found_naming_it()
    {
        using var net = new TinySegNet(3);
        var path = FilePath("nowhere.pth");
        var error = Assert.Throws<FileNotFoundException>(() => net.LoadBackboneStateDict(path));
        Assert.Equal(path, error.FileName);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Legacy_and_zip_files_written_by_pytorch_load_the_same_weights()
    {
        // Both written by Fixtures/generate.py from one state dict; the legacy format is that of
        // torchvision's original ImageNet files.
        using var scope = NewDisposeScope();
        using var fromLegacy = new TinySegNet(3);
        using var fromZip = new TinySegNet(3);
        PyTorchStateDict.Load(fromLegacy, Fixture.PathOf("tinysegnet_3cls.legacy.pt"));
        PyTorchStateDict.Load(fromZip, Fixture.PathOf("tinysegnet_3cls.zip.pt"));

        var expected = fromZip.state_dict();
        foreach (var (key, tensor) in fromLegacy.state_dict())
            Assert.True(tensor.Identical(expected[key]), key);
        // The values are PyTorch's, not the fresh network's: BatchNorm statistics are not 0/1.
        Assert.NotEqual(0f, expected["features.1.running_mean"].abs().sum().item<float>());
        Assert.NotEqual(0L, expected["features.4.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void Truncated_or_foreign_file_is_refused_naming_it()
    {
        using var net = new TinySegNet(3);
        var legacy = File.ReadAllBytes(Fixture.PathOf("tinysegnet_3cls.legacy.pt"));
        var truncated = FilePath("truncated.pth");
        File.WriteAllBytes(truncated, legacy[..(legacy.Length - 100)]);
        var error = Assert.Throws<StateDictException>(() => PyTorchStateDict.Load(net, truncated));
        Assert.Equal(truncated, error.FilePath);
        Assert.Contains("ends before", error.Message);

        var text = FilePath("notes.pth");
        File.WriteAllText(text, "not a checkpoint");
        var foreign = Assert.Throws<StateDictException>(() => PyTorchStateDict.Load(net, text));
        Assert.Contains("Not a torch.save file", foreign.Message);

        var brokenZip = FilePath("broken.pth");
        File.WriteAllBytes(brokenZip, [0x50, 0x4b, 0x03, 0x04, 1, 2, 3]);
        var unreadable = Assert.Throws<StateDictException>(() => PyTorchStateDict.Load(net, brokenZip));
        Assert.Contains("Cannot read", unreadable.Message);
    }

    [Fact]
    public void Saved_keys_and_shapes_are_read_back()
    {
        using var scope = NewDisposeScope();
        using var net = new TinySegNet(6);
        var path = FilePath("shapes.pt");
        PyTorchStateDict.Save(net, path);
        var shapes = PyTorchStateDict.ReadShapes(path);
        Assert.Equal(net.state_dict().Keys.Order(), shapes.Keys.Order());
        Assert.Equal(new long[] { 6, 16, 1, 1 }, shapes["classifier.weight"]);
        Assert.Empty(shapes["features.1.num_batches_tracked"]);
    }

    internal static void RandomizeBatchNormStatistics(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in module.named_modules()) {
            if (m is not BatchNorm2d bn) continue;
            bn.running_mean!.uniform_(-0.5, 0.5);
            bn.running_var!.uniform_(0.5, 2.0);
            bn.weight.uniform_(0.5, 1.5);
            bn.bias!.uniform_(-0.5, 0.5);
            bn.num_batches_tracked!.fill_(3);
        }
    }

    /// <summary>torchvision's mobilenet_v2 module tree: features (19 layers) and classifier.</summary>
    private sealed class TorchvisionLikeMobileNetV2 : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential features;
        private readonly Sequential classifier;

        public TorchvisionLikeMobileNetV2() : base("MobileNetV2")
        {
            features = MobileNetV2.Features(19);
            classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, 10));
            RegisterComponents();
        }

        public Sequential Features => features;

        public override Tensor forward(Tensor x) => throw new NotSupportedException("Only its state dict is used.");
    }
}
