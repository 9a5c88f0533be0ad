using System.Net;
using System.Net.Sockets;

namespace OrleansKms.IntegrationTests.Infrastructure;

/// <summary>
/// Ports for Orleans silos, which cannot bind port 0 themselves. Each test process takes ports from its own block
/// (chosen from the process id) and never hands one out twice, so tests running side by side do not race for a
/// port that the operating system's "free port" answer gave to both; a port found taken is skipped.
/// </summary>
public static class TestPorts
{
    private const int First = 12000;
    private const int BlockSize = 2000;
    private const int Blocks = 10;
    private static int _next = First + (Environment.ProcessId % Blocks) * BlockSize;

    public static int Free()
    {
        while (true)
        {
            var port = Interlocked.Increment(ref _next);
            if (IsFree(port)) return port;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
