namespace PeerActors.Core.ResourceManager;

/// <summary>
/// Fully resolved limits of every scope class (rcmgr <c>ConcreteLimitConfig</c>): no value is "default".
/// Usually built with <c>partial.Build(ScalingLimitConfig.DefaultLimits.Scale(...))</c>. Immutable; change it
/// with <c>with</c> expressions. Per-key maps fall back to the matching <c>*Default</c> limit.
/// Equality compares contents (maps included).
/// </summary>
public sealed record ConcreteLimitConfig
{
    private static readonly IReadOnlyDictionary<string, BaseLimit> Empty = new Dictionary<string, BaseLimit>();

    /// <summary>System scope.</summary>
    public BaseLimit System { get; init; }

    /// <summary>Transient scope.</summary>
    public BaseLimit Transient { get; init; }

    /// <summary>Allowlisted system scope (used when the system scope is full and the endpoint is allowlisted).</summary>
    public BaseLimit AllowlistedSystem { get; init; }

    /// <summary>Allowlisted transient scope.</summary>
    public BaseLimit AllowlistedTransient { get; init; }

    /// <summary>Service scopes without a specific entry.</summary>
    public BaseLimit ServiceDefault { get; init; }

    /// <summary>Service scopes by service name.</summary>
    public IReadOnlyDictionary<string, BaseLimit> Service { get; init; } = Empty;

    /// <summary>Service-peer scopes without a specific entry.</summary>
    public BaseLimit ServicePeerDefault { get; init; }

    /// <summary>Service-peer scopes by service name (the same limit for every peer of that service).</summary>
    public IReadOnlyDictionary<string, BaseLimit> ServicePeer { get; init; } = Empty;

    /// <summary>Protocol scopes without a specific entry.</summary>
    public BaseLimit ProtocolDefault { get; init; }

    /// <summary>Protocol scopes by protocol id.</summary>
    public IReadOnlyDictionary<string, BaseLimit> Protocol { get; init; } = Empty;

    /// <summary>Protocol-peer scopes without a specific entry.</summary>
    public BaseLimit ProtocolPeerDefault { get; init; }

    /// <summary>Protocol-peer scopes by protocol id.</summary>
    public IReadOnlyDictionary<string, BaseLimit> ProtocolPeer { get; init; } = Empty;

    /// <summary>Peer scopes without a specific entry.</summary>
    public BaseLimit PeerDefault { get; init; }

    /// <summary>Peer scopes by peer id.</summary>
    public IReadOnlyDictionary<string, BaseLimit> Peer { get; init; } = Empty;

    /// <summary>Every connection scope.</summary>
    public BaseLimit Conn { get; init; }

    /// <summary>Every stream scope.</summary>
    public BaseLimit Stream { get; init; }

    /// <summary>Everything unlimited (rcmgr <c>InfiniteLimits</c>).</summary>
    public static ConcreteLimitConfig Infinite { get; } = new()
    {
        System = BaseLimit.Infinite,
        Transient = BaseLimit.Infinite,
        AllowlistedSystem = BaseLimit.Infinite,
        AllowlistedTransient = BaseLimit.Infinite,
        ServiceDefault = BaseLimit.Infinite,
        ServicePeerDefault = BaseLimit.Infinite,
        ProtocolDefault = BaseLimit.Infinite,
        ProtocolPeerDefault = BaseLimit.Infinite,
        PeerDefault = BaseLimit.Infinite,
        Conn = BaseLimit.Infinite,
        Stream = BaseLimit.Infinite,
    };

    /// <summary>Limit of service <paramref name="service"/> (specific entry or <see cref="ServiceDefault"/>).</summary>
    public BaseLimit GetServiceLimits(string service) => Service.TryGetValue(service, out var l) ? l : ServiceDefault;

    /// <summary>Limit of the service-peer scopes of <paramref name="service"/>.</summary>
    public BaseLimit GetServicePeerLimits(string service) => ServicePeer.TryGetValue(service, out var l) ? l : ServicePeerDefault;

    /// <summary>Limit of protocol <paramref name="protocol"/>.</summary>
    public BaseLimit GetProtocolLimits(string protocol) => Protocol.TryGetValue(protocol, out var l) ? l : ProtocolDefault;

    /// <summary>Limit of the protocol-peer scopes of <paramref name="protocol"/>.</summary>
    public BaseLimit GetProtocolPeerLimits(string protocol) => ProtocolPeer.TryGetValue(protocol, out var l) ? l : ProtocolPeerDefault;

    /// <summary>Limit of peer <paramref name="peer"/>.</summary>
    public BaseLimit GetPeerLimits(string peer) => Peer.TryGetValue(peer, out var l) ? l : PeerDefault;

    /// <summary>Converts to a partial config with no default values (rcmgr <c>ToPartialLimitConfig</c>).</summary>
    public PartialLimitConfig ToPartialLimitConfig()
    {
        static Dictionary<string, ResourceLimits> Map(IReadOnlyDictionary<string, BaseLimit> m) =>
            m.ToDictionary(kv => kv.Key, kv => kv.Value.ToResourceLimits(), StringComparer.Ordinal);
        return new PartialLimitConfig
        {
            System = System.ToResourceLimits(),
            Transient = Transient.ToResourceLimits(),
            AllowlistedSystem = AllowlistedSystem.ToResourceLimits(),
            AllowlistedTransient = AllowlistedTransient.ToResourceLimits(),
            ServiceDefault = ServiceDefault.ToResourceLimits(),
            Service = Map(Service),
            ServicePeerDefault = ServicePeerDefault.ToResourceLimits(),
            ServicePeer = Map(ServicePeer),
            ProtocolDefault = ProtocolDefault.ToResourceLimits(),
            Protocol = Map(Protocol),
            ProtocolPeerDefault = ProtocolPeerDefault.ToResourceLimits(),
            ProtocolPeer = Map(ProtocolPeer),
            PeerDefault = PeerDefault.ToResourceLimits(),
            Peer = Map(Peer),
            Conn = Conn.ToResourceLimits(),
            Stream = Stream.ToResourceLimits(),
        };
    }

    /// <inheritdoc />
    public bool Equals(ConcreteLimitConfig? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        return System == other.System && Transient == other.Transient &&
               AllowlistedSystem == other.AllowlistedSystem && AllowlistedTransient == other.AllowlistedTransient &&
               ServiceDefault == other.ServiceDefault && ServicePeerDefault == other.ServicePeerDefault &&
               ProtocolDefault == other.ProtocolDefault && ProtocolPeerDefault == other.ProtocolPeerDefault &&
               PeerDefault == other.PeerDefault && Conn == other.Conn && Stream == other.Stream &&
               MapEquals(Service, other.Service) && MapEquals(ServicePeer, other.ServicePeer) &&
               MapEquals(Protocol, other.Protocol) && MapEquals(ProtocolPeer, other.ProtocolPeer) &&
               MapEquals(Peer, other.Peer);
    }

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(System, Transient, PeerDefault, Conn, Stream, Service.Count, Protocol.Count, Peer.Count);

    private static bool MapEquals(IReadOnlyDictionary<string, BaseLimit> a, IReadOnlyDictionary<string, BaseLimit> b)
    {
        if (a.Count != b.Count) return false;
        foreach (var (k, v) in a)
            if (!b.TryGetValue(k, out var w) || v != w) return false;
        return true;
    }
}
