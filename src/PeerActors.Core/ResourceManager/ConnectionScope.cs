namespace PeerActors.Core.ResourceManager;

/// <summary>
/// A connection scope <c>conn-N</c> (rcmgr <c>connectionScope</c>). Opened by
/// <see cref="ResourceManager.OpenConnection"/> constrained by transient + system (or the allowlisted pair);
/// <see cref="SetPeer"/> moves it from transient to the peer scope; <see cref="ResourceScope.Done"/> closes it and
/// releases everything. Single-threaded, like its manager.
/// </summary>
public sealed class ConnectionScope : ResourceScope
{
    private readonly ResourceManager _manager;

    internal ConnectionScope(ResourceManager manager, string name, BaseLimit limit, ResourceScope[] edges, ObserverHub hub,
        Direction direction, bool usesFd, IPAddress? endpoint, bool isAllowlisted)
        : base(name, ScopeClass.Connection, limit, edges, null, hub)
    {
        _manager = manager;
        Direction = direction;
        UsesFd = usesFd;
        Endpoint = endpoint;
        IsAllowlisted = isAllowlisted;
    }

    /// <summary>Direction of the connection.</summary>
    public Direction Direction { get; }

    /// <summary>Whether it holds a file descriptor.</summary>
    public bool UsesFd { get; }

    /// <summary>Remote IP address, if known.</summary>
    public IPAddress? Endpoint { get; }

    /// <summary>True while it is accounted in the allowlisted-system/transient scopes.</summary>
    public bool IsAllowlisted { get; internal set; }

    /// <summary>Peer id after <see cref="SetPeer"/>, else null.</summary>
    public string? PeerId { get; internal set; }

    /// <summary>Whether the subnet limiter counted it (released on Done).</summary>
    internal bool CountedInSubnet { get; init; }

    /// <summary>
    /// Attaches the connection to peer <paramref name="peerId"/>: reserves its usage in <c>peer:ID</c> and releases
    /// it from transient (rcmgr <c>SetPeer</c>). An allowlisted connection whose (peer, IP) pair is not allowlisted
    /// is first moved to the normal system/transient scopes.
    /// </summary>
    /// <exception cref="ResourceLimitExceededException">When the peer (or, on transfer, system/transient) refuses; nothing changes.</exception>
    /// <exception cref="Validation.InvalidInputException">When <paramref name="peerId"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">When a peer is already set or the scope is done.</exception>
    public void SetPeer(string peerId)
    {
        if (!TrySetPeer(peerId, out var error)) throw error!;
    }

    /// <summary>Non-throwing <see cref="SetPeer"/>.</summary>
    /// <exception cref="Validation.InvalidInputException">When <paramref name="peerId"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">When a peer is already set or the scope is done.</exception>
    public bool TrySetPeer(string peerId, out ResourceLimitExceededException? error) =>
        _manager.SetPeer(this, peerId, out error);

    private protected override void OnDone() => _manager.OnConnectionDone(this);
}

/// <summary>
/// A stream scope <c>stream-N</c> (rcmgr <c>streamScope</c>). Opened by <see cref="ResourceManager.OpenStream"/>
/// constrained by peer + transient + system; <see cref="SetProtocol"/> moves it from transient to the protocol and
/// protocol-peer scopes; <see cref="SetService"/> adds the service and service-peer scopes;
/// <see cref="ResourceScope.Done"/> releases everything. Single-threaded, like its manager.
/// </summary>
public sealed class StreamScope : ResourceScope
{
    private readonly ResourceManager _manager;

    internal StreamScope(ResourceManager manager, string name, BaseLimit limit, ResourceScope[] edges, ObserverHub hub,
        Direction direction, string peerId)
        : base(name, ScopeClass.Stream, limit, edges, null, hub)
    {
        _manager = manager;
        Direction = direction;
        PeerId = peerId;
    }

    /// <summary>Direction of the stream.</summary>
    public Direction Direction { get; }

    /// <summary>Remote peer.</summary>
    public string PeerId { get; }

    /// <summary>Protocol after <see cref="SetProtocol"/>, else null.</summary>
    public string? Protocol { get; internal set; }

    /// <summary>Service after <see cref="SetService"/>, else null.</summary>
    public string? Service { get; internal set; }

    internal ResourceScope PeerScope { get; set; } = null!;

    internal ResourceScope? ProtocolScope { get; set; }

    internal ResourceScope? ProtocolPeerScope { get; set; }

    /// <summary>
    /// Sets the negotiated protocol (rcmgr <c>SetProtocol</c>): reserves the stream's usage in <c>protocol:ID</c> and
    /// <c>protocol:ID.peer:P</c>, then releases it from transient.
    /// </summary>
    /// <exception cref="ResourceLimitExceededException">When the protocol or protocol-peer scope refuses; nothing changes.</exception>
    /// <exception cref="Validation.InvalidInputException">When <paramref name="protocol"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">When a protocol is already set or the scope is done.</exception>
    public void SetProtocol(string protocol)
    {
        if (!TrySetProtocol(protocol, out var error)) throw error!;
    }

    /// <summary>Non-throwing <see cref="SetProtocol"/>.</summary>
    /// <exception cref="Validation.InvalidInputException">When <paramref name="protocol"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">When a protocol is already set or the scope is done.</exception>
    public bool TrySetProtocol(string protocol, out ResourceLimitExceededException? error) =>
        _manager.SetProtocol(this, protocol, out error);

    /// <summary>
    /// Attaches the stream to a service (rcmgr <c>SetService</c>): reserves its usage in <c>svc:NAME</c> and
    /// <c>svc:NAME.peer:P</c> in addition to its other scopes. Requires a protocol (as rcmgr).
    /// </summary>
    /// <exception cref="ResourceLimitExceededException">When the service or service-peer scope refuses; nothing changes.</exception>
    /// <exception cref="Validation.InvalidInputException">When <paramref name="service"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">When no protocol is set, a service is already set, or the scope is done.</exception>
    public void SetService(string service)
    {
        if (!TrySetService(service, out var error)) throw error!;
    }

    /// <summary>Non-throwing <see cref="SetService"/>.</summary>
    /// <exception cref="Validation.InvalidInputException">When <paramref name="service"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">When no protocol is set, a service is already set, or the scope is done.</exception>
    public bool TrySetService(string service, out ResourceLimitExceededException? error) =>
        _manager.SetService(this, service, out error);

    private protected override void OnDone() => _manager.OnStreamDone(this);
}
