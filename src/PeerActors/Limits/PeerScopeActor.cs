namespace PeerActors.Limits;

/// <summary>
/// Owns <c>peer:ID</c> and the stream scopes <c>stream-N</c> of that peer (and their spans). Created by the root
/// on demand; stopped by the root when idle (no streams, spans or usage — attached connections count as usage).
/// <para>Stream protocol (the root has already reserved the stream on transient + system):</para>
/// <list type="number">
/// <item><b>Open</b> (from the root): reserve one stream on <c>stream-N</c> then <c>peer:ID</c> (local); on refusal
/// tell the root to release transient + system and reply the refusal.</item>
/// <item><b>SetProtocol</b> (sent by the client straight to this actor, the stream's owner): one chain through the
/// protocol actor (<c>protocol:X</c>, <c>protocol:X.peer:ID</c>) with the stream's stat; on success tell the root to
/// release transient; edges become peer (local) → protocol actor → root(system).</item>
/// <item><b>SetService</b> (straight to this actor): one chain through the service actor (<c>svc:S</c>,
/// <c>svc:S.peer:ID</c>); edges gain it.</item>
/// <item><b>Close</b> (straight to this actor): release the stream's stat locally and send releases to every remote
/// edge with one <see cref="StreamReleased"/> to the root, which spreads (and batches) them to the other actors, then
/// answer (a one-way close, <see cref="CloseStreamOneWay"/>, does not answer).</item>
/// <item><b>Combined open</b> (<c>OpenStream</c> with a protocol): the root's chain (system → protocol actor → service
/// actor) ends here with a <see cref="PeerOpenStream"/> whose shared part is reserved: reserve stream-N then peer:ID and
/// answer the client, or release every shared leg and answer the refusal.</item>
/// </list>
/// <para><b>Protocol and service actors</b> are reached directly through references <em>leased</em> from the root
/// (<see cref="LeaseAndReserve"/> the first time, or handed with a combined open): the root never stops a leased
/// actor while this actor lives, so a cached reference is never stale. Only the first chain to a protocol / service
/// costs a detour through the root; the scope names are built once per lease, not per call.</para>
/// </summary>
internal sealed class PeerScopeActor : ScopeOwnerActor
{
    private static readonly string[] TransientOnly = ["transient"];

    private readonly string _peerId;
    private readonly LimitScope _peer;
    private readonly LimitScope[] _peerOnly;
    private readonly Leg _rootSystem;
    private readonly Leg[] _rootTransientSystem;
    private readonly Dictionary<string, KeyedRef> _protocols = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KeyedRef> _services = new(StringComparer.Ordinal);
    private int _streams;

    public PeerScopeActor(string peerId, BaseLimit limit, LimitsMetrics metrics) : base(metrics)
    {
        _peerId = peerId;
        _peer = new LimitScope("peer:" + peerId, ScopeClass.Peer, limit);
        _peerOnly = [_peer];
        Scopes[_peer.Name] = _peer;
        _rootSystem = new Leg(Context.Parent, ["system"]);
        _rootTransientSystem = [new Leg(Context.Parent, ["transient", "system"])];
        _peer.Legs = [_rootSystem];
        _protocolChainDone = (state, r) => ProtocolChainDone((StreamInfo)state, r);
        _serviceChainDone = (state, r) => ServiceChainDone((StreamInfo)state, r);
    }

    public static Props Props(string peerId, BaseLimit limit, LimitsMetrics metrics) =>
        Akka.Actor.Props.Create(() => new PeerScopeActor(peerId, limit, metrics));

    protected override bool IsIdle => PendingCount == 0 && _streams == 0 && _peer.Spans == 0 && _peer.IsZero;

    /// <summary>A leased protocol / service actor with this peer's legs through it (immutable, shared by every stream).</summary>
    private sealed class KeyedRef
    {
        public KeyedRef(IActorRef actor, string[] scopes, Leg rootSystem)
        {
            Actor = actor;
            Reserve = new Leg(actor, scopes);
            ReserveOnly = [Reserve];
            Release = new Leg(actor, [scopes[1], scopes[0]]);
            ReleaseThenSystem = [Release, rootSystem];
        }

        public readonly IActorRef Actor;

        /// <summary>Reserves on the keyed scope, then its sub-peer scope.</summary>
        public readonly Leg Reserve;

        public readonly Leg[] ReserveOnly;

        /// <summary>Releases the sub-peer scope first (so it can be dropped when empty), then the keyed scope.</summary>
        public readonly Leg Release;

        /// <summary>A stream's remote edges once this protocol is set: the protocol actor, then system.</summary>
        public readonly Leg[] ReleaseThenSystem;
    }

    private sealed class StreamInfo(LimitScope scope)
    {
        public readonly LimitScope Scope = scope;
        public KeyedRef? Protocol;
        public KeyedRef? Service;

        // The SetProtocol / SetService whose chain is in flight (one at a time: the stream is busy meanwhile); kept
        // here so that the chain's continuation is a cached delegate, not a closure per call.
        public string? PendingId;
        public ScopeStat PendingStat;
        public IActorRef? PendingReplyTo;
    }

