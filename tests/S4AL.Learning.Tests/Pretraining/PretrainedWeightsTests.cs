using S4AL.Learning.Networks;
using S4AL.Learning.Pretraining;
using S4AL.Learning.Tests.Data;
using S4AL.Learning.Tests.Networks;
using System.Text.Json;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Pretraining;

public sealed class PretrainedWeightsTests
{
    [Fact]
    public void Saved_weights_load_into_a_fresh_deeplab_mobilenet_backbone_and_leave_its_head_alone()
    {
        using var threads = new SingleThread();
        using var data = new TinyFashion();
        using var folder = new TempFolder();
        using var pretrainer = new FashionMnistPretrainer(data.Settings(iterations: 2));
        var result = pretrainer.Train();
        var path = folder["mbv2-fmnist.pt"];
        pretrainer.Save(path, result);

        using var scope = NewDisposeScope();
        // Built as `s4al run` builds it (channels-last weights), with another class count than the pretraining.
        using var net = NetworkFactory.Create(NetworkKind.MobileNetV2, 5);
        var before = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        net.LoadBackboneStateDict(path);
        var after = net.state_dict();

        int compared = 0;
        foreach (var (key, value) in pretrainer.Network.state_dict())
        {
            if (!pretrainer.Network.IsBackboneKey(key)) continue;
            Assert.StartsWith("features.", key);
            var target = "network." + key["features.".Length..];
            Assert.True(after[target].Identical(value), $"{key} differs from {target} after loading");
            compared++;
        }
        var backboneKeys = after.Keys.Where(k => k.StartsWith("network.", StringComparison.Ordinal)).ToList();
        Assert.Equal(backboneKeys.Count, compared);
        // Pretraining moved the weights and BatchNorm statistics away from a fresh initialisation.
        Assert.Contains(backboneKeys, k => k.EndsWith(".weight", StringComparison.Ordinal) && !after[k].Identical(before[k]));
        Assert.Contains(backboneKeys, k => k.EndsWith(".running_mean", StringComparison.Ordinal) && !after[k].Identical(before[k]));
        foreach (var (key, value) in after.Where(kv => !kv.Key.StartsWith("network.", StringComparison.Ordinal)))
            Assert.True(value.Identical(before[key]), $"{key} of the DeepLab head changed");
    }

    [Fact]
    public void The_file_holds_the_whole_classifier_and_the_sidecar_describes_the_run()
    {
        using var threads = new SingleThread();
        using var data = new TinyFashion();
        using var folder = new TempFolder();
        using var pretrainer = new FashionMnistPretrainer(data.Settings(iterations: 1) with { Seed = 7, TestItems = 5 });
        var result = pretrainer.Train();
        var path = folder["sub/dir/w.pt"];
        pretrainer.Save(path, result);

        var shapes = PyTorchStateDict.ReadShapes(path);
        var expected = pretrainer.Network.state_dict();
        Assert.Equal(expected.Keys.Order(), shapes.Keys.Order());
        Assert.Equal([10, 320], shapes["classifier.1.weight"]);

        using var json = JsonDocument.Parse(File.ReadAllText(FashionMnistPretrainer.SidecarPath(path)));
        var root = json.RootElement;
        Assert.Equal("mbv2", root.GetProperty("network").GetString());
        Assert.Equal("torchvision", root.GetProperty("keys").GetString());
        Assert.Equal("fashion-mnist", root.GetProperty("dataset").GetString());
        Assert.Equal(32, root.GetProperty("inputSize").GetInt32());
        Assert.Equal(1, root.GetProperty("epochs").GetInt32());
        Assert.Equal(7, root.GetProperty("seed").GetInt32());
        Assert.Equal(5, root.GetProperty("testItems").GetInt32());
        Assert.Equal(result.TestAccuracy, root.GetProperty("testAccuracy").GetDouble());
        Assert.InRange(result.TestAccuracy, 0, 1);
        Assert.DoesNotContain(Directory.GetFiles(Path.GetDirectoryName(path)!), f => f.Contains(".tmp"));
    }

    [Theory]
    [InlineData(NetworkKind.MobileNetV2, "torchvision_mobilenet_v2", "deeplabv3plus_mbv2_11cls")]
    [InlineData(NetworkKind.ResNet50, "torchvision_resnet50", "deeplabv3plus_r50_11cls")]
    public void Classifier_keys_are_torchvisions_and_map_onto_the_whole_deeplab_backbone(NetworkKind kind, string torchvision, string deeplab)
    {
        using var net = BackboneClassifier.Create(kind, 10);
        var ours = net.state_dict().ToDictionary(kv => kv.Key, kv => Fixture.Shape(kv.Value));
        Func<string, KeyMapping> map = kind == NetworkKind.MobileNetV2 ? DeepLabV3PlusMobileNetV2.MapTorchvisionKey : DeepLabV3PlusResNet50.MapTorchvisionKey;

        // Same names as torchvision's model, minus MobileNetV2's 1280-channel conv that DeepLab drops;
        // the backbone's shapes are torchvision's too, only the head is sized for 10 classes.
        var theirs = Fixture.StateDict(torchvision).Where(e => !e.Key.StartsWith("features.18.", StringComparison.Ordinal)).ToDictionary(e => e.Key, e => e.Shape);
        Assert.Equal(theirs.Keys.Order(), ours.Keys.Order());
        foreach (var (key, shape) in ours.Where(kv => net.IsBackboneKey(kv.Key)))
            Assert.True(theirs[key] == shape, $"{key}: ours [{shape}], torchvision's [{theirs[key]}]");

        // Every backbone key lands on a DeepLab key of the same shape, every DeepLab backbone key is
        // supplied, and the head is exactly what the loader skips.
        var target = Fixture.StateDict(deeplab).ToDictionary(e => e.Key, e => e.Shape);
        var supplied = new HashSet<string>();
        foreach (var (key, shape) in ours)
        {
            var mapping = map(key);
            if (!net.IsBackboneKey(key)) { Assert.True(mapping.Skip, $"head key {key} is not skipped by the loader"); continue; }
            Assert.NotNull(mapping.TargetKey);
            Assert.True(target.TryGetValue(mapping.TargetKey!, out var targetShape), $"{key} maps to {mapping.TargetKey}, which DeepLab lacks");
            Assert.Equal(targetShape, shape);
            supplied.Add(mapping.TargetKey!);
        }
        var prefix = kind == NetworkKind.MobileNetV2 ? "network." : "resnet_";
        Assert.Equal(target.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(), supplied.Order());
    }
}
