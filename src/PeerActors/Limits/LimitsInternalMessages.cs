namespace PeerActors.Limits;

// The limit actors' messages among themselves (reservation chains, held releases, leases, the idle handshake): internal,
// never sent by a client. The public requests and replies are in LimitsMessages.cs.

/// <summary>Scopes of one remote actor visited by a reservation chain.</summary>
/// <param name="Actor">The owning actor.</param>
/// <param name="Scopes">Scope names inside it, reserved in order.</param>
/// <param name="Ticket">True when the root handed this actor's reference out (counts toward its idle handshake).</param>
internal sealed record Leg(IActorRef Actor, string[] Scopes, bool Ticket = false);

/// <summary>
/// One hop of a reservation chain: reserve <see cref="Delta"/> on <c>Legs[Index]</c>, then forward or report to
/// <see cref="Origin"/>. With <see cref="End"/> (a combined open) the last leg hands the open to the peer actor instead
/// of reporting success, and a refusing leg reports <see cref="OpenRefused"/> to the origin (the root): no result
/// travels back through the chain, so the open costs one message per actor it visits.
/// </summary>
/// <param name="Delta">What to reserve on each leg.</param>
/// <param name="Priority">Memory reservation priority.</param>
/// <param name="Legs">The actors and their scopes, in order.</param>
/// <param name="Index">The leg this hop reserves on.</param>
/// <param name="Origin">The actor that started the chain (reported to on success and refusal).</param>
/// <param name="Token">The origin's continuation token.</param>
/// <param name="End">For a combined open: where the chain ends instead of reporting to <paramref name="Origin"/>.</param>
/// <param name="Carry">Releases the root held for the legs' actors (<see cref="StreamReleased"/>), by leg index, applied
/// before that leg reserves; null when none.</param>
/// <param name="Rechecked">True once the root sent this leg its held releases after a refusal (<see cref="RecheckRequest"/>):
/// a second refusal is final.</param>
internal sealed record ChainReserve(ScopeStat Delta, byte Priority, Leg[] Legs, int Index, IActorRef Origin, long Token,
    OpenChainEnd? End = null, ChainReleases?[]? Carry = null, bool Rechecked = false);

/// <summary>
/// Keyed actor → root: this leg of a peer actor's chain would be refused; the root may hold releases for this actor
/// (<see cref="StreamReleased"/>) that precede the chain. The root sends them, then the chain back (<see cref="Recheck"/>).
/// So a refusal is only final once every release the root received before it is applied: a close's answer (sent after
/// its <see cref="StreamReleased"/>) is a promise that nothing sent afterwards is refused for want of that stream's share.
/// </summary>
internal sealed record RecheckRequest(ChainReserve Chain);

/// <summary>Root → keyed actor, after its held releases: reserve this leg again; a refusal now is final.</summary>
internal sealed record Recheck(ChainReserve Chain) : IFromRoot;

/// <summary>The last step of a combined open's chain: <see cref="Open"/>, delivered to <see cref="Peer"/> once every shared leg reserved.</summary>
/// <param name="Peer">The peer actor that will own the stream.</param>
/// <param name="Open">The open, with <see cref="PeerOpenStream.SharedReserved"/> set.</param>
internal sealed record OpenChainEnd(IActorRef Peer, PeerOpenStream Open);

/// <summary>
/// Leg → root: a combined open's chain was refused; the legs have rolled back their part and returned their tickets.
/// The root releases system, returns the peer actor's ticket and answers the client.
/// </summary>
internal sealed record OpenRefused(ScopeStat Delta, OpenChainEnd End, LimitRefused Refusal);

/// <summary>Outcome of a chain, to its origin: null refusal = every leg reserved.</summary>
internal sealed record ChainResult(long Token, LimitRefused? Refusal);

/// <summary>Release <see cref="Delta"/> on the named scopes (rollback, close, or transient hand-over).</summary>
internal sealed record ChainRelease(ScopeStat Delta, string[] Scopes);

/// <summary>Several releases for one actor in one message (the root's held releases, see <see cref="StreamReleased"/>).</summary>
internal sealed record ChainReleases(ChainRelease[] Items);

