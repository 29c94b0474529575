using S4AL.Learning.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Networks;

public class ChannelsLastTests
{
    [Fact]
    public void Tensor_conversion_keeps_shape_and_values_and_permutes_strides()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 4, 5);
        Assert.False(x.IsChannelsLast());
        var nhwc = x.ToChannelsLast();
        Assert.Equal(x.shape, nhwc.shape);
        Assert.Equal(new long[] { 60, 1, 15, 3 }, nhwc.stride());
        Assert.True(nhwc.IsChannelsLast());
        Assert.True(nhwc.Identical(x));
    }

    [Fact]
    public void Module_conversion_keeps_parameter_identity_and_outputs()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var net = new DeepLabV3PlusMobileNetV2(3);
        net.eval();
        var x = randn(1, 3, 32, 48);
        Tensor expected;
        using (no_grad()) expected = net.call(x);
        var parametersBefore = net.parameters().ToList();

        net.ToChannelsLast();

        Assert.True(net.IsChannelsLast());
        // Optimizers and EMA teachers hold Parameter objects; they must still be the module's.
        Assert.Equal(parametersBefore, net.parameters().ToList(), ReferenceEqualityComparer.Instance);
        using (no_grad()) {
            var actual = net.call(x);
            Assert.True(actual.is_contiguous());
            Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5));
        }

        net.ToContiguousFormat();
        Assert.All(net.parameters(), p => Assert.True(p.is_contiguous()));
    }

    [Fact]
    public void Channels_last_gives_the_same_gradients()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        using var plain = new TinySegNet(3);
        using var nhwc = new TinySegNet(3);
        nhwc.load_state_dict(plain.state_dict());
        nhwc.ToChannelsLast();
        var x = randn(2, 3, 16, 24);
        var y = randint(0, 3, [2, 16, 24]);
        nn.functional.cross_entropy(plain.call(x), y).backward();
        nn.functional.cross_entropy(nhwc.call(x), y).backward();
        var expected = plain.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        foreach (var (name, parameter) in nhwc.named_parameters())
            Assert.True(parameter.grad!.allclose(expected[name], rtol: 1e-4, atol: 1e-6), name);
    }

    [Fact]
    public void Channels_last_network_trains_and_round_trips_through_the_pytorch_format()
    {
        using var scope = NewDisposeScope();
        var folder = Directory.CreateTempSubdirectory("s4al-cl-").FullName;
        try {
            manual_seed(8);
            using var net = NetworkFactory.Create(NetworkKind.Tiny, 3, new NetworkOptions(ChannelsLast: true));
            var optimizer = optim.SGD(net.parameters(), 0.05, momentum: 0.9);
            var x = randn(2, 3, 16, 24);
            var y = randint(0, 3, [2, 16, 24]);
            optimizer.zero_grad();
            nn.functional.cross_entropy(net.call(x), y).backward();
            optimizer.step();
            Assert.True(net.IsChannelsLast());

            var path = Path.Combine(folder, "tiny.pt");
            PyTorchStateDict.Save(net, path);
            using var plain = NetworkFactory.Create(NetworkKind.Tiny, 3, new NetworkOptions(ChannelsLast: false));
            PyTorchStateDict.Load(plain, path);
            var expected = net.state_dict();
            foreach (var (key, tensor) in plain.state_dict())
                Assert.True(tensor.Identical(expected[key]), key);
        } finally {
            Directory.Delete(folder, recursive: true);
        }
    }
}
