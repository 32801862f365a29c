namespace PeerActors.Core.ResourceManager;

/// <summary>Options of a <see cref="ResourceManager"/>.</summary>
public sealed record ResourceManagerOptions
{
    /// <summary>Allowlisted endpoints (default: empty). Its networks are registered with the subnet limiter at construction (as rcmgr does).</summary>
    public Allowlist? Allowlist { get; init; }

    /// <summary>Per-subnet connection limits (default: rcmgr's).</summary>
    public SubnetLimitSettings SubnetLimits { get; init; } = new();

    /// <summary>Optional observer of allowed/blocked decisions, in addition to <see cref="ResourceManager.Counters"/>.</summary>
    public IResourceManagerObserver? Observer { get; init; }
}

/// <summary>
/// The rcmgr resource manager in plain C#: the scope DAG system → transient / service / protocol / peer →
/// connection / stream, with the lifecycles of SPEC §6. Service, protocol, peer, service-peer and protocol-peer
/// scopes are created on demand and removed as soon as they are idle (no references, zero usage) — rcmgr does
/// the same with a periodic GC.
/// <para><b>Threading:</b> not thread-safe by design; one thread or actor owns the manager and all its scopes.</para>
/// </summary>
public sealed class ResourceManager
{
    private readonly ObserverHub _hub;
    private readonly SubnetConnLimiter _subnets;
    private readonly Dictionary<string, ResourceScope> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResourceScope> _protocols = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResourceScope> _peers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResourceScope> _byName = new(StringComparer.Ordinal);
    private long _connId;
    private long _streamId;

    /// <summary>Creates a manager with fixed limits (rcmgr <c>NewResourceManager(NewFixedLimiter(limits))</c>).</summary>
    /// <exception cref="InvalidInputException">When the subnet settings are invalid.</exception>
    public ResourceManager(ConcreteLimitConfig limits, ResourceManagerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        options ??= new ResourceManagerOptions();
        Limits = limits;
        _hub = new ObserverHub(options.Observer);
        _subnets = new SubnetConnLimiter(options.SubnetLimits);
        Allowlist = options.Allowlist ?? new Allowlist();

        System = Register(new ResourceScope("system", ScopeClass.System, limits.System, [], null, _hub));
        System.IncRef();
        Transient = Register(new ResourceScope("transient", ScopeClass.Transient, limits.Transient, [System], null, _hub));
        Transient.IncRef();
        AllowlistedSystem = Register(new ResourceScope("allowlistedSystem", ScopeClass.AllowlistedSystem, limits.AllowlistedSystem, [], null, _hub));
        AllowlistedSystem.IncRef();
        AllowlistedTransient = Register(new ResourceScope("allowlistedTransient", ScopeClass.AllowlistedTransient, limits.AllowlistedTransient, [AllowlistedSystem], null, _hub));
        AllowlistedTransient.IncRef();

        // rcmgr: allowlisted networks the conn limiter does not know get a prefix limit of AllowlistedSystem.Conns.
        foreach (var e in Allowlist.Entries)
            if (!_subnets.HasNetworkPrefix(e.Network))
                _subnets.AddNetworkPrefixLimit(new NetworkPrefixLimit(e.Network, limits.AllowlistedSystem.Conns));
    }

    /// <summary>The system scope.</summary>
    public ResourceScope System { get; }

    /// <summary>The transient scope.</summary>
    public ResourceScope Transient { get; }

    /// <summary>The allowlisted system scope.</summary>
    public ResourceScope AllowlistedSystem { get; }

    /// <summary>The allowlisted transient scope.</summary>
    public ResourceScope AllowlistedTransient { get; }

    /// <summary>Limits used for scopes created from now on (updated by <see cref="SetLimit"/>).</summary>
    public ConcreteLimitConfig Limits { get; private set; }

    /// <summary>The allowlist (may be changed at run time; see <see cref="ResourceManagerOptions.Allowlist"/>).</summary>
    public Allowlist Allowlist { get; }

    /// <summary>The per-subnet connection limiter.</summary>
    public SubnetConnLimiter SubnetLimiter => _subnets;

