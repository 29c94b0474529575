using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Node.Commands;

/// <summary>Turns "cpu", "cuda" or "cuda:N" into a TorchSharp device, with an error that says what is missing.</summary>
public static class DeviceParser
{
    public static Device Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return CPU;
        if (t == "cuda" || t.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new UsageException($"--device {text}: CUDA is not available in this build or on this machine (build with -p:S4alCuda=true on a machine with an NVIDIA GPU, or use --device cpu)");
            return new Device(t);
        }
        throw new UsageException($"--device {text}: expected cpu, cuda or cuda:N");
    }
}

/// <summary>A mistake in what the user typed or configured: printed as one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
