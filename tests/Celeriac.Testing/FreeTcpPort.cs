using System.Net;
using System.Net.Sockets;

namespace Celeriac.Testing;

/// <summary>Loopback ports nobody listens on, for servers a test starts.</summary>
public static class FreeTcpPort
{
    /// <summary>
    /// A port the system just handed out on 127.0.0.1 and that is free again. Another process may take it before the
    /// test's server binds it, so a starter should retry with a new port when the bind fails.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