    /// <summary>Allowed/blocked counters per resource and scope class.</summary>
    public ResourceCounters Counters => _hub.Counters;

    /// <summary>Number of open connection and stream scopes.</summary>
    public int OpenScopeCount { get; private set; }

    // ------------------------------------------------------------------ connections

    /// <summary>
    /// Opens a connection scope (rcmgr <c>OpenConnection</c>): checks the subnet limit for <paramref name="endpoint"/>,
    /// then reserves one connection (and one FD if <paramref name="usesFd"/>) on the new <c>conn-N</c>, transient and
    /// system. If they refuse and the endpoint is allowlisted, retries against allowlistedTransient +
    /// allowlistedSystem.
    /// </summary>
    /// <exception cref="ResourceLimitExceededException">When refused; nothing is reserved.</exception>
    public ConnectionScope OpenConnection(Direction direction, bool usesFd, IPAddress? endpoint)
    {
        if (!TryOpenConnection(direction, usesFd, endpoint, out var conn, out var error)) throw error!;
        return conn!;
    }

    /// <summary>Non-throwing <see cref="OpenConnection"/>.</summary>
    public bool TryOpenConnection(Direction direction, bool usesFd, IPAddress? endpoint,
        out ConnectionScope? connection, out ResourceLimitExceededException? error)
    {
        connection = null;
        if (endpoint is not null)
        {
            endpoint = IpUtil.Normalize(endpoint);
            error = _subnets.TryAddConn(endpoint);
            if (error is not null)
            {
                _hub.Blocked(error);
                return false;
            }
        }

        var conn = NewConnection(direction, usesFd, endpoint, allowlisted: false);
        if (!conn.TryAddConn(direction, usesFd, out error) && endpoint is not null && Allowlist.Allowed(endpoint))
        {
            conn.Done(); // releases the subnet count, as in rcmgr: allowlisted conns are not subnet-counted
            conn = NewConnection(direction, usesFd, endpoint, allowlisted: true);
            conn.TryAddConn(direction, usesFd, out error);
        }

        connection = AdmitOrDrop(conn, error, ResourceKind.Connection);
        return connection is not null;
    }

    /// <summary>
    /// Ends a newly opened connection or stream scope: refused (<paramref name="error"/> set), it is done (releasing what
    /// it reserved), the block is reported and null returned; admitted, it is registered, counted as open and reported
    /// allowed.
    /// </summary>
    private T? AdmitOrDrop<T>(T scope, ResourceLimitExceededException? error, ResourceKind kind) where T : ResourceScope
    {
        if (error is not null)
        {
            scope.Done();
            _hub.Blocked(error);
            return null;
        }

        Register(scope);
        OpenScopeCount++;
        _hub.Allowed(kind, scope.Class);
        return scope;
    }

    private ConnectionScope NewConnection(Direction dir, bool usesFd, IPAddress? endpoint, bool allowlisted)
    {
        string name = "conn-" + (++_connId).ToString(CultureInfo.InvariantCulture);
        ResourceScope[] edges = allowlisted ? [AllowlistedTransient, AllowlistedSystem] : [Transient, System];
        return new ConnectionScope(this, name, Limits.Conn, edges, _hub, dir, usesFd, endpoint, allowlisted)
        {
            CountedInSubnet = endpoint is not null && !allowlisted,
        };
    }

