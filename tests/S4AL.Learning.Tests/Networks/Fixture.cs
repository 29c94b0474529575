using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Networks;

/// <summary>Reads the name/shape and conv-configuration lists written by Fixtures/generate.py.</summary>
internal static class Fixture
{
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Networks", "Fixtures", file);

    /// <summary>state_dict keys with their shapes ("3,3" style), in PyTorch's order.</summary>
    public static List<(string Key, string Shape)> StateDict(string name) =>
        Lines(name + ".state_dict.txt").Select(l => l.Split('\t')).Select(p => (p[0], p.Length > 1 ? p[1] : "")).ToList();

    /// <summary>Conv2d modules as "name in out kernel stride padding dilation groups bias".</summary>
    public static List<string> Convs(string name) => Lines(name + ".convs.txt").ToList();

    public static bool IsBuffer(string key) =>
        key.EndsWith(".running_mean", StringComparison.Ordinal)
        || key.EndsWith(".running_var", StringComparison.Ordinal)
        || key.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    public static string Shape(Tensor t) => string.Join(",", t.shape);

    /// <summary>The same description of our module's convs as generate.py writes for PyTorch's.</summary>
    public static List<string> ConvsOf(nn.Module module) =>
        module.named_modules()
            .Where(m => m.module is Conv2d)
            .Select(m => {
                var c = (Conv2d)m.module;
                return string.Join('\t', m.name, c.in_channels, c.out_channels, c.kernel_size[0], c.stride[0],
                    c.padding![0], c.dilation[0], c.groups, c.bias is null ? "False" : "True");
            })
            .ToList();

    private static IEnumerable<string> Lines(string file) =>
        File.ReadLines(PathOf(file)).Where(l => l.Length > 0 && !l.StartsWith('#'));
}

internal static class TensorExtensions
{
    /// <summary>Same dtype, shape and every element bit-equal (TorchSharp's equal() is element-wise).</summary>
    public static bool Identical(this Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape)) return false;
        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }
}
