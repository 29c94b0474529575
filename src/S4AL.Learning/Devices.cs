using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning;

/// <summary>The one parser of device names ("cpu", "cuda", "cuda:N"), for settings, options and actors.</summary>
public static class Devices
{
    /// <summary>
    /// The TorchSharp device of <paramref name="name"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not cpu, cuda or cuda:N, or CUDA is not available here (the message says what is missing).</exception>
    public static Device Parse(string name)
    {
        var t = name.Trim().ToLowerInvariant();
        if (t == "cpu") return CPU;
        if (t == "cuda" || (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), out var index) && index >= 0))
        {
            if (!cuda.is_available())
                throw new ArgumentException($"CUDA is not available in this build or on this machine (build with -p:S4alCuda=true on a machine with an NVIDIA GPU, or use cpu)");
            return new Device(t);
        }
        throw new ArgumentException($"'{name}' is not a device: expected cpu, cuda or cuda:N");
    }
}