    internal bool SetPeer(ConnectionScope conn, string peerId, out ResourceLimitExceededException? error)
    {
        conn.ThrowIfDone();
        if (conn.PeerId is not null)
            throw new InvalidOperationException($"{conn.Name}: connection scope already attached to a peer");
        PeerIds.Check(peerId, "peerId");

        var stat = conn.Stat;
        var system = conn.IsAllowlisted ? AllowlistedSystem : System;
        var transient = conn.IsAllowlisted ? AllowlistedTransient : Transient;
        bool transferred = false;
        if (conn.IsAllowlisted && (conn.Endpoint is null || !Allowlist.AllowedPeerAndAddress(peerId, conn.Endpoint)))
        {
            // rcmgr transferAllowedToStandard: an almost-allowlisted connection must not evade the transient scope.
            error = Move(conn, stat, [AllowlistedTransient, AllowlistedSystem], [System, Transient]);
            if (error is not null)
                return Block(error, conn);
            transferred = true;
            conn.IsAllowlisted = false;
            system = System;
            transient = Transient;
        }

        var peer = GetPeer(peerId);
        error = peer.ReserveForChild(stat);
        if (error is not null)
        {
            peer.DecRef();
            if (transferred)
            {
                Move(conn, stat, [System, Transient], [AllowlistedTransient, AllowlistedSystem], force: true);
                conn.IsAllowlisted = true;
            }

            return Block(error, conn);
        }

        transient.ReleaseForChild(stat);
        conn.SetEdges([peer, system]);
        transient.DecRef();
        conn.PeerId = peerId;
        _hub.Allowed(ResourceKind.Connection, ScopeClass.Peer);
        return true;
    }

    /// <summary>Moves a child's usage from <paramref name="from"/> edges to <paramref name="to"/> edges, all or nothing.</summary>
    private static ResourceLimitExceededException? Move(ResourceScope child, ScopeStat stat, ResourceScope[] from, ResourceScope[] to, bool force = false)
    {
        foreach (var s in from) s.ReleaseForChild(stat);
        int reserved = 0;
        ResourceLimitExceededException? err = null;
        foreach (var s in to)
        {
            if (force) s.ForceReserve(stat);
            else err = s.ReserveForChild(stat);
            if (err is not null) break;
            reserved++;
        }

        if (err is not null)
        {
            for (int i = 0; i < reserved; i++) to[i].ReleaseForChild(stat);
            foreach (var s in from) s.ForceReserve(stat);
            return err;
        }

        foreach (var s in to) s.IncRef();
        child.SetEdges(to);
        foreach (var s in from) s.DecRef();
        return null;
    }

    internal void OnConnectionDone(ConnectionScope conn)
    {
        if (conn.CountedInSubnet && conn.Endpoint is not null)
            _subnets.RemoveConn(conn.Endpoint);
        if (_byName.Remove(conn.Name))
            OpenScopeCount--;
    }

    // ------------------------------------------------------------------ streams

    /// <summary>
    /// Opens a stream scope to <paramref name="peerId"/> (rcmgr <c>OpenStream</c>): reserves one stream on the new
    /// <c>stream-N</c>, then on <c>peer:ID</c>, transient and system.
    /// </summary>
    /// <exception cref="ResourceLimitExceededException">When refused; nothing is reserved.</exception>
    /// <exception cref="InvalidInputException">When <paramref name="peerId"/> is invalid.</exception>
    public StreamScope OpenStream(string peerId, Direction direction)
    {
        if (!TryOpenStream(peerId, direction, out var stream, out var error)) throw error!;
        return stream!;
    }

    /// <summary>Non-throwing <see cref="OpenStream"/>.</summary>
    /// <exception cref="InvalidInputException">When <paramref name="peerId"/> is invalid.</exception>
    public bool TryOpenStream(string peerId, Direction direction, out StreamScope? stream, out ResourceLimitExceededException? error)
    {
        PeerIds.Check(peerId, "peerId");
        stream = null;
        var peer = GetPeer(peerId);
        string name = "stream-" + (++_streamId).ToString(CultureInfo.InvariantCulture);
        var s = new StreamScope(this, name, Limits.Stream, [peer, Transient, System], _hub, direction, peerId) { PeerScope = peer };
        peer.DecRef(); // the stream's edge holds the reference
        s.TryAddStream(direction, out error); // error is null exactly when it succeeded
        stream = AdmitOrDrop(s, error, ResourceKind.Stream);
        return stream is not null;
    }