    private readonly Action<object, LimitRefused?> _protocolChainDone;
    private readonly Action<object, LimitRefused?> _serviceChainDone;

    protected override void Dispatch(object message, IActorRef replyTo)
    {
        switch (message)
        {
            case PeerOpenStream m: OpenStream(m); break;
            case SetProtocol m: OnSetProtocol(m, replyTo); break;
            case SetService m: OnSetService(m, replyTo); break;
            case CloseStreamOneWay m: OnCloseOneWay(m); break;
            case Leased m: Cache(m.Kind, m.Id, m.Actor, m.Scopes); break;
            default: base.Dispatch(message, replyTo); break;
        }
    }

    protected override void OnCollectStat(CollectStat m) => m.ReplyTo.Tell(new CollectedStat(_peerId, _peer.Stat));

    protected override LimitsReply StatOfMissing(string name) => ClosedScope.Scope(name);

    // ------------------------------------------------------------------ leased protocol / service actors

    private Dictionary<string, KeyedRef> CacheOf(ScopeClass kind) => kind == ScopeClass.Protocol ? _protocols : _services;

    private string[] ScopeNames(ScopeClass kind, string id)
    {
        string main = (kind == ScopeClass.Protocol ? "protocol:" : "svc:") + id;
        return [main, main + ".peer:" + _peerId];
    }

    private KeyedRef Cache(ScopeClass kind, string id, IActorRef actor, string[]? scopes = null)
    {
        var cache = CacheOf(kind);
        // While leased the root keeps the same actor, so an entry never needs replacing.
        if (cache.TryGetValue(id, out var k)) return k;
        k = new KeyedRef(actor, scopes ?? ScopeNames(kind, id), _rootSystem);
        cache[id] = k;
        return k;
    }

    /// <summary>
    /// Reserves <paramref name="d"/> on the keyed scope <paramref name="id"/> and its sub-peer scope: directly when
    /// this actor holds the actor's lease, else through the root (which leases it; <see cref="Leased"/> arrives before
    /// the chain's result, so <paramref name="then"/> always finds the reference cached on success).
    /// </summary>
    private void ReserveKeyed(ScopeClass kind, string id, in ScopeStat d, Action<object, LimitRefused?> then, StreamInfo state)
    {
        if (CacheOf(kind).TryGetValue(id, out var k))
            StartChain(d, ReservationPriority.Always, k.ReserveOnly, then, state);
        else
            Context.Parent.Tell(new LeaseAndReserve(kind, id, d, ReservationPriority.Always, ScopeNames(kind, id), AddPending(then, state)));
    }

    // ------------------------------------------------------------------ streams

    private void OpenStream(PeerOpenStream m)
    {
        var d = m.Direction == Direction.Inbound ? new ScopeStat(0, 1, 0, 0, 0, 0) : new ScopeStat(0, 0, 1, 0, 0, 0);
        var stream = new LimitScope(m.Name, ScopeClass.Stream, m.StreamLimit)
        {
            LocalEdges = _peerOnly,
            Legs = _rootTransientSystem,
        };
        var info = new StreamInfo(stream);
        stream.Info = info;
        Leg[] legs = _rootTransientSystem;
        if (m.SharedReserved)
        {
            // Combined open: the root's chain reserved system and the protocol / service legs, and ends here.
            info.Protocol = Cache(ScopeClass.Protocol, m.Protocol!.Value.Id, m.Protocol.Value.Actor);
            if (m.Service is { } sv) info.Service = Cache(ScopeClass.Service, sv.Id, sv.Actor);
            legs = info.Service is { } v ? [info.Protocol.Release, v.Release, _rootSystem] : info.Protocol.ReleaseThenSystem;
        }

        var r = LimitRefused.FromOrNull(stream.TryReserve(d, ReservationPriority.Always) ?? _peer.TryReserve(d, ReservationPriority.Always));
        if (r is not null)
        {
            // Nothing stays reserved: every remote leg (the shared ones of a combined open included) is released.
            stream.Release(d);
            foreach (var leg in legs)
                leg.Actor.Tell(new ChainRelease(d, leg.Scopes));
            Refuse(r, m.ReplyTo);
            return;
        }

        stream.Legs = legs;
        Scopes[m.Name] = stream;
        _streams++;
        Metrics.Allowed(ResourceKind.Stream, ScopeClass.Stream);
        if (info.Protocol is not null) Metrics.Allowed(ResourceKind.Stream, ScopeClass.Protocol);
        if (info.Service is not null) Metrics.Allowed(ResourceKind.Stream, ScopeClass.Service);
        m.ReplyTo.Tell(new StreamOpened(new StreamHandle(m.Name, _peerId, m.Direction, Self)));
    }

    private LimitScope? LiveStream(string name, IActorRef replyTo)
    {
        if (Scopes.TryGetValue(name, out var s) && !s.Closed && s.Class == ScopeClass.Stream) return s;
        replyTo.Tell(ClosedScope.Stream(name));
        return null;
    }

