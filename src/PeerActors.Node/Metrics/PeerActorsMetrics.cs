using System.Diagnostics.Metrics;

namespace PeerActors.Node.Metrics;

/// <summary>
/// The metric names contract of PeerActors: one <see cref="Meter"/> named <see cref="MeterName"/> and the
/// instruments other code increments. Names are exactly the ones in SPEC §5 (Lantern Unbounded #332:
/// <c>ingress-bytes</c>, <c>ingress-bytes-by-peer</c>) and §6 (rcmgr allowed/blocked/usage).
/// Exported by the management endpoint's <c>GET /metrics</c> (Prometheus text; '-' becomes '_' there)
/// and by OpenTelemetry (<see cref="PeerActorsMetricsServiceCollectionExtensions.AddPeerActorsOpenTelemetry"/>).
/// </summary>
/// <remarks>
/// The actors live in the <c>PeerActors</c> library, which does not reference the Node; this class should
/// move to <c>src/PeerActors/Diagnostics</c> so that the library can increment the instruments.
/// </remarks>
public static class PeerActorsMetrics
{
    /// <summary>Name of the PeerActors meter ("PeerActors"). Exporters subscribe to <see cref="MeterWildcard"/>.</summary>
    public const string MeterName = "PeerActors";

    /// <summary>Wildcard that matches every PeerActors meter ("PeerActors*"), as accepted by OpenTelemetry's AddMeter.</summary>
    public const string MeterWildcard = "PeerActors*";

    /// <summary>Instrument names (exact strings, SPEC §5/§6).</summary>
    public static class Names
    {
        /// <summary>Counter, bytes received from all peers.</summary>
        public const string IngressBytes = "ingress-bytes";
        /// <summary>Counter, bytes received, tagged <see cref="Tags.PeerId"/>.</summary>
        public const string IngressBytesByPeer = "ingress-bytes-by-peer";
        /// <summary>Counter, bytes sent to all peers.</summary>
        public const string EgressBytes = "egress-bytes";
        /// <summary>Counter, bytes sent, tagged <see cref="Tags.PeerId"/>.</summary>
        public const string EgressBytesByPeer = "egress-bytes-by-peer";
        /// <summary>Up/down counter, peer actors currently alive (not passivated).</summary>
        public const string ActivePeers = "active-peers";
        /// <summary>Counter, observations ingested (any kind).</summary>
        public const string IngestEvents = "ingest-events";
        /// <summary>Counter, events written to the journal.</summary>
        public const string JournalWrites = "journal-writes";
        /// <summary>Counter, rcmgr reservations allowed; tags resource, scope_class, direction.</summary>
        public const string RcmgrAllowedResources = "rcmgr-allowed-resources";
        /// <summary>Counter, rcmgr reservations blocked; tags resource, scope_class, direction.</summary>
        public const string RcmgrBlockedResources = "rcmgr-blocked-resources";
        /// <summary>Up/down counter, current usage of the system and transient scopes; tags scope, resource.</summary>
        public const string RcmgrUsage = "rcmgr-usage";
    }

    /// <summary>Tag (label) names.</summary>
    public static class Tags
    {
        /// <summary>The peer id (SPEC §1; session id fallback per Lantern #332).</summary>
        public const string PeerId = "peer_id";
        /// <summary>rcmgr resource: memory, streams, conns, fd.</summary>
        public const string Resource = "resource";
        /// <summary>rcmgr scope class: system, transient, service, protocol, peer, connection, stream.</summary>
        public const string ScopeClass = "scope_class";
        /// <summary>inbound or outbound.</summary>
        public const string Direction = "direction";
        /// <summary>For <see cref="Names.RcmgrUsage"/>: "system" or "transient".</summary>
        public const string Scope = "scope";
    }

    /// <summary>The PeerActors meter.</summary>
    public static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary><c>ingress-bytes</c> (unit: By).</summary>
    public static readonly Counter<long> IngressBytes = Meter.CreateCounter<long>(Names.IngressBytes, "By", "Bytes received from peers");
    /// <summary><c>ingress-bytes-by-peer</c> (unit: By; tag peer_id).</summary>
    public static readonly Counter<long> IngressBytesByPeer = Meter.CreateCounter<long>(Names.IngressBytesByPeer, "By", "Bytes received, by peer");
    /// <summary><c>egress-bytes</c> (unit: By).</summary>
    public static readonly Counter<long> EgressBytes = Meter.CreateCounter<long>(Names.EgressBytes, "By", "Bytes sent to peers");
    /// <summary><c>egress-bytes-by-peer</c> (unit: By; tag peer_id).</summary>
    public static readonly Counter<long> EgressBytesByPeer = Meter.CreateCounter<long>(Names.EgressBytesByPeer, "By", "Bytes sent, by peer");
    /// <summary><c>active-peers</c> (Prometheus: peeractors_active_peers): +1 when a peer actor starts, -1 when it stops.</summary>
    public static readonly UpDownCounter<long> ActivePeers = Meter.CreateUpDownCounter<long>(Names.ActivePeers, "{peer}", "Peer actors alive on this node");
    /// <summary><c>ingest-events</c> (Prometheus: peeractors_ingest_events).</summary>
    public static readonly Counter<long> IngestEvents = Meter.CreateCounter<long>(Names.IngestEvents, "{event}", "Observations ingested");
    /// <summary><c>journal-writes</c> (Prometheus: peeractors_journal_writes).</summary>
    public static readonly Counter<long> JournalWrites = Meter.CreateCounter<long>(Names.JournalWrites, "{event}", "Events persisted to the journal");
    /// <summary><c>rcmgr-allowed-resources</c> (tags resource, scope_class, direction).</summary>
    public static readonly Counter<long> RcmgrAllowedResources = Meter.CreateCounter<long>(Names.RcmgrAllowedResources, "{reservation}", "rcmgr reservations allowed");
    /// <summary><c>rcmgr-blocked-resources</c> (tags resource, scope_class, direction).</summary>
    public static readonly Counter<long> RcmgrBlockedResources = Meter.CreateCounter<long>(Names.RcmgrBlockedResources, "{reservation}", "rcmgr reservations blocked");
    /// <summary><c>rcmgr-usage</c> (tags scope = system|transient, resource): add on reserve, subtract on release.</summary>
    public static readonly UpDownCounter<long> RcmgrUsage = Meter.CreateUpDownCounter<long>(Names.RcmgrUsage, null, "rcmgr current usage of the system and transient scopes");
}