    internal bool SetProtocol(StreamScope stream, string protocol, out ResourceLimitExceededException? error)
    {
        stream.ThrowIfDone();
        if (stream.Protocol is not null)
            throw new InvalidOperationException($"{stream.Name}: stream scope already attached to a protocol");
        PeerIds.Check(protocol, "protocol");

        var stat = stream.Stat;
        var proto = GetKeyed(_protocols, protocol, "protocol:", ScopeClass.Protocol, Limits.GetProtocolLimits(protocol), [System]);
        error = ReserveKeyedAndSubPeer(proto, ScopeClass.ProtocolPeer, Limits.GetProtocolPeerLimits(protocol), stream.PeerId, stat, out var protoPeer);
        if (error is not null) return Block(error, stream);

        Transient.ReleaseForChild(stat);
        stream.SetEdges([stream.PeerScope, protoPeer, proto, System]);
        Transient.DecRef();
        stream.Protocol = protocol;
        stream.ProtocolScope = proto;
        stream.ProtocolPeerScope = protoPeer;
        _hub.Allowed(ResourceKind.Stream, ScopeClass.Protocol);
        return true;
    }

    internal bool SetService(StreamScope stream, string service, out ResourceLimitExceededException? error)
    {
        stream.ThrowIfDone();
        if (stream.Service is not null)
            throw new InvalidOperationException($"{stream.Name}: stream scope already attached to a service");
        if (stream.ProtocolScope is null)
            throw new InvalidOperationException($"{stream.Name}: stream scope not attached to a protocol");
        PeerIds.Check(service, "service");

        var stat = stream.Stat;
        var svc = GetKeyed(_services, service, "svc:", ScopeClass.Service, Limits.GetServiceLimits(service), [System]);
        error = ReserveKeyedAndSubPeer(svc, ScopeClass.ServicePeer, Limits.GetServicePeerLimits(service), stream.PeerId, stat, out var svcPeer);
        if (error is not null) return Block(error, stream);

        stream.SetEdges([stream.PeerScope, stream.ProtocolPeerScope!, svcPeer, stream.ProtocolScope, svc, System]);
        stream.Service = service;
        _hub.Allowed(ResourceKind.Stream, ScopeClass.Service);
        return true;
    }

    /// <summary>
    /// Reserves a stream's usage <paramref name="stat"/> on <paramref name="keyed"/> (a protocol or service scope the
    /// caller has just referenced) and then on its sub-peer scope for <paramref name="peerId"/>: all or nothing. On
    /// success <paramref name="sub"/> is the referenced sub-peer scope; on refusal (the error returned) nothing stays
    /// reserved and neither scope keeps the reference taken for the stream.
    /// </summary>
    private ResourceLimitExceededException? ReserveKeyedAndSubPeer(ResourceScope keyed, ScopeClass subClass, BaseLimit subLimit, string peerId,
        in ScopeStat stat, out ResourceScope sub)
    {
        sub = null!;
        var error = keyed.ReserveForChild(stat);
        if (error is not null)
        {
            keyed.DecRef();
            return error;
        }

        var subPeer = GetSubPeer(keyed, peerId, subClass, subLimit);
        error = subPeer.ReserveForChild(stat);
        if (error is not null)
        {
            keyed.ReleaseForChild(stat);
            keyed.DecRef();
            subPeer.DecRef();
            return error;
        }

        sub = subPeer;
        return null;
    }

    internal void OnStreamDone(StreamScope stream)
    {
        if (_byName.Remove(stream.Name))
            OpenScopeCount--;
    }

    private bool Block(ResourceLimitExceededException error, ResourceScope requester)
    {
        error.RequestingScope ??= requester.Name;
        _hub.Blocked(error);
        return false;
    }

    // ------------------------------------------------------------------ keyed scopes

    private ResourceScope GetPeer(string peerId) =>
        GetKeyed(_peers, peerId, "peer:", ScopeClass.Peer, Limits.GetPeerLimits(peerId), [System]);

    /// <summary>Gets or creates a service / protocol / peer scope and takes a reference on it.</summary>
    private ResourceScope GetKeyed(Dictionary<string, ResourceScope> map, string key, string prefix, ScopeClass cls, BaseLimit limit, ResourceScope[] edges)
    {
        if (!map.TryGetValue(key, out var s))
        {
            s = new ResourceScope(prefix + key, cls, limit, edges, null, _hub) { Key = key };
            s.IdleCheck = x => RemoveIfIdle(map, key, x);
            map[key] = s;
            Register(s);
        }

        s.IncRef();
        return s;
    }

