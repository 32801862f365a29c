using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;

namespace PeerActors.Limits;

/// <summary>
/// The root of the limit-actor hierarchy, registered under <c>PeerActors.Hosting.LimitsKey</c>. It owns the counters
/// of <c>system</c>, <c>transient</c>, <c>allowlistedSystem</c>, <c>allowlistedTransient</c> and every connection
/// scope <c>conn-N</c> (and their spans), the per-subnet limiter and the allowlist, and it decides on them
/// atomically. Its children — one <c>PeerScopeActor</c> per live <c>peer:ID</c> (owning that peer's streams), one
/// <c>KeyedScopeActor</c> per live <c>svc:NAME</c> / <c>protocol:ID</c> (owning its service-/protocol-peer scopes) —
/// are created on demand and stopped when idle and empty.
/// <para><b>Reservation protocol</b> (who reserves what, in which order):</para>
/// <list type="bullet">
/// <item>OpenConnection (root only): subnet limiter → conn-N → transient → system; if refused and the endpoint is
/// allowlisted: conn-N → allowlistedTransient → allowlistedSystem.</item>
/// <item>SetPeer: the root sends a chain to the peer actor (peer:ID); on success it releases transient (and, for a
/// connection that was allowlisted but whose peer is not, first reserves system+transient and releases the
/// allowlisted pair); on refusal nothing changes.</item>
/// <item>OpenStream: root reserves transient → system, then forwards to the peer actor, which reserves stream-N →
/// peer:ID; on refusal the peer tells the root to release transient + system. With a protocol (combined open): root
/// checks transient and reserves system, then one chain protocol actor (protocol:X, protocol:X.peer:ID) → service
/// actor (svc:S, svc:S.peer:ID) → peer actor (stream-N, peer:ID), which answers the client: 5 messages with the
/// request and the answer; a refusing leg rolls back the legs before it and reports to the root.</item>
/// <item>SetProtocol / SetService / Close of a stream: sent by the client straight to the stream's owner, the peer
/// actor (<c>StreamHandle.Owner</c>), which runs a chain through the protocol / service actor whose reference the root
/// leased to it (see <c>PeerScopeActor</c>). A close (answered or one-way, <c>CloseStreamOneWay</c>) sends the root
/// one <c>StreamReleased</c>: system (and transient) at once, the protocol / service releases held until a combined
/// open's chain goes there, the root sends that actor anything, the actor asks for them before refusing a peer's chain
/// (<c>RecheckRequest</c>), or <c>LimitsOptions.HeldReleaseDelay</c> passes.</item>
/// <item>ReserveMemory on any scope: the owning actor reserves on the scope and its local edges, then chains through
/// the remote edges (peer → protocol actor → service actor → root); refusals roll back every earlier leg.</item>
/// </list>
/// When several scopes would refuse, the error names the first in this order, which can differ from rcmgr's
/// (rcmgr checks the stream, then peer, transient, system).
/// <para><b>Idle handshake</b> (no message is ever lost to a stopped child): the root counts every message it sends
/// (or ticket it hands out) to a child; on each sweep it probes the children not known to be idle, and a child answers
/// <c>IdleNotice(n)</c> only when idle after n of them. The root stops a child only if n still equals its own count and
/// no live peer actor holds the child's reference (a <em>lease</em>, taken when the root gives a peer actor a protocol /
/// service actor's reference, dropped when that peer actor is stopped). Requests reaching a peer actor directly are
/// always for one of its streams: a live stream keeps its peer actor busy (never stopped), and a request for a closed
/// stream whose actor was stopped is answered from dead letters (<c>ClosedScopeResponder</c>).</para>
/// <para><b>Bans and standing</b> come from the node's selector (<c>SubscribeSelectorFeed</c>: bans only, or every
/// update when a reputation policy is configured), which first sends what it holds: a ban published before this node
/// started is enforced at once. Any <c>PeerScoreInputs</c> sent to the root directly is applied the same way.</para>
/// </summary>
internal sealed class LimitsRootActor : ScopeOwnerActor, IWithTimers
{
    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    private readonly LimitScope _system, _transient, _alSystem, _alTransient;
    private readonly Dictionary<string, Child> _children = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, Child> _byActor = new(); // the same children by actor: one lookup per message from or about a child

    // The same children by kind and bare id, so the per-stream paths find them without building a "peer:ID" key.
    private readonly Dictionary<string, Child> _peers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Child> _protocols = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Child> _services = new(StringComparer.Ordinal);
    private readonly IActorRef _self;
    private readonly SubnetConnLimiter _subnets;
    private readonly Allowlist _allowlist;
    private readonly Leg[] _noLegs = [];
    private ConcreteLimitConfig _limits;
    private LimitLayers _layers;
    private readonly string? _setFile;
    private readonly PeerStanding _standing;
    private long _connSeq, _streamSeq, _childSeq;

    private sealed class Child(IActorRef actor, Dictionary<string, Child> byId, string id)
    {
        public readonly IActorRef Actor = actor;

        /// <summary>The by-kind index holding this child (<c>_peers</c>, <c>_protocols</c> or <c>_services</c>) under <see cref="Id"/>.</summary>
        public readonly Dictionary<string, Child> ById = byId;

