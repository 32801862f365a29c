using System.Diagnostics.Metrics;

namespace PeerActors.Limits;

/// <summary>
/// The limit actors' instruments on meter <c>PeerActors</c> (System.Diagnostics.Metrics):
/// <list type="bullet">
/// <item><c>rcmgr-allowed-resources</c> (counter): allowed operations, tagged <c>resource</c>
/// (memory/stream/connection/fd), <c>scope_class</c> (class of the operation: Stream on open, Protocol on
/// SetProtocol, Service on SetService, Connection on open, Peer on SetPeer, the scope's class for memory) and
/// <c>direction</c> (empty).</item>
/// <item><c>rcmgr-blocked-resources</c> (counter): refusals, tagged <c>resource</c>, <c>scope_class</c> (class of the
/// refusing scope, <c>Subnet</c> for the per-subnet limiter) and <c>direction</c> (Inbound/Outbound, empty for totals) —
/// rcmgr's <c>rcmgr_blocked_resources</c>.</item>
/// <item><c>rcmgr-usage</c> (observable gauge): current usage of <c>system</c> and <c>transient</c>, tagged
/// <c>scope</c> and <c>resource</c> (memory, streams_inbound, streams_outbound, conns_inbound, conns_outbound, fd).</item>
/// </list>
/// Counters are thread-safe; the gauge reads the root actor's counters without locking (a monitoring value may be
/// one operation stale).
/// </summary>
public sealed class LimitsMetrics : IDisposable
{
    /// <summary>Meter name.</summary>
    public const string MeterName = "PeerActors";

    private readonly Meter _meter;
    private readonly Counter<long> _allowed;
    private readonly Counter<long> _blocked;
    private Func<IEnumerable<Measurement<long>>>? _usage;

    /// <summary>Creates the instruments on a new meter <c>PeerActors</c>.</summary>
    public LimitsMetrics()
    {
        _meter = new Meter(MeterName);
        _allowed = _meter.CreateCounter<long>("rcmgr-allowed-resources", description: "Resource reservations allowed, by resource and scope class");
        _blocked = _meter.CreateCounter<long>("rcmgr-blocked-resources", description: "Resource reservations blocked, by resource, refusing scope class and direction");
        _meter.CreateObservableGauge("rcmgr-usage", () => _usage?.Invoke() ?? [], description: "Current usage of the system and transient scopes");
    }

    internal void SetUsageSource(Func<IEnumerable<Measurement<long>>> source) => _usage = source;

    internal void Allowed(ResourceKind resource, ScopeClass cls) =>
        _allowed.Add(1, new KeyValuePair<string, object?>("resource", Label(resource)),
            new KeyValuePair<string, object?>("scope_class", ClassLabel(cls)),
            new KeyValuePair<string, object?>("direction", ""));

    internal void Blocked(LimitRefused r) =>
        _blocked.Add(1, new KeyValuePair<string, object?>("resource", Label(r.Resource)),
            new KeyValuePair<string, object?>("scope_class", ClassLabel(r.ScopeClass)),
            new KeyValuePair<string, object?>("direction", r.Direction?.ToString() ?? ""));

    private static string ClassLabel(ScopeClass c) => c switch
    {
        ScopeClass.System => "System",
        ScopeClass.Transient => "Transient",
        ScopeClass.Peer => "Peer",
        ScopeClass.Stream => "Stream",
        ScopeClass.Protocol => "Protocol",
        ScopeClass.Service => "Service",
        ScopeClass.Connection => "Connection",
        _ => c.ToString(),
    };

    internal static string Label(ResourceKind r) => r switch
    {
        ResourceKind.Memory => "memory",
        ResourceKind.Stream => "stream",
        ResourceKind.Connection => "connection",
        _ => "fd",
    };

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