    /// <summary>Gets or creates <c>PARENT.peer:ID</c> (no edges, as in rcmgr) and takes a reference on it.</summary>
    private ResourceScope GetSubPeer(ResourceScope parent, string peerId, ScopeClass cls, BaseLimit limit)
    {
        string name = parent.Name + ".peer:" + peerId;
        if (!_byName.TryGetValue(name, out var s))
        {
            s = new ResourceScope(name, cls, limit, [], null, _hub) { Key = peerId };
            s.IdleCheck = x => RemoveIfIdle(null, null, x);
            Register(s);
        }

        s.IncRef();
        return s;
    }

    private void RemoveIfIdle(Dictionary<string, ResourceScope>? map, string? key, ResourceScope s)
    {
        if (!s.IsUnused || s.IsDone) return;
        map?.Remove(key!);
        _byName.Remove(s.Name);
        s.IdleCheck = null;
        s.Done();
    }

    private T Register<T>(T scope) where T : ResourceScope
    {
        _byName[scope.Name] = scope;
        return scope;
    }

    // ------------------------------------------------------------------ views and stats

    /// <summary>Runs <paramref name="f"/> on the system scope (rcmgr <c>ViewSystem</c>).</summary>
    public T ViewSystem<T>(Func<ResourceScope, T> f) => f(System);

    /// <summary>Runs <paramref name="f"/> on the transient scope.</summary>
    public T ViewTransient<T>(Func<ResourceScope, T> f) => f(Transient);

    /// <summary>Runs <paramref name="f"/> on <c>svc:NAME</c>, creating it if needed and dropping it afterwards if idle.</summary>
    /// <exception cref="InvalidInputException">When <paramref name="service"/> is invalid.</exception>
    public T ViewService<T>(string service, Func<ResourceScope, T> f) =>
        View(GetKeyed(_services, PeerIds.Check(service, "service"), "svc:", ScopeClass.Service, Limits.GetServiceLimits(service), [System]), f);

    /// <summary>Runs <paramref name="f"/> on <c>protocol:ID</c>, creating it if needed and dropping it afterwards if idle.</summary>
    /// <exception cref="InvalidInputException">When <paramref name="protocol"/> is invalid.</exception>
    public T ViewProtocol<T>(string protocol, Func<ResourceScope, T> f) =>
        View(GetKeyed(_protocols, PeerIds.Check(protocol, "protocol"), "protocol:", ScopeClass.Protocol, Limits.GetProtocolLimits(protocol), [System]), f);

    /// <summary>Runs <paramref name="f"/> on <c>peer:ID</c>, creating it if needed and dropping it afterwards if idle.</summary>
    /// <exception cref="InvalidInputException">When <paramref name="peerId"/> is invalid.</exception>
    public T ViewPeer<T>(string peerId, Func<ResourceScope, T> f) => View(GetPeer(PeerIds.Check(peerId, "peerId")), f);

    private static T View<T>(ResourceScope s, Func<ResourceScope, T> f)
    {
        try
        {
            return f(s);
        }
        finally
        {
            s.DecRef();
        }
    }

    /// <summary>Live service names, sorted.</summary>
    public IReadOnlyList<string> ListServices() => _services.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Live protocol ids, sorted.</summary>
    public IReadOnlyList<string> ListProtocols() => _protocols.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Live peer ids, sorted.</summary>
    public IReadOnlyList<string> ListPeers() => _peers.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Usage of system, transient and every live service, protocol and peer (rcmgr <c>Stat</c>).</summary>
    public ResourceManagerStat Stat() => new(
        System.Stat,
        Transient.Stat,
        _services.ToDictionary(kv => kv.Key, kv => kv.Value.Stat, StringComparer.Ordinal),
        _protocols.ToDictionary(kv => kv.Key, kv => kv.Value.Stat, StringComparer.Ordinal),
        _peers.ToDictionary(kv => kv.Key, kv => kv.Value.Stat, StringComparer.Ordinal));

