using System.Net.Sockets;

namespace PeerActors.Node.Configuration;

/// <summary>
/// Checks of <see cref="NodeSettings"/> against the machine, made before the node starts so that a bad value is a
/// one-line configuration error naming its key (exit 2) instead of an exception from deep inside Akka.Remote or Kestrel:
/// the remoting hostname resolves, and the remoting port and the management endpoint's port are free.
/// </summary>
/// <remarks>A port checked free here can still be taken by another process before the node binds it (the node then
/// fails to start with the transport's error); the check catches the common case of a node already running.</remarks>
public static class NodeStartupChecks
{
    /// <summary>Runs every check.</summary>
    /// <param name="settings">The settings.</param>
    /// <exception cref="NodeConfigurationException">
    /// <c>peeractors.node.hostname</c> does not resolve; <c>peeractors.node.port</c> or the port of
    /// <c>peeractors.management.endpoint</c> is already in use (or cannot be bound).
    /// </exception>
    public static void Verify(NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var address = Resolve(settings.Hostname);
        if (settings.Port != 0)
            RequireFree("peeractors.node.port", "--port", address, settings.Port);
        if (settings.ManagementEnabled && settings.ManagementEndpoint.Port != 0)
            RequireFree("peeractors.management.endpoint", "--endpoint", settings.ManagementEndpoint.Address, settings.ManagementEndpoint.Port);
    }

    /// <summary>The first address of <paramref name="hostname"/> (an IP literal is returned as is).</summary>
    /// <exception cref="NodeConfigurationException">Key <c>peeractors.node.hostname</c>: it does not resolve.</exception>
    public static IPAddress Resolve(string hostname)
    {
        if (IPAddress.TryParse(hostname, out var ip))
            return ip;
        try
        {
            var addresses = Dns.GetHostAddresses(hostname);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
                ?? throw new NodeConfigurationException("peeractors.node.hostname", $"'{hostname}' (--hostname) resolves to no address.");
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            throw new NodeConfigurationException("peeractors.node.hostname", $"'{hostname}' (--hostname) cannot be resolved: {e.Message}");
        }
    }

    private static void RequireFree(string key, string flag, IPAddress address, int port)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(1);
        }
        catch (SocketException e)
        {
            var what = e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "is already in use" : $"cannot be bound ({e.Message})";
            throw new NodeConfigurationException(key, $"{address}:{port} ({flag}) {what}: is another node running? Use another port or 0 for any free port.");
        }
    }
}
