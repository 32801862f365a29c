namespace PeerActors.Core.ResourceManager;

/// <summary>
/// Current usage of one scope (libp2p <c>network.ScopeStat</c>).
/// </summary>
/// <param name="Memory">Reserved memory, bytes.</param>
/// <param name="NumStreamsInbound">Inbound streams.</param>
/// <param name="NumStreamsOutbound">Outbound streams.</param>
/// <param name="NumConnsInbound">Inbound connections.</param>
/// <param name="NumConnsOutbound">Outbound connections.</param>
/// <param name="NumFD">File descriptors.</param>
public readonly record struct ScopeStat(
    long Memory,
    int NumStreamsInbound,
    int NumStreamsOutbound,
    int NumConnsInbound,
    int NumConnsOutbound,
    int NumFD)
{
    /// <summary>True when every counter is zero.</summary>
    public bool IsZero =>
        Memory == 0 && NumStreamsInbound == 0 && NumStreamsOutbound == 0 &&
        NumConnsInbound == 0 && NumConnsOutbound == 0 && NumFD == 0;
}

/// <summary>Snapshot of the whole manager (rcmgr <c>ResourceManagerStat</c>).</summary>
/// <param name="System">System scope usage.</param>
/// <param name="Transient">Transient scope usage.</param>
/// <param name="Services">Usage per live service scope, keyed by service name.</param>
/// <param name="Protocols">Usage per live protocol scope, keyed by protocol id.</param>
/// <param name="Peers">Usage per live peer scope, keyed by peer id.</param>
public sealed record ResourceManagerStat(
    ScopeStat System,
    ScopeStat Transient,
    IReadOnlyDictionary<string, ScopeStat> Services,
    IReadOnlyDictionary<string, ScopeStat> Protocols,
    IReadOnlyDictionary<string, ScopeStat> Peers);