    /// <summary>Finds a live scope by name (any class except spans), e.g. <c>peer:QmX</c>, <c>svc:dht.peer:QmX</c>, <c>stream-4</c>.</summary>
    public bool TryGetScope(string name, out ResourceScope scope) => _byName.TryGetValue(name, out scope!);

    /// <summary>Names of all live scopes (spans excluded), sorted.</summary>
    public IReadOnlyList<string> ScopeNames() => _byName.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Usage of a live scope, or null if no scope of that name is live.</summary>
    public ScopeStat? StatOf(string name) => _byName.TryGetValue(name, out var s) ? s.Stat : null;

    // ------------------------------------------------------------------ limits at run time

    /// <summary>
    /// Sets the limit of scope <paramref name="scopeName"/> at run time (rcmgr <c>ResourceScopeLimiter.SetLimit</c>).
    /// For <c>system</c>, <c>transient</c>, <c>allowlistedSystem</c>, <c>allowlistedTransient</c>, <c>svc:NAME</c>,
    /// <c>protocol:ID</c> and <c>peer:ID</c> the limit is also recorded in <see cref="Limits"/>, so it applies to
    /// the scope even if it is created later; service-peer, protocol-peer, connection and stream scopes must be live.
    /// Current usage above the new limit is kept; only new reservations are refused.
    /// </summary>
    /// <exception cref="InvalidInputException">Field <c>scopeName</c> when no such scope can be addressed.</exception>
    public void SetLimit(string scopeName, BaseLimit limit)
    {
        ArgumentNullException.ThrowIfNull(scopeName);
        _byName.TryGetValue(scopeName, out var live);
        var cls = live?.Class;
        switch (scopeName)
        {
            case "system": Limits = Limits with { System = limit }; break;
            case "transient": Limits = Limits with { Transient = limit }; break;
            case "allowlistedSystem": Limits = Limits with { AllowlistedSystem = limit }; break;
            case "allowlistedTransient": Limits = Limits with { AllowlistedTransient = limit }; break;
            default:
                if (live is not null && cls is ScopeClass.Service or ScopeClass.Protocol or ScopeClass.Peer)
                    Limits = WithKeyed(cls.Value, live.Key!, limit);
                else if (live is null && ParseKeyed(scopeName) is { } k)
                    Limits = WithKeyed(k.Class, k.Key, limit);
                else if (live is null)
                    throw new InvalidInputException("scopeName", $"no live scope named '{scopeName}' (service-peer, protocol-peer, connection and stream scopes must be live)");
                break;
        }

        if (live is not null)
            live.Limit = limit;
    }

    private static (ScopeClass Class, string Key)? ParseKeyed(string name)
    {
        if (name.StartsWith("svc:", StringComparison.Ordinal) && name.Length > 4 && !name.Contains(".peer:", StringComparison.Ordinal))
            return (ScopeClass.Service, name[4..]);
        if (name.StartsWith("protocol:", StringComparison.Ordinal) && name.Length > 9 && !name.Contains(".peer:", StringComparison.Ordinal))
            return (ScopeClass.Protocol, name[9..]);
        if (name.StartsWith("peer:", StringComparison.Ordinal) && name.Length > 5 && !name.Contains(".span-", StringComparison.Ordinal))
            return (ScopeClass.Peer, name[5..]);
        return null;
    }

    private ConcreteLimitConfig WithKeyed(ScopeClass cls, string key, BaseLimit limit)
    {
        static Dictionary<string, BaseLimit> Put(IReadOnlyDictionary<string, BaseLimit> m, string k, BaseLimit v) =>
            new(m, StringComparer.Ordinal) { [k] = v };
        return cls switch
        {
            ScopeClass.Service => Limits with { Service = Put(Limits.Service, key, limit) },
            ScopeClass.Protocol => Limits with { Protocol = Put(Limits.Protocol, key, limit) },
            _ => Limits with { Peer = Put(Limits.Peer, key, limit) },
        };
    }
}
