using S4AL.Learning;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Node.Commands;

/// <summary>The --device option's value as a TorchSharp device; a bad value is a usage error naming the option.</summary>
public static class DeviceParser
{
    public static Device Parse(string text) => RunOptions.Named("--device", text, Devices.Parse);
}

/// <summary>A mistake in what the user typed or configured: printed as one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
