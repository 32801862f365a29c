
namespace PeerActors.Node.Metrics;

/// <summary>
/// The metric names contract of PeerActors: the meter name, instrument names and tag names. The instruments
/// themselves are created where they are incremented, in the library: <c>PeerActors.Diagnostics.PeerActorsMetrics</c>
/// (bytes, active peers, ingest events, journal writes) and <c>PeerActors.Limits.LimitsMetrics</c> (rcmgr). Names are exactly the ones in SPEC §5 (Lantern Unbounded #332:
/// <c>ingress-bytes</c>, <c>ingress-bytes-by-peer</c>) and §6 (rcmgr allowed/blocked/usage).
/// Exported by the management endpoint's <c>GET /metrics</c> (Prometheus text; '-' becomes '_' there)
/// and by OpenTelemetry (<see cref="PeerActorsMetricsServiceCollectionExtensions.AddPeerActorsOpenTelemetry"/>).
/// </summary>
public static class MetricNames
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
}
