using Akka.Actor;
using PeerActors.Core.ResourceManager;

namespace PeerActors.Limits;

/// <summary>
/// Owns <c>peer:ID</c> and the stream scopes <c>stream-N</c> of that peer (and their spans). Created by the root
/// on demand; stopped by the root when idle (no streams, spans or usage — attached connections count as usage).
/// <para>Stream protocol (the root has already reserved the stream on transient + system):</para>
/// <list type="number">
/// <item><b>Open</b>: reserve one stream on <c>stream-N</c> then <c>peer:ID</c> (local); on refusal tell the root to
/// release transient + system and reply the refusal.</item>
/// <item><b>SetProtocol</b>: chain through the protocol actor (<c>protocol:X</c>, <c>protocol:X.peer:ID</c>) with the
/// stream's stat; on success tell the root to release transient; edges become peer (local) → protocol actor → root(system).</item>
/// <item><b>SetService</b>: chain through the service actor (<c>svc:S</c>, <c>svc:S.peer:ID</c>); edges gain it.</item>
/// <item><b>Close</b>: release the stream's stat locally and send releases to every remote edge (no reply needed from them).</item>
/// </list>
/// </summary>
internal sealed class PeerScopeActor : ScopeOwnerActor
{
    private readonly string _peerId;
    private readonly ScopeCounters _peer;
    private readonly Leg _rootSystem;
    private readonly Leg _rootTransientSystem;
    private int _streams;

    public PeerScopeActor(string peerId, BaseLimit limit, LimitsMetrics metrics) : base(metrics)
    {
        _peerId = peerId;
        _peer = new ScopeCounters("peer:" + peerId, ScopeClass.Peer, limit);
        Scopes[_peer.Name] = _peer;
        _rootSystem = new Leg(Context.Parent, ["system"]);
        _rootTransientSystem = new Leg(Context.Parent, ["transient", "system"]);
        _peer.Legs = [_rootSystem];
    }

    public static Props Props(string peerId, BaseLimit limit, LimitsMetrics metrics) =>
        Akka.Actor.Props.Create(() => new PeerScopeActor(peerId, limit, metrics));

    protected override bool IsIdle => PendingCount == 0 && _streams == 0 && _peer.Spans == 0 && _peer.IsZero;

    private sealed class StreamInfo(Direction dir)
    {
        public readonly Direction Direction = dir;
        public string? Protocol;
        public Leg? ProtocolLeg;
        public Leg? ServiceLeg;
    }

    protected override void Dispatch(object message, IActorRef replyTo)
    {
        switch (message)
        {
            case PeerOpenStream m: OpenStream(m); break;
            case PeerSetProtocol m: SetProtocol(m, m.ReplyTo); break;
            case PeerSetService m: SetService(m, m.ReplyTo); break;
            default: base.Dispatch(message, replyTo); break;
        }
    }

    protected override void OnCollectStat(CollectStat m) => m.ReplyTo.Tell(new CollectedStat(_peerId, _peer.Stat));

    protected override LimitsReply StatOfMissing(string name) =>
        new LimitsFailure("scope", $"{name}: resource scope closed");

    private void OpenStream(PeerOpenStream m)
    {
        var d = m.Direction == Direction.Inbound ? new ScopeStat(0, 1, 0, 0, 0, 0) : new ScopeStat(0, 0, 1, 0, 0, 0);
        var stream = new ScopeCounters(m.Name, ScopeClass.Stream, m.StreamLimit)
        {
            LocalEdges = [_peer],
            Legs = [_rootTransientSystem],
            Info = new StreamInfo(m.Direction),
        };
        var r = stream.TryReserve(d, ReservationPriority.Always) ?? _peer.TryReserve(d, ReservationPriority.Always);
        if (r is not null)
        {
            stream.Release(d);
            Context.Parent.Tell(new ChainRelease(d, _rootTransientSystem.Scopes));
            m.Protocol?.Actor.Tell(TicketReturn.Instance); // a combined open's tickets are not used
            m.Service?.Actor.Tell(TicketReturn.Instance);
            Refuse(r, m.ReplyTo);
            return;
        }

        Scopes[m.Name] = stream;
        _streams++;
        Metrics.Allowed(ResourceKind.Stream, ScopeClass.Stream);
        if (m.Protocol is { } p)
        {
            OpenWithProtocol(m, stream, d, p, m.Service);
            return;
        }

        m.ReplyTo.Tell(new StreamOpened(new StreamHandle(m.Name, _peerId, m.Direction, Self)));
    }