    private void OnSetProtocol(SetProtocol m, IActorRef replyTo)
    {
        if (!LimitsIds.Check(m.Protocol, "protocol", replyTo)) return;
        if (LiveStream(m.Stream.Name, replyTo) is not { } s) return;
        if (DeferIfBusy(s, m, replyTo)) return;
        var info = (StreamInfo)s.Info!;
        if (info.Protocol is not null)
        {
            replyTo.Tell(new LimitsFailure("protocol", $"{s.Name}: stream scope already attached to a protocol"));
            return;
        }

        BeginAttach(info, ScopeClass.Protocol, m.Protocol, replyTo, _protocolChainDone);
    }

    private void ProtocolChainDone(StreamInfo info, LimitRefused? r)
    {
        if (r is null)
        {
            var p = _protocols[info.PendingId!];
            Context.Parent.Tell(new ChainRelease(info.PendingStat, TransientOnly));
            info.Protocol = p;
            info.Scope.Legs = p.ReleaseThenSystem;
        }

        EndAttach(info, ScopeClass.Protocol, r);
    }

    private void OnSetService(SetService m, IActorRef replyTo)
    {
        if (!LimitsIds.Check(m.Service, "service", replyTo)) return;
        if (LiveStream(m.Stream.Name, replyTo) is not { } s) return;
        if (DeferIfBusy(s, m, replyTo)) return;
        var info = (StreamInfo)s.Info!;
        if (info.Service is not null || info.Protocol is null)
        {
            replyTo.Tell(new LimitsFailure("service", info.Protocol is null
                ? $"{s.Name}: stream scope not attached to a protocol"
                : $"{s.Name}: stream scope already attached to a service"));
            return;
        }

        BeginAttach(info, ScopeClass.Service, m.Service, replyTo, _serviceChainDone);
    }

    private void ServiceChainDone(StreamInfo info, LimitRefused? r)
    {
        if (r is null)
        {
            var v = _services[info.PendingId!];
            info.Service = v;
            info.Scope.Legs = [info.Protocol!.Release, v.Release, _rootSystem];
        }

        EndAttach(info, ScopeClass.Service, r);
    }

    /// <summary>
    /// Marks the stream busy and reserves its current usage on the keyed scope <paramref name="id"/>; the pending
    /// fields carry the request to <paramref name="then"/> (a cached delegate, so no closure per call).
    /// </summary>
    private void BeginAttach(StreamInfo info, ScopeClass kind, string id, IActorRef replyTo, Action<object, LimitRefused?> then)
    {
        info.PendingId = id;
        info.PendingStat = info.Scope.Stat;
        info.PendingReplyTo = replyTo;
        info.Scope.Busy = true;
        ReserveKeyed(kind, id, info.PendingStat, then, info);
    }

    /// <summary>
    /// Answers the pending SetProtocol / SetService (after the caller has attached the keyed scope on success), clears
    /// the pending request and resumes the stream's deferred messages.
    /// </summary>
    private void EndAttach(StreamInfo info, ScopeClass kind, LimitRefused? r)
    {
        var replyTo = info.PendingReplyTo!;
        if (r is null) Admit(ResourceKind.Stream, kind, replyTo);
        else Refuse(r, replyTo);

        info.PendingId = null;
        info.PendingReplyTo = null;
        Resume(info.Scope);
    }

    protected override void OnClose(Close m, IActorRef replyTo)
    {
        if (!Scopes.TryGetValue(m.Scope.Name, out var s) || s.Closed)
        {
            replyTo.Tell(ClosedScope.Scope(m.Scope.Name));
            return;
        }

        if (s.Class != ScopeClass.Stream)
        {
            base.OnClose(m, replyTo);
            return;
        }

        if (DeferIfBusy(s, m, replyTo)) return;
        CloseStream(s);
        replyTo.Tell(LimitsAck.Instance);
    }

    /// <summary>A close without an answer: the same releases as <see cref="OnClose"/>; a stream not live is ignored.</summary>
    private void OnCloseOneWay(CloseStreamOneWay m)
    {
        if (m.Stream?.Name is not { } name || !Scopes.TryGetValue(name, out var s) || s.Closed || s.Class != ScopeClass.Stream) return;
        if (DeferIfBusy(s, m, ActorRefs.Nobody)) return;
        CloseStream(s);
    }

    /// <summary>
    /// Releases a stream's usage locally and, with one <see cref="StreamReleased"/> to the root, on every remote leg
    /// (releases cannot fail, so nothing answers), then drops it and its spans. The root applies its own scopes' share
    /// before anything the client sends after this close's answer, and holds the protocol / service share without
    /// letting it refuse a later request (<see cref="RecheckRequest"/>).
    /// </summary>
    private void CloseStream(LimitScope s)
    {
        var stat = s.Stat;
        foreach (var e in s.LocalEdges)
            e.Release(stat);
        Context.Parent.Tell(new StreamReleased(stat, s.Legs));
        if (s.Spans > 0)
            foreach (var child in Scopes.Values.Where(x => x.Parent == s).ToList())
                DropSpanTree(child);
        s.Closed = true;
        Scopes.Remove(s.Name);
        _streams--;
    }
}
