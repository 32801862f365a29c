namespace PeerActors.Core.ResourceManager;

/// <summary>Direction of a connection or stream (libp2p <c>network.Direction</c>).</summary>
public enum Direction
{
    /// <summary>Initiated by the remote peer.</summary>
    Inbound,

    /// <summary>Initiated by us.</summary>
    Outbound,
}

/// <summary>
/// Memory reservation priorities (libp2p <c>network.ReservationPriority*</c>). A reservation with priority
/// <c>p</c> succeeds while <c>current + size ≤ limit·(1+p)/256</c>.
/// </summary>
public static class ReservationPriority
{
    /// <summary>Low priority: succeeds up to ≈39.5% of the limit (101).</summary>
    public const byte Low = 101;

    /// <summary>Medium priority: succeeds up to ≈59.4% of the limit (152).</summary>
    public const byte Medium = 152;

    /// <summary>High priority: succeeds up to ≈79.7% of the limit (203).</summary>
    public const byte High = 203;

    /// <summary>Always: succeeds up to the full limit (255).</summary>
    public const byte Always = 255;
}

/// <summary>The basic resources the resource manager accounts for.</summary>
public enum ResourceKind
{
    /// <summary>Memory, in bytes.</summary>
    Memory,

    /// <summary>Streams (inbound, outbound or total).</summary>
    Stream,

    /// <summary>Connections (inbound, outbound or total).</summary>
    Connection,

    /// <summary>File descriptors.</summary>
    FileDescriptor,
}

/// <summary>The class of a scope in the rcmgr scope DAG (the <c>scope</c> label of rcmgr metrics).</summary>
public enum ScopeClass
{
    /// <summary><c>system</c>.</summary>
    System,

    /// <summary><c>transient</c>.</summary>
    Transient,

    /// <summary><c>allowlistedSystem</c>.</summary>
    AllowlistedSystem,

    /// <summary><c>allowlistedTransient</c>.</summary>
    AllowlistedTransient,

    /// <summary><c>svc:NAME</c>.</summary>
    Service,

    /// <summary><c>svc:NAME.peer:ID</c>.</summary>
    ServicePeer,

    /// <summary><c>protocol:ID</c>.</summary>
    Protocol,

    /// <summary><c>protocol:ID.peer:ID</c>.</summary>
    ProtocolPeer,

    /// <summary><c>peer:ID</c>.</summary>
    Peer,

    /// <summary><c>conn-N</c>.</summary>
    Connection,

    /// <summary><c>stream-N</c>.</summary>
    Stream,

    /// <summary>A user transaction span <c>NAME.span-N</c>.</summary>
    Span,

    /// <summary>Not a scope: the per-subnet / network-prefix connection limiter (rcmgr <c>connLimiter</c>).</summary>
    Subnet,
}