/// <summary>
/// Peer → root, for a close (<see cref="Close"/> or <see cref="CloseStreamOneWay"/>): the stream's usage
/// <see cref="Delta"/> to release on every leg of <see cref="Legs"/>. The root releases its own scopes at once and holds
/// the protocol / service actors' releases until a chain of its own goes there (they ride on it), it sends that actor
/// anything else, a refusal there asks for them (<see cref="RecheckRequest"/>) or the delay passes: one message, not
/// one per actor, follows a close, and the releases of many closes share a message.
/// </summary>
internal sealed record StreamReleased(ScopeStat Delta, Leg[] Legs);

/// <summary>Child → root, after a root message (e.g. an <see cref="IdleProbe"/>): idle after processing <see cref="FromRoot"/> root messages / tickets.</summary>
internal sealed record IdleNotice(long FromRoot);

/// <summary>
/// Root → child, once per idle sweep to each child not known to be idle: the child answers <see cref="IdleNotice"/> only
/// when idle. Probing from the root finds children that turned idle through messages the root did not send (a client's
/// Close sent to the peer actor directly), at one message per child per sweep interval rather than one per stream cycle.
/// </summary>
internal sealed record IdleProbe : IFromRoot
{
    public static readonly IdleProbe Instance = new();
}

/// <summary>Messages the root sends (or hands out tickets for) to a child; counted for the idle handshake.</summary>
internal interface IFromRoot;

/// <summary>Returns an unused ticket to a keyed actor (its reference was handed out but no chain reached it).</summary>
internal sealed record TicketReturn : IFromRoot
{
    public static readonly TicketReturn Instance = new();
}

/// <summary>
/// Root → peer: open a stream whose system+transient share is already reserved; or, for a combined open
/// (<see cref="SharedReserved"/>), the last step of the root's chain, delivered by the last shared leg: system, the
/// protocol scopes and the service scopes are reserved (transient was only checked), so the peer reserves the stream
/// and peer scopes, answers the client and, on a refusal, releases the shared legs itself.
/// </summary>
/// <param name="Name">Stream scope name.</param>
/// <param name="Direction">Direction.</param>
/// <param name="StreamLimit">Limit of the stream scope.</param>
/// <param name="ReplyTo">The client.</param>
/// <param name="Protocol">With the protocol to set at once (combined open), its id and actor (leased to the peer), else null.</param>
/// <param name="Service">With the service to set at once, its name and actor (leased to the peer), else null.</param>
/// <param name="SharedReserved">True when system and the protocol / service legs are already reserved (combined open).</param>
internal sealed record PeerOpenStream(string Name, Direction Direction, BaseLimit StreamLimit, IActorRef ReplyTo,
    (string Id, IActorRef Actor)? Protocol = null, (string Id, IActorRef Actor)? Service = null, bool SharedReserved = false) : IFromRoot;

/// <summary>
/// Peer → root, when the peer holds no reference to the protocol / service actor a chain must reach: the root leases
/// the actor to the peer (answers <see cref="Leased"/> first), then forwards the one-leg chain to it as a ticket.
/// </summary>
/// <param name="Kind"><see cref="ScopeClass.Protocol"/> or <see cref="ScopeClass.Service"/>.</param>
/// <param name="Id">Protocol id or service name (already validated by the peer).</param>
/// <param name="Delta">What to reserve.</param>
/// <param name="Priority">Reservation priority.</param>
/// <param name="Scopes">The keyed scope and its sub-peer scope, in reservation order.</param>
/// <param name="Token">The peer's chain token.</param>
internal sealed record LeaseAndReserve(ScopeClass Kind, string Id, ScopeStat Delta, byte Priority, string[] Scopes, long Token);

/// <summary>Root → peer: the actor of a protocol / service, which the root will not stop while the peer lives.</summary>
internal sealed record Leased(ScopeClass Kind, string Id, IActorRef Actor, string[] Scopes);

/// <summary>Root → child: new limit for a scope it owns.</summary>
internal sealed record ChildSetLimit(string Scope, BaseLimit Limit, IActorRef ReplyTo) : IFromRoot;

/// <summary>Root → child: report the usage of its main keyed scope.</summary>
internal sealed record CollectStat(string Key, IActorRef ReplyTo) : IFromRoot;

/// <summary>Child → collector: usage of a keyed scope.</summary>
internal sealed record CollectedStat(string Key, ScopeStat Stat);

/// <summary>A request routed by the root to a child (counted by both for the idle handshake).</summary>
internal sealed record Routed(object Request, IActorRef ReplyTo) : IFromRoot;