    /// <summary>
    /// Combined open: one chain through the protocol actor (and the service actor), then transient is released at the
    /// root. All or nothing: a refusal closes the new stream and releases transient + system.
    /// </summary>
    private void OpenWithProtocol(PeerOpenStream m, ScopeCounters s, ScopeStat d, (string Id, IActorRef Actor) p, (string Id, IActorRef Actor)? svc)
    {
        var info = (StreamInfo)s.Info!;
        string proto = "protocol:" + p.Id, protoPeer = proto + ".peer:" + _peerId;
        var legs = svc is { } sv
            ? new[] { new Leg(p.Actor, [proto, protoPeer], Ticket: true), new Leg(sv.Actor, ["svc:" + sv.Id, "svc:" + sv.Id + ".peer:" + _peerId], Ticket: true) }
            : new[] { new Leg(p.Actor, [proto, protoPeer], Ticket: true) };
        s.Busy = true;
        StartChain(d, ReservationPriority.Always, legs, r =>
        {
            if (r is null)
            {
                Context.Parent.Tell(new ChainRelease(d, ["transient"]));
                info.Protocol = p.Id;
                info.ProtocolLeg = new Leg(p.Actor, [protoPeer, proto]);
                Metrics.Allowed(ResourceKind.Stream, ScopeClass.Protocol);
                if (svc is { } v)
                {
                    info.ServiceLeg = new Leg(v.Actor, ["svc:" + v.Id + ".peer:" + _peerId, "svc:" + v.Id]);
                    Metrics.Allowed(ResourceKind.Stream, ScopeClass.Service);
                    s.Legs = [info.ProtocolLeg, info.ServiceLeg, _rootSystem];
                }
                else
                {
                    s.Legs = [info.ProtocolLeg, _rootSystem];
                }

                m.ReplyTo.Tell(new StreamOpened(new StreamHandle(m.Name, _peerId, m.Direction, Self)));
            }
            else
            {
                s.Release(d);
                _peer.Release(d);
                s.Closed = true;
                Scopes.Remove(s.Name);
                _streams--;
                Context.Parent.Tell(new ChainRelease(d, _rootTransientSystem.Scopes));
                Refuse(r, m.ReplyTo);
            }

            Resume(s);
        });
    }

    private ScopeCounters? LiveStream(string name, IActorRef replyTo, IActorRef? ticketHolder)
    {
        if (Scopes.TryGetValue(name, out var s) && !s.Closed && s.Class == ScopeClass.Stream) return s;
        ticketHolder?.Tell(TicketReturn.Instance);
        replyTo.Tell(new LimitsFailure("stream", $"{name}: resource scope closed"));
        return null;
    }

    private void SetProtocol(PeerSetProtocol m, IActorRef replyTo)
    {
        if (LiveStream(m.Stream, replyTo, m.ProtocolActor) is not { } s) return;
        if (DeferIfBusy(s, m, replyTo)) return;
        var info = (StreamInfo)s.Info!;
        if (info.Protocol is not null)
        {
            m.ProtocolActor.Tell(TicketReturn.Instance);
            replyTo.Tell(new LimitsFailure("protocol", $"{s.Name}: stream scope already attached to a protocol"));
            return;
        }

        string proto = "protocol:" + m.Protocol;
        string protoPeer = proto + ".peer:" + _peerId;
        var stat = s.Stat;
        s.Busy = true;
        StartChain(stat, ReservationPriority.Always, [new Leg(m.ProtocolActor, [proto, protoPeer], Ticket: true)], r =>
        {
            if (r is null && s.Closed)
            {
                // cannot happen (close is deferred while busy), kept for safety
                m.ProtocolActor.Tell(new ChainRelease(stat, [proto, protoPeer]));
            }
            else if (r is null)
            {
                Context.Parent.Tell(new ChainRelease(stat, ["transient"]));
                info.Protocol = m.Protocol;
                info.ProtocolLeg = new Leg(m.ProtocolActor, [protoPeer, proto]);
                s.Legs = [info.ProtocolLeg, _rootSystem];
                Admit(ResourceKind.Stream, ScopeClass.Protocol, replyTo);
            }
            else
            {
                Refuse(r, replyTo);
            }

            Resume(s);
        });
    }

    private void SetService(PeerSetService m, IActorRef replyTo)
    {
        if (LiveStream(m.Stream, replyTo, m.ServiceActor) is not { } s) return;
        if (DeferIfBusy(s, m, replyTo)) return;
        var info = (StreamInfo)s.Info!;
        if (info.ServiceLeg is not null || info.ProtocolLeg is null)
        {
            m.ServiceActor.Tell(TicketReturn.Instance);
            replyTo.Tell(new LimitsFailure("service", info.ProtocolLeg is null
                ? $"{s.Name}: stream scope not attached to a protocol"
                : $"{s.Name}: stream scope already attached to a service"));
            return;
        }

        string svc = "svc:" + m.Service;
        string svcPeer = svc + ".peer:" + _peerId;
        var stat = s.Stat;
        s.Busy = true;
        StartChain(stat, ReservationPriority.Always, [new Leg(m.ServiceActor, [svc, svcPeer], Ticket: true)], r =>
        {
            if (r is null)
            {
                info.ServiceLeg = new Leg(m.ServiceActor, [svcPeer, svc]);
                s.Legs = [info.ProtocolLeg!, info.ServiceLeg, _rootSystem];
                Admit(ResourceKind.Stream, ScopeClass.Service, replyTo);
            }
            else
            {
                Refuse(r, replyTo);
            }

            Resume(s);
        });
    }

    protected override void OnClose(Close m, IActorRef replyTo)
    {
        if (!Scopes.TryGetValue(m.Scope.Name, out var s) || s.Closed)
        {
            replyTo.Tell(new LimitsFailure("scope", $"{m.Scope.Name}: resource scope closed"));
            return;
        }

        if (s.Class != ScopeClass.Stream)
        {
            base.OnClose(m, replyTo);
            return;
        }

        if (DeferIfBusy(s, m, replyTo)) return;
        var stat = s.Stat;
        foreach (var e in s.LocalEdges)
            e.Release(stat);
        foreach (var leg in s.Legs)
            leg.Actor.Tell(new ChainRelease(stat, leg.Scopes));
        if (s.Spans > 0)
            foreach (var child in Scopes.Values.Where(x => x.Parent == s).ToList())
                DropSpanTree(child);
        s.Closed = true;
        Scopes.Remove(s.Name);
        _streams--;
        replyTo.Tell(LimitsAck.Instance);
    }
}
