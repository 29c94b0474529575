using System.Net;
using System.Net.Sockets;

namespace S4AL.IntegrationTests;

static class Ports
{
    static readonly HashSet<int> Given = new();
    static readonly Random Pick = new();

    /// <summary>
    /// A TCP port on 127.0.0.1 that is free now, for a process the test starts later. Taken below
    /// the kernel's ephemeral range (ip_local_port_range), so no outgoing connection of any process
    /// can be given it in the meantime, and never handed out twice by this process.
    /// </summary>
    public static int Free()
    {
        int ephemeralLow = 32768;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            ephemeralLow = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { }
        int low = Math.Max(10000, ephemeralLow - 12000);
        lock (Given)
        {
            for (int tries = 0; tries < 1000; tries++)
            {
                int port = Pick.Next(low, ephemeralLow);
                if (Given.Contains(port)) continue;
                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                }
                catch (SocketException) { continue; }
                Given.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free TCP port in {low}..{ephemeralLow - 1}");
    }
}