        public readonly string Id = id;
        public long Sent;
        public long IdleAt = -1;
        public BaseLimit PeerLimit; // peer children: the limit last given (reputation policy)

        /// <summary>Keyed children: how many live peer children hold this actor's reference; never stopped while &gt; 0.</summary>
        public int Leases;

        /// <summary>Peer children: the keyed children whose references this peer holds (a handful: its protocols and services).</summary>
        public List<Child>? Leased;

        /// <summary>
        /// Peer children: the chain leg of a combined open through each leased keyed child (its scope and this peer's
        /// sub-scope, a ticket), built once per lease rather than per open.
        /// </summary>
        public Dictionary<Child, Leg>? OpenLegs;

        /// <summary>Keyed children: releases of closed streams not sent yet (<see cref="HeldReleases"/>); null until the first.</summary>
        public HeldReleases.Slot? Held;
    }

    /// <summary>Root → itself, <see cref="LimitsOptions.HeldReleaseDelay"/> after a release was first held: send what is held.</summary>
    private sealed class FlushReleases
    {
        public static readonly FlushReleases Instance = new();
    }

    private readonly HeldReleases _held;

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }

    private readonly TimeSpan _idleSweep;
    private ICancelable? _sweepTimer;

    private sealed class ConnInfo
    {
        public Direction Direction;
        public bool UsesFd;
        public IPAddress? Endpoint;
        public bool CountedInSubnet;
        public bool Allowlisted;
        public string? PeerId;
    }

    public LimitsRootActor(LimitLayers layers, Allowlist allowlist, SubnetLimitSettings subnets, LimitsMetrics metrics, TimeSpan idleSweep,
        TimeProvider? time = null, string? setFile = null, ReputationLimitPolicy? policy = null, TimeSpan? heldReleaseDelay = null) : base(metrics)
    {
        _self = Self;
        _held = new HeldReleases(heldReleaseDelay ?? TimeSpan.FromMilliseconds(10));
        _standing = new PeerStanding(policy, time ?? TimeProvider.System);
        _layers = layers;
        _setFile = setFile;
        var limits = layers.Effective;
        _idleSweep = idleSweep;
        _limits = limits;
        _allowlist = allowlist;
        _subnets = new SubnetConnLimiter(subnets);
        foreach (var e in allowlist.Entries)
            if (!_subnets.HasNetworkPrefix(e.Network))
                _subnets.AddNetworkPrefixLimit(new NetworkPrefixLimit(e.Network, limits.AllowlistedSystem.Conns));
        _system = Add(new LimitScope("system", ScopeClass.System, limits.System));
        _transient = Add(new LimitScope("transient", ScopeClass.Transient, limits.Transient) { LocalEdges = [_system] });
        _alSystem = Add(new LimitScope("allowlistedSystem", ScopeClass.AllowlistedSystem, limits.AllowlistedSystem));
        _alTransient = Add(new LimitScope("allowlistedTransient", ScopeClass.AllowlistedTransient, limits.AllowlistedTransient) { LocalEdges = [_alSystem] });
        metrics.SetUsageSource(Usage);
    }

    public static Props Props(LimitLayers layers, Allowlist allowlist, SubnetLimitSettings subnets, LimitsMetrics metrics, TimeSpan idleSweep,
        TimeProvider? time = null, string? setFile = null, ReputationLimitPolicy? policy = null, TimeSpan? heldReleaseDelay = null) =>
        Akka.Actor.Props.Create(() => new LimitsRootActor(layers, allowlist, subnets, metrics, idleSweep, time, setFile, policy, heldReleaseDelay));

    protected override void PreStart()
    {
        Context.ActorOf(ClosedScopeResponder.Props(Self.Path), "closed-scopes");
        _sweepTimer = Context.System.Scheduler.ScheduleTellRepeatedlyCancelable(_idleSweep, _idleSweep, Self, Sweep.Instance, Self);
        // Bans (and, with a reputation policy, every peer's standing) come from the node's selector, never by asking a
        // peer actor: it relays what it applies and first sends what it holds, so bans survive a restart of this node.
        // Whichever of the two starts second makes the subscription.
        Context.System.EventStream.Subscribe(Self, typeof(Selection.SelectorFeedAvailable));
        Context.System.EventStream.Publish(FeedSubscription);
    }

    protected override void PostStop()
    {
        _sweepTimer?.Cancel();
        Context.System.EventStream.Unsubscribe(Self);
    }

    private Selection.SubscribeSelectorFeed FeedSubscription => new(Self, BansOnly: _standing.Policy is null);

    protected override bool IsChild => false;

    private LimitScope Add(LimitScope s)
    {
        Scopes[s.Name] = s;
        return s;
    }

    private IEnumerable<Measurement<long>> Usage()
    {
        foreach (var s in new[] { _system, _transient })
        {
            var scope = new KeyValuePair<string, object?>("scope", s.Name);
            var u = s.ReadStat();
            yield return new Measurement<long>(u.Memory, scope, new("resource", "memory"));
            yield return new Measurement<long>(u.NumStreamsInbound, scope, new("resource", "streams_inbound"));
            yield return new Measurement<long>(u.NumStreamsOutbound, scope, new("resource", "streams_outbound"));
            yield return new Measurement<long>(u.NumConnsInbound, scope, new("resource", "conns_inbound"));
            yield return new Measurement<long>(u.NumConnsOutbound, scope, new("resource", "conns_outbound"));
            yield return new Measurement<long>(u.NumFD, scope, new("resource", "fd"));
        }
    }

    protected override void Dispatch(object message, IActorRef replyTo)
    {
        switch (message)
        {
            case ChainRelease: base.Dispatch(message, replyTo); break; // two per stream cycle: skip the type tests below
            case OpenStream m: OnOpenStream(m, replyTo); break;
            case SetProtocol m: OnSetProtocol(m, replyTo); break;
            case SetService m: OnSetService(m, replyTo); break;
            case CloseStreamOneWay m: RouteToStreamOwner(m.Stream?.Owner, m, ActorRefs.Nobody); break;
            case OpenConnection m: OnOpenConnection(m, replyTo); break;
            case SetPeer m: OnSetPeer(m, replyTo); break;
            case IdleNotice m: OnIdle(m); break;
            case LeaseAndReserve m: OnLeaseAndReserve(m); break;
            case OpenRefused m: OnOpenRefused(m); break;
            case StreamReleased m: OnStreamReleased(m); break;
            case RecheckRequest m: OnRecheck(m); break;
            case FlushReleases: _held.OnTimer(); break;
            case Selection.PeerScoreInputs m: _standing.Apply(m); break;
            case Selection.PeerScoreInputsBatch b:
                foreach (var m in b.Updates) _standing.Apply(m);
                break;
            case Selection.SelectorFeedSnapshot f:
                foreach (var m in f.Inputs) _standing.Apply(m);
                break;
            case Selection.SelectorFeedAvailable a: a.Selector.Tell(FeedSubscription); break;
            case ListBans m: replyTo.Tell(new BanListReply(_standing.ActiveBans(_standing.Now(m.Now)))); break;
            case ExplainPeerLimit m: OnExplain(m, replyTo); break;
            case Sweep: OnSweep(); break;
            case SetLimit m: OnSetLimit(m, replyTo); break;
            case GetLimits: replyTo.Tell(new LimitsConfigReply(_limits, _layers, _setFile)); break;
            case ChangeLimit m: OnChangeLimit(m, replyTo); break;
            case ListServices: Collect("svc:", replyTo); break;
            case ListProtocols: Collect("protocol:", replyTo); break;
            case ListPeers: Collect("peer:", replyTo); break;
            case ReserveMemory m when Route(m.Scope, m, replyTo, create: true): break;
            case ReleaseMemory m when Route(m.Scope, m, replyTo, create: false): break;
            case BeginSpan m when Route(m.Scope, m, replyTo, create: true): break;
            case Done m when Route(m.Span, m, replyTo, create: false): break;
            case Close m when Route(m.Scope, m, replyTo, create: false): break;
            case GetStat m when Route(m.Scope, m, replyTo, create: false): break;
            default: base.Dispatch(message, replyTo); break;
        }
    }

    // ------------------------------------------------------------------ children

    /// <summary>The child key (<c>peer:X</c>, <c>svc:X</c>, <c>protocol:X</c>) owning scope <paramref name="name"/>, or null for the root's own scopes.</summary>
    private static string? ChildKey(string name)
    {
        int span = name.IndexOf(".span-", StringComparison.Ordinal);
        string baseName = span >= 0 ? name[..span] : name;
        if (baseName.StartsWith("peer:", StringComparison.Ordinal)) return baseName;
        if (baseName.StartsWith("svc:", StringComparison.Ordinal) || baseName.StartsWith("protocol:", StringComparison.Ordinal))
        {
            int sub = baseName.IndexOf(".peer:", StringComparison.Ordinal);
            return sub >= 0 ? baseName[..sub] : baseName;
        }

        return null;
    }

    private Child? GetChild(string key, bool create)
    {
        if (_children.TryGetValue(key, out var c)) return c;
        if (!create) return null;
        Props props;
        string actorName, id;
        Dictionary<string, Child> byId;
        string seq = (++_childSeq).ToString(CultureInfo.InvariantCulture);
        if (key.StartsWith("peer:", StringComparison.Ordinal))
        {
            id = key[5..];
            props = PeerScopeActor.Props(id, PeerLimit(id, _standing.Now()), Metrics);
            actorName = "peer-" + seq;
            byId = _peers;
        }
        else if (key.StartsWith("svc:", StringComparison.Ordinal))
        {
            id = key[4..];
            props = KeyedScopeActor.Props(ScopeClass.Service, id, _limits.GetServiceLimits(id), _limits.GetServicePeerLimits(id), Metrics);
            actorName = "svc-" + seq;
            byId = _services;
        }
        else
        {
            id = key[9..];
            props = KeyedScopeActor.Props(ScopeClass.Protocol, id, _limits.GetProtocolLimits(id), _limits.GetProtocolPeerLimits(id), Metrics);
            actorName = "protocol-" + seq;
            byId = _protocols;
        }

        c = new Child(Context.ActorOf(props, actorName), byId, id);
        if (byId == _peers) c.PeerLimit = PeerLimit(id, _standing.Now());
        _children[key] = c;
        _byActor[c.Actor] = c;
        byId[id] = c;
        return c;
    }

    /// <summary>The live child of <paramref name="byId"/> for <paramref name="id"/>, created when missing (<paramref name="prefix"/> + id is its key).</summary>
    private Child ChildOf(Dictionary<string, Child> byId, string prefix, string id) =>
        byId.TryGetValue(id, out var c) ? c : GetChild(prefix + id, create: true)!;

    private void Send(Child c, object message)
    {
        _held.Flush(c.Held); // what the child answers must not miss a release the root holds
        c.Sent++;
        c.Actor.Tell(message);
    }

    /// <summary>
    /// A closed stream's releases: the root's own at once; each protocol / service actor's held (summed with earlier
    /// ones for it, <see cref="HeldReleases"/>) until a combined open's chain goes there (they ride on it), the root
    /// sends that actor anything else, or <see cref="LimitsOptions.HeldReleaseDelay"/> has passed (<see cref="FlushReleases"/>):
    /// under load the releases ride on the opens' chains or many closes share one message. Holding only delays a
    /// release (never over-committing), and a protocol / service actor about to refuse a chain that did not come
    /// through the root asks for them first (<see cref="OnRecheck"/>), so nothing is refused for a held release.
    /// </summary>
    private void OnStreamReleased(StreamReleased m)
    {
        foreach (var leg in m.Legs)
        {
            if (ReferenceEquals(leg.Actor, _self) || leg.Actor.Equals(_self))
            {
                ReleaseNamed(m.Delta, leg.Scopes);
                continue;
            }

            if (!_byActor.TryGetValue(leg.Actor, out var c))
            {
                leg.Actor.Tell(new ChainRelease(m.Delta, leg.Scopes)); // not a child the root knows: no batching
                continue;
            }

            _held.Hold(c.Held ??= new HeldReleases.Slot(c.Actor), leg.Scopes, m.Delta);
        }

        if (_held.NeedsTimer())
            Timers.StartSingleTimer(FlushReleases.Instance, FlushReleases.Instance, _held.Delay);
    }

    /// <summary>A keyed actor would refuse a peer's chain: send it what the root holds for it (Send does), then the chain again.</summary>
    private void OnRecheck(RecheckRequest m)
    {
        var again = new Recheck(m.Chain with { Rechecked = true });
        if (_byActor.TryGetValue(Sender, out var c))
            Send(c, again);
        else
            Sender.Tell(again); // not a live child (never expected: it is waiting for this); nothing is held for it
    }

    private void OnIdle(IdleNotice m)
    {
        if (_byActor.TryGetValue(Sender, out var c))
            c.IdleAt = m.FromRoot;
    }

    /// <summary>
    /// Stops children that answered a probe idle, to which nothing was sent since (their count still matches) and whose
    /// reference no live peer actor holds (no lease), so no message sent by the root or by a peer actor is ever lost;
    /// probes the others. Probing once per sweep (rather than a notice each time a child turns idle) costs one message
    /// per child per interval instead of one per stream cycle, and lets a busy peer's actor linger between streams.
    /// </summary>
    private void OnSweep()
    {
        List<string>? stop = null;
        _held.FlushAll(); // a child holding usage released meanwhile is probed below, after the release
        foreach (var (key, c) in _children)
        {
            if (c.IdleAt == c.Sent)
            {
                if (c.Leases == 0) (stop ??= new List<string>()).Add(key);
            }
            else
            {
                Send(c, IdleProbe.Instance);
            }
        }

        if (stop is null) return;
        foreach (var key in stop)
        {
            var c = _children[key];
            _children.Remove(key);
            _byActor.Remove(c.Actor);
            c.ById.Remove(c.Id);
            Context.Stop(c.Actor);
            if (c.Leased is null) continue;
            foreach (var k in c.Leased)
                if (--k.Leases == 0)
                    k.IdleAt = -1; // chains of that peer reached it without the root: ask again before stopping it
        }
    }

    /// <summary>
    /// Leases <paramref name="keyed"/> to <paramref name="peer"/> (see <see cref="Lease"/>) and returns the leg of a
    /// combined open through it: the keyed scope, then the peer's sub-scope (<c>protocol:X</c>, <c>protocol:X.peer:P</c>).
    /// </summary>
    private static Leg OpenLeg(Child peer, Child keyed, string prefix)
    {
        Lease(peer, keyed);
        var legs = peer.OpenLegs ??= new Dictionary<Child, Leg>(4);
        if (!legs.TryGetValue(keyed, out var leg))
        {
            string main = prefix + keyed.Id;
            legs[keyed] = leg = new Leg(keyed.Actor, [main, main + ".peer:" + peer.Id], Ticket: true);
        }

        return leg;
    }

    /// <summary>Records that the actor of <paramref name="peer"/> holds the reference of <paramref name="keyed"/> (until it is stopped).</summary>
    private static void Lease(Child peer, Child keyed)
    {
        var leased = peer.Leased ??= new List<Child>(4);
        foreach (var k in leased)
            if (ReferenceEquals(k, keyed))
                return;
        leased.Add(keyed);
        keyed.Leases++;
    }

    /// <summary>
    /// A peer actor's first chain to a protocol / service actor: lease that actor to the peer, tell it the reference
    /// (before the chain can answer), and forward the chain to the keyed actor as a ticket.
    /// </summary>
    private void OnLeaseAndReserve(LeaseAndReserve m)
    {
        var peerActor = Sender;
        var keyed = m.Kind == ScopeClass.Protocol ? ChildOf(_protocols, "protocol:", m.Id) : ChildOf(_services, "svc:", m.Id);
        // The sender has a chain pending, so it is not idle and still registered; checked anyway.
        if (_byActor.TryGetValue(peerActor, out var peer)) Lease(peer, keyed);
        peerActor.Tell(new Leased(m.Kind, m.Id, keyed.Actor, m.Scopes));
        _held.Flush(keyed.Held); // the chain must see the releases the root holds for it
        keyed.Sent++; // ticket: the chain reaches it exactly once
        keyed.Actor.Tell(new ChainReserve(m.Delta, m.Priority, [new Leg(keyed.Actor, m.Scopes, Ticket: true)], 0, peerActor, m.Token));
    }

    /// <summary>Routes a scope-addressed request to the owning child; returns false when the root owns the scope.</summary>
    private bool Route(ScopeRef scope, object message, IActorRef replyTo, bool create)
    {
        string name = scope.Name ?? "";
        if (name.StartsWith("stream-", StringComparison.Ordinal))
        {
            // Streams live in their peer actor; route only while that actor is live (else the stream is closed).
            if (scope.Owner is null)
                replyTo.Tell(new LimitsFailure("scope", $"{name}: address stream scopes by their StreamHandle (owner actor)"));
            else
                RouteToStreamOwner(scope.Owner, message, replyTo);
            return true;
        }

        if (ChildKey(name) is not { } key) return false;
        if (!ValidKey(key, replyTo)) return true;
        var c = GetChild(key, create);
        if (c is null)
        {
            replyTo.Tell(message switch
            {
                GetStat => new ScopeStatReply(name, default, LimitOfMissing(name)),
                ReleaseMemory or Done => LimitsAck.Instance,
                _ => new LimitsFailure("scope", $"{name}: resource scope closed"),
            });
            return true;
        }

        Send(c, new Routed(message, replyTo));
        return true;
    }

    /// <summary>Routes a stream-addressed request to its owner while that actor is live, else answers as for a closed stream.</summary>
    private void RouteToStreamOwner(IActorRef? owner, object message, IActorRef replyTo)
    {
        if (owner is not null && _byActor.TryGetValue(owner, out var oc))
            Send(oc, new Routed(message, replyTo));
        else
            replyTo.Tell(ClosedScope.Reply(message));
    }

    private bool ValidKey(string key, IActorRef replyTo)
    {
        int colon = key.IndexOf(':');
        try
        {
            LimitsIds.Check(key[(colon + 1)..], "scope");
            return true;
        }
        catch (InvalidInputException e)
        {
            replyTo.Tell(new LimitsFailure(e.Field, e.Message));
            return false;
        }
    }

    private BaseLimit LimitOfMissing(string name)
    {
        if (name.StartsWith("peer:", StringComparison.Ordinal)) return _limits.GetPeerLimits(name[5..]);
        bool svc = name.StartsWith("svc:", StringComparison.Ordinal);
        int sub = name.IndexOf(".peer:", StringComparison.Ordinal);
        string key = svc ? (sub >= 0 ? name[4..sub] : name[4..]) : (sub >= 0 ? name[9..sub] : name[9..]);
        return (svc, sub >= 0) switch
        {
            (true, false) => _limits.GetServiceLimits(key),
            (true, true) => _limits.GetServicePeerLimits(key),
            (false, false) => _limits.GetProtocolLimits(key),
            _ => _limits.GetProtocolPeerLimits(key),
        };
    }

    private static bool Fail(IActorRef replyTo, string field, string message)
    {
        replyTo.Tell(new LimitsFailure(field, message));
        return true;
    }

    private static bool CheckId(string? id, string field, IActorRef replyTo) => LimitsIds.Check(id, field, replyTo);

    // ------------------------------------------------------------------ streams

    private static readonly ScopeStat InStream = new(0, 1, 0, 0, 0, 0);
    private static readonly ScopeStat OutStream = new(0, 0, 1, 0, 0, 0);

    /// <summary>The limit <c>peer:ID</c> gets at <paramref name="now"/> (<see cref="PeerStanding.PeerLimit"/>).</summary>
    private BaseLimit PeerLimit(string id, DateTimeOffset now) => _standing.PeerLimit(id, now, _limits, _layers).Limit;

    /// <summary>With a reputation policy: re-evaluates a live peer scope's limit before routing a reservation to it.</summary>
    private void RefreshPeerLimit(string id, DateTimeOffset? at)
    {
        if (_standing.Policy is null || !_peers.TryGetValue(id, out var c)) return;
        var limit = PeerLimit(id, _standing.Now(at));
        if (limit == c.PeerLimit) return;
        c.PeerLimit = limit;
        Send(c, new ChildSetLimit("peer:" + id, limit, ActorRefs.Nobody));
    }

    private void OnExplain(ExplainPeerLimit m, IActorRef replyTo)
    {
        if (!CheckId(m.PeerId, "peerId", replyTo)) return;
        replyTo.Tell(_standing.Explain(m.PeerId, _standing.Now(m.Now), _limits, _layers));
    }

    private bool RefuseIfBanned(string peerId, ResourceKind resource, Direction dir, DateTimeOffset? at, IActorRef replyTo)
    {
        if (_standing.BanRefusal(peerId, resource, dir, at) is not { } e) return false;
        Refuse(LimitRefused.From(e), replyTo);
        return true;
    }

    private void OnOpenStream(OpenStream m, IActorRef replyTo)
    {
        if (!CheckId(m.PeerId, "peerId", replyTo)) return;
        if (m.Protocol is not null && !CheckId(m.Protocol, "protocol", replyTo)) return;
        if (m.Service is not null && (m.Protocol is null
                ? Fail(replyTo, "service", "a service needs a protocol (rcmgr SetService requires SetProtocol)")
                : !CheckId(m.Service, "service", replyTo))) return;
        if (RefuseIfBanned(m.PeerId, ResourceKind.Stream, m.Direction, m.At, replyTo)) return;
        RefreshPeerLimit(m.PeerId, m.At);
        var d = m.Direction == Direction.Inbound ? InStream : OutStream;
        var r = LimitRefused.FromOrNull(_transient.TryReserve(d, ReservationPriority.Always));
        if (r is null)
        {
            r = LimitRefused.FromOrNull(_system.TryReserve(d, ReservationPriority.Always));
            // A combined open hands the stream over to its protocol at once (rcmgr SetProtocol releases transient), so
            // transient is only checked: the stream must fit there, as rcmgr's OpenStream requires, but no release
            // message has to follow the chain.
            if (r is not null || m.Protocol is not null) _transient.Release(d);
        }

        if (r is not null)
        {
            Refuse(r, replyTo);
            return;
        }

        string name = string.Create(CultureInfo.InvariantCulture, $"stream-{++_streamSeq}");
        var peer = ChildOf(_peers, "peer:", m.PeerId);
        if (m.Protocol is null)
        {
            Send(peer, new PeerOpenStream(name, m.Direction, _limits.Stream, replyTo));
            return;
        }

        // Combined open: one chain root → protocol actor → service actor → peer actor, which answers the client. Every
        // actor is visited once and no result travels back (see OpenChainEnd); the legs and the peer's open are tickets
        // (counted now, as the root does for what it sends, so that none of them is stopped meanwhile).
        var p = ChildOf(_protocols, "protocol:", m.Protocol);
        var protoLeg = OpenLeg(peer, p, "protocol:"); // leased: the peer keeps the reference for later streams
        (string, IActorRef)? svc = null;
        Child? sv = null;
        Leg[] legs;
        p.Sent++;
        if (m.Service is not null)
        {
            sv = ChildOf(_services, "svc:", m.Service);
            legs = [protoLeg, OpenLeg(peer, sv, "svc:")];
            sv.Sent++;
            svc = (m.Service, sv.Actor);
        }
        else
        {
            legs = [protoLeg];
        }

        peer.Sent++;
        var open = new PeerOpenStream(name, m.Direction, _limits.Stream, replyTo, (m.Protocol, p.Actor), svc, SharedReserved: true);
        p.Actor.Tell(new ChainReserve(d, ReservationPriority.Always, legs, 0, _self, 0, new OpenChainEnd(peer.Actor, open), _held.Carry(p.Held, sv?.Held, legs.Length)));
    }

    /// <summary>
    /// A combined open refused by a protocol or service leg (which rolled back the legs before it): release system,
    /// give the peer actor its ticket back (it was counted but the open never reached it) and answer the client.
    /// </summary>
    private void OnOpenRefused(OpenRefused m)
    {
        _system.Release(m.Delta);
        m.End.Peer.Tell(TicketReturn.Instance);
        Refuse(m.Refusal, m.End.Open.ReplyTo);
    }

    /// <summary>
    /// A SetProtocol sent to the root (a <see cref="LimitsClient"/> sends it to the stream's owner directly): routed to
    /// the owner, which handles it as if sent directly.
    /// </summary>
    private void OnSetProtocol(SetProtocol m, IActorRef replyTo)
    {
        if (!CheckId(m.Protocol, "protocol", replyTo)) return;
        RouteToStreamOwner(m.Stream.Owner, m, replyTo);
    }

    /// <summary>A SetService sent to the root: routed to the stream's owner (see <see cref="OnSetProtocol"/>).</summary>
    private void OnSetService(SetService m, IActorRef replyTo)
    {
        if (!CheckId(m.Service, "service", replyTo)) return;
        RouteToStreamOwner(m.Stream.Owner, m, replyTo);
    }

    // ------------------------------------------------------------------ connections

    private void OnOpenConnection(OpenConnection m, IActorRef replyTo)
    {
        var endpoint = m.Endpoint is null ? null : (m.Endpoint.IsIPv4MappedToIPv6 ? m.Endpoint.MapToIPv4() : m.Endpoint);
        if (endpoint is not null && _subnets.TryAddConn(endpoint) is { } subnetRefusal)
        {
            var r0 = LimitRefused.From(subnetRefusal);
            Metrics.Blocked(r0);
            replyTo.Tell(r0);
            return;
        }

        var d = ConnStat(m.Direction, m.UsesFd);
        string name = "conn-" + (++_connSeq).ToString(CultureInfo.InvariantCulture);
        var info = new ConnInfo { Direction = m.Direction, UsesFd = m.UsesFd, Endpoint = endpoint, CountedInSubnet = endpoint is not null };
        var conn = new LimitScope(name, ScopeClass.Connection, _limits.Conn) { LocalEdges = [_transient, _system], Info = info };
        var r = LimitRefused.FromOrNull(ScopeAccount.TryReserveAll([conn, _transient, _system], d, ReservationPriority.Always));
        if (r is not null && endpoint is not null && _allowlist.Allowed(endpoint))
        {
            _subnets.RemoveConn(endpoint); // rcmgr: allowlisted connections are not subnet-counted
            info.CountedInSubnet = false;
            conn.Release(d);
            r = LimitRefused.FromOrNull(ScopeAccount.TryReserveAll([conn, _alTransient, _alSystem], d, ReservationPriority.Always));
            if (r is null)
            {
                info.Allowlisted = true;
                conn.LocalEdges = [_alTransient, _alSystem];
            }
        }

        if (r is not null)
        {
            if (info.CountedInSubnet) _subnets.RemoveConn(endpoint!);
            Refuse(r, replyTo);
            return;
        }

        Scopes[name] = conn;
        Metrics.Allowed(ResourceKind.Connection, ScopeClass.Connection);
        replyTo.Tell(new ConnectionOpened(new ConnectionHandle(name, m.Direction, m.UsesFd, Self)));
    }

    private static ScopeStat ConnStat(Direction dir, bool usesFd) =>
        new(0, 0, 0, dir == Direction.Inbound ? 1 : 0, dir == Direction.Outbound ? 1 : 0, usesFd ? 1 : 0);

    private void OnSetPeer(SetPeer m, IActorRef replyTo)
    {
        if (!Scopes.TryGetValue(m.Connection.Name, out var conn) || conn.Closed || conn.Info is not ConnInfo info)
        {
            replyTo.Tell(new LimitsFailure("connection", $"{m.Connection.Name}: resource scope closed"));
            return;
        }

        if (DeferIfBusy(conn, m, replyTo)) return;
        if (info.PeerId is not null)
        {
            replyTo.Tell(new LimitsFailure("peerId", $"{conn.Name}: connection scope already attached to a peer"));
            return;
        }

        if (!CheckId(m.PeerId, "peerId", replyTo)) return;
        if (RefuseIfBanned(m.PeerId, ResourceKind.Connection, info.Direction, m.At, replyTo)) return;
        RefreshPeerLimit(m.PeerId, m.At);
        var peer = GetChild("peer:" + m.PeerId, create: true)!;
        peer.Sent++; // ticket
        var stat = conn.Stat;
        conn.Busy = true;
        StartChain(stat, ReservationPriority.Always, [new Leg(peer.Actor, ["peer:" + m.PeerId], Ticket: true)], r =>
        {
            if (r is null && info.Allowlisted && (info.Endpoint is null || !_allowlist.AllowedPeerAndAddress(m.PeerId, info.Endpoint)))
            {
                // rcmgr transferAllowedToStandard: an almost-allowlisted connection must fit system + transient.
                r = LimitRefused.FromOrNull(ScopeAccount.TryReserveAll([_system, _transient], stat, ReservationPriority.Always));
                if (r is null)
                {
                    _transient.Release(stat);
                    _alTransient.Release(stat);
                    _alSystem.Release(stat);
                    info.Allowlisted = false;
                    conn.LocalEdges = [_system];
                }
                else
                {
                    peer.Actor.Tell(new ChainRelease(stat, ["peer:" + m.PeerId]));
                }
            }
            else if (r is null)
            {
                var transient = info.Allowlisted ? _alTransient : _transient;
                transient.Release(stat);
                conn.LocalEdges = [info.Allowlisted ? _alSystem : _system];
            }

            if (r is null)
            {
                info.PeerId = m.PeerId;
                conn.Legs = [new Leg(peer.Actor, ["peer:" + m.PeerId])];
                Admit(ResourceKind.Connection, ScopeClass.Peer, replyTo);
            }
            else
            {
                Refuse(r, replyTo);
            }

            Resume(conn);
        });
    }

    protected override void OnClose(Close m, IActorRef replyTo)
    {
        if (!Scopes.TryGetValue(m.Scope.Name, out var s) || s.Closed)
        {
            replyTo.Tell(new LimitsFailure("scope", $"{m.Scope.Name}: resource scope closed"));
            return;
        }

        if (s.Info is not ConnInfo info)
        {
            if (s.Parent is null)
                replyTo.Tell(new LimitsFailure("scope", $"{s.Name}: only connection, stream and span scopes can be closed"));
            else
                base.OnClose(m, replyTo);
            return;
        }

        if (DeferIfBusy(s, m, replyTo)) return;
        var stat = s.Stat;
        foreach (var e in s.LocalEdges) e.Release(stat);
        foreach (var leg in s.Legs) leg.Actor.Tell(new ChainRelease(stat, leg.Scopes));
        if (info.CountedInSubnet) _subnets.RemoveConn(info.Endpoint!);
        if (s.Spans > 0)
            foreach (var child in Scopes.Values.Where(x => x.Parent == s).ToList())
                DropSpanTree(child);
        s.Closed = true;
        Scopes.Remove(s.Name);
        replyTo.Tell(LimitsAck.Instance);
    }

    protected override LimitsReply StatOfMissing(string name)
    {
        if (name.StartsWith("conn-", StringComparison.Ordinal) || name.Contains(".span-", StringComparison.Ordinal))
            return new LimitsFailure("scope", $"{name}: resource scope closed");
        try
        {
            LimitScopeName.Parse(name); // names the unknown kind or the bad name
            return new LimitsFailure("scope", $"{name}: resource scope closed");
        }
        catch (InvalidInputException e)
        {
            return new LimitsFailure(e.Field, LimitsText.Reason(e));
        }
    }

    // ------------------------------------------------------------------ limits, lists

    /// <summary>
    /// rcmgr <c>SetLimit</c>: a configurable scope (system, transient, the allowlisted pair, <c>svc:</c>,
    /// <c>protocol:</c>, <c>peer:</c>) gets every field set in the run-time layer (persisted, see
    /// <see cref="OnChangeLimit"/>); a live-only scope (<c>conn-N</c>, <c>svc:X.peer:P</c>, <c>protocol:X.peer:P</c>)
    /// is changed in place and not persisted (it has no configuration key).
    /// </summary>
    private void OnSetLimit(SetLimit m, IActorRef replyTo)
    {
        string name = m.Scope ?? "";
        if (!LimitScopeName.IsLiveOnly(name))
        {
            ApplyChange(name, LimitChange.Of(m.Limit), replyTo, (_, _) => LimitsAck.Instance);
            return;
        }

        if (name.StartsWith("conn-", StringComparison.Ordinal) && Scopes.TryGetValue(name, out var conn) && conn.Parent is null)
        {
            conn.Limit = m.Limit;
            replyTo.Tell(LimitsAck.Instance);
            return;
        }

        if (ChildKey(name) is not { } key || name.Contains(".span-", StringComparison.Ordinal) || name.StartsWith("stream-", StringComparison.Ordinal))
        {
            replyTo.Tell(new LimitsFailure("scopeName", $"no live scope named '{name}' (service-peer, protocol-peer, connection and stream scopes must be live)"));
            return;
        }

        if (!ValidKey(key, replyTo)) return;
        if (GetChild(key, create: false) is { } c)
            Send(c, new ChildSetLimit(name, m.Limit, replyTo));
        else
            replyTo.Tell(new LimitsFailure("scopeName", $"no live scope named '{name}' (service-peer, protocol-peer, connection and stream scopes must be live)"));
    }

    private void OnChangeLimit(ChangeLimit m, IActorRef replyTo) =>
        ApplyChange(m.Scope ?? "", m.Change, replyTo, (previous, limit) => new LimitChanged(m.Scope!, previous, limit, _setFile));

    /// <summary>
    /// Applies a change to a configurable scope: new layers, written to the set file (when configured) <b>before</b>
    /// anything changes or is acknowledged; then the live scope (if any) gets the new limit. A failed write changes
    /// nothing and answers a failure naming the file.
    /// </summary>
    private void ApplyChange(string name, LimitChange change, IActorRef replyTo, Func<BaseLimit, BaseLimit, LimitsReply> reply)
    {
        LimitScopeName scope;
        try
        {
            scope = LimitScopeName.Parse(name);
        }
        catch (InvalidInputException e)
        {
            replyTo.Tell(new LimitsFailure(e.Field, LimitsText.Reason(e)));
            return;
        }

        var previous = _layers.LimitOf(scope);
        var next = _layers.With(scope, change);
        if (_setFile is not null)
        {
            try
            {
                LimitSetFile.Write(_setFile, next.Set);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                replyTo.Tell(new LimitsFailure("limits", $"{scope}: the change was not applied: cannot persist it to {_setFile}: {e.Message}"));
                return;
            }
        }

        _layers = next;
        _limits = next.Effective;
        var limit = next.LimitOf(scope);
        switch (scope.Kind)
        {
            case LimitScopeKind.System: _system.Limit = limit; break;
            case LimitScopeKind.Transient: _transient.Limit = limit; break;
            case LimitScopeKind.AllowlistedSystem: _alSystem.Limit = limit; break;
            case LimitScopeKind.AllowlistedTransient: _alTransient.Limit = limit; break;
            default:
                if (GetChild(scope.ToString(), create: false) is { } c)
                    Send(c, new ChildSetLimit(scope.ToString(), limit, ActorRefs.Nobody));
                break;
        }

        replyTo.Tell(reply(previous, limit));
    }

    private void Collect(string prefix, IActorRef replyTo)
    {
        var targets = _children.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (targets.Count == 0)
        {
            replyTo.Tell(new ScopeList(new Dictionary<string, ScopeStat>(StringComparer.Ordinal)));
            return;
        }

        var collector = Context.ActorOf(Akka.Actor.Props.Create(() => new StatCollector(targets.Count, replyTo)));
        foreach (var (key, c) in targets)
            Send(c, new CollectStat(key, collector));
    }

    /// <summary>Gathers one <see cref="CollectedStat"/> per live child of a class and replies a <see cref="ScopeList"/>.</summary>
    private sealed class StatCollector(int expected, IActorRef replyTo) : UntypedActor
    {
        private readonly Dictionary<string, ScopeStat> _stats = new(StringComparer.Ordinal);

        protected override void OnReceive(object message)
        {
            if (message is not CollectedStat s) return;
            _stats[s.Key] = s.Stat;
            if (_stats.Count < expected) return;
            replyTo.Tell(new ScopeList(_stats));
            Context.Stop(Self);
        }
    }
}
