using System.Net;

namespace PeerActors.Limits;

/// <summary>
/// Addresses one scope of the limit-actor hierarchy: by <see cref="Name"/> (<c>system</c>, <c>transient</c>,
/// <c>allowlistedSystem</c>, <c>allowlistedTransient</c>, <c>svc:NAME</c>, <c>svc:NAME.peer:ID</c>,
/// <c>protocol:ID</c>, <c>protocol:ID.peer:ID</c>, <c>peer:ID</c>, <c>conn-N</c>, and spans <c>…span-N</c>), and,
/// for stream and stream-span scopes, by the actor that owns it (<see cref="Owner"/>). Requests go to the root
/// (<c>LimitsKey</c>), which routes them to the owning actor, or answers "resource scope closed" when it is gone;
/// requests on a stream scope may also be sent to its <see cref="Owner"/> directly (as <see cref="LimitsClient"/> does,
/// saving the hop through the root), with the same answers, "resource scope closed" included once the owner is gone.
/// </summary>
/// <param name="Name">Scope name.</param>
/// <param name="Owner">Actor owning the scope's counters when known (required for streams and stream spans), else null.</param>
public sealed record ScopeRef(string Name, IActorRef? Owner = null)
{
    /// <summary>A named scope owned by the root or a keyed actor, e.g. <c>ScopeRef.Named("peer:QmX")</c>.</summary>
    public static ScopeRef Named(string name) => new(name);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>An open connection scope <c>conn-N</c>; its counters live in the root (system) actor.</summary>
/// <param name="Name">Scope name <c>conn-N</c>.</param>
/// <param name="Direction">Direction.</param>
/// <param name="UsesFd">Whether it holds a file descriptor.</param>
/// <param name="Owner">The root actor.</param>
public sealed record ConnectionHandle(string Name, Direction Direction, bool UsesFd, IActorRef Owner)
{
    /// <summary>The scope address for memory, span, stat and close messages.</summary>
    public ScopeRef Ref => new(Name, Owner);
}

/// <summary>An open stream scope <c>stream-N</c>; its counters live in the actor of <c>peer:PeerId</c>.</summary>
/// <param name="Name">Scope name <c>stream-N</c>.</param>
/// <param name="PeerId">Remote peer.</param>
/// <param name="Direction">Direction.</param>
/// <param name="Owner">The peer actor owning the stream.</param>
public sealed record StreamHandle(string Name, string PeerId, Direction Direction, IActorRef Owner)
{
    /// <summary>The scope address for memory, span, stat and close messages.</summary>
    public ScopeRef Ref => new(Name, Owner);
}

/// <summary>An open user-transaction span <c>PARENT.span-N</c>, owned by the actor that owns its parent scope.</summary>
/// <param name="Name">Span name.</param>
/// <param name="Owner">Owning actor.</param>
public sealed record SpanHandle(string Name, IActorRef Owner)
{
    /// <summary>The scope address for memory, span, stat and done messages.</summary>
    public ScopeRef Ref => new(Name, Owner);
}

// ------------------------------------------------------------------------------------------ requests

/// <summary>Marker of every request understood by the limit actors; each is answered to <c>Sender</c> with a <see cref="LimitsReply"/>.</summary>
public interface ILimitsRequest;

/// <summary>
/// Opens a connection scope (rcmgr <c>OpenConnection</c>), sent to the root. Checks the per-subnet limit of
/// <paramref name="Endpoint"/>, then reserves one connection (and one FD) on conn-N, transient and system, or —
/// when refused and the endpoint is allowlisted — on the allowlisted pair. Reply: <see cref="ConnectionOpened"/> or <see cref="LimitRefused"/>.
/// </summary>
/// <param name="Direction">Direction.</param>
/// <param name="UsesFd">Whether the connection holds a file descriptor.</param>
/// <param name="Endpoint">Remote IP address, or null when unknown.</param>
public sealed record OpenConnection(Direction Direction, bool UsesFd, IPAddress? Endpoint) : ILimitsRequest;

/// <summary>
/// Attaches a connection to a peer (rcmgr <c>SetPeer</c>), sent to the root: moves its usage from transient to
/// <c>peer:ID</c>. A peer banned at <paramref name="At"/> is refused at <c>peer:ID</c> (the message names the ban and
/// its expiry). Reply: <see cref="LimitsAck"/> or <see cref="LimitRefused"/>.
/// </summary>
/// <param name="Connection">The connection.</param>
/// <param name="PeerId">Peer id.</param>
/// <param name="At">Observation instant deciding whether a ban is in force; null = the root's TimeProvider.</param>
public sealed record SetPeer(ConnectionHandle Connection, string PeerId, DateTimeOffset? At = null) : ILimitsRequest;

/// <summary>
/// Opens a stream scope to a peer (rcmgr <c>OpenStream</c>), sent to the root: system + transient + peer. A peer
/// banned at <paramref name="At"/> is refused at <c>peer:ID</c>. Reply: <see cref="StreamOpened"/> or <see cref="LimitRefused"/>.
/// <para>With <paramref name="Protocol"/> (and optionally <paramref name="Service"/>) it is rcmgr's
/// <c>OpenStream</c> + <c>SetProtocol</c> (+ <c>SetService</c>) in one request and one reservation chain (fewer actor
/// hops and one round trip instead of three), all or nothing: on a refusal nothing stays reserved and no stream is
/// opened (with separate calls a refused <c>SetProtocol</c> leaves the stream open).</para>
/// </summary>
/// <param name="PeerId">Peer id.</param>
/// <param name="Direction">Direction.</param>
/// <param name="At">Observation instant deciding whether a ban is in force; null = the root's TimeProvider.</param>
/// <param name="Protocol">Protocol to set at once, or null.</param>
/// <param name="Service">Service to set at once (requires <paramref name="Protocol"/>), or null.</param>
public sealed record OpenStream(string PeerId, Direction Direction, DateTimeOffset? At = null, string? Protocol = null, string? Service = null) : ILimitsRequest;

/// <summary>
/// Sets a stream's protocol (rcmgr <c>SetProtocol</c>), sent to the stream's owner (<see cref="StreamHandle.Owner"/>, as
/// <see cref="LimitsClient"/> does) or to the root, which routes it there: reserves in protocol and protocol-peer, then
/// releases transient. Reply: <see cref="LimitsAck"/>, <see cref="LimitRefused"/> naming the refusing scope, or
/// <see cref="LimitsFailure"/> (invalid protocol id; stream closed; protocol already set).
/// </summary>
/// <param name="Stream">The stream.</param>
/// <param name="Protocol">Protocol id.</param>
public sealed record SetProtocol(StreamHandle Stream, string Protocol) : ILimitsRequest;

/// <summary>
/// Sets a stream's service (rcmgr <c>SetService</c>; requires a protocol), sent to the stream's owner or to the root
/// (see <see cref="SetProtocol"/>): adds service and service-peer. Reply: <see cref="LimitsAck"/>,
/// <see cref="LimitRefused"/>, or <see cref="LimitsFailure"/> (invalid name; stream closed; no protocol yet; service already set).
/// </summary>
/// <param name="Stream">The stream.</param>
/// <param name="Service">Service name.</param>
public sealed record SetService(StreamHandle Stream, string Service) : ILimitsRequest;

/// <summary>
/// Reserves memory on a scope and every scope it is constrained by: succeeds when
/// <c>current + size ≤ limit·(1+priority)/256</c> on each (priorities in <see cref="ReservationPriority"/>).
/// Reply: <see cref="LimitsAck"/>, <see cref="LimitRefused"/>, or <see cref="LimitsFailure"/> for a negative size or closed scope.
/// </summary>
/// <param name="Scope">Target scope.</param>
/// <param name="Size">Bytes, ≥ 0.</param>
/// <param name="Priority">0–255.</param>
public sealed record ReserveMemory(ScopeRef Scope, long Size, byte Priority = ReservationPriority.Always) : ILimitsRequest;

/// <summary>Releases memory on a scope and its edges (clamped at zero, as rcmgr). Reply: <see cref="LimitsAck"/>.</summary>
/// <param name="Scope">Target scope.</param>
/// <param name="Size">Bytes, ≥ 0.</param>
public sealed record ReleaseMemory(ScopeRef Scope, long Size) : ILimitsRequest;

/// <summary>Starts a user transaction span under a scope (rcmgr <c>BeginSpan</c>). Reply: <see cref="SpanOpened"/>.</summary>
/// <param name="Scope">Parent scope (any scope, including another span).</param>
public sealed record BeginSpan(ScopeRef Scope) : ILimitsRequest;

/// <summary>Ends a span (rcmgr <c>Done</c>): releases what it reserved. Idempotent. Reply: <see cref="LimitsAck"/>.</summary>
/// <param name="Span">The span.</param>
public sealed record Done(ScopeRef Span) : ILimitsRequest;

/// <summary>
/// Closes a connection, stream or span scope, releasing everything it holds. Reply: <see cref="LimitsAck"/> (or
/// <see cref="LimitsFailure"/> if already closed), once no request sent after it can see the closed scope's usage or be
/// refused for it (a stream's protocol / service share may be held by the root meanwhile, see
/// <see cref="LimitsOptions.HeldReleaseDelay"/>, but is sent before anything can observe it).
/// </summary>
/// <param name="Scope">The scope.</param>
public sealed record Close(ScopeRef Scope) : ILimitsRequest;

/// <summary>
/// Closes a stream without an answer (rcmgr's <c>StreamScope.Done()</c> returns nothing), sent to the stream's owner
/// (<see cref="StreamHandle.Owner"/>, as <see cref="LimitsClient.CloseStream"/> does) or to the root, which routes it
/// there. Not a request: nothing is answered, and a stream already closed (or whose owner is gone) is ignored. The
/// releases are in flight when it is sent, not applied: a request sent afterwards may still see the stream's usage in
/// the shared scopes and be refused for it (never over-committed: a late release can only refuse). Use
/// <see cref="Close"/> when the next request must see the stream released: its answer comes after the releases reached
/// the root.
/// </summary>
/// <param name="Stream">The stream.</param>
public sealed record CloseStreamOneWay(StreamHandle Stream);

/// <summary>Usage and limit of one scope. Reply: <see cref="ScopeStatReply"/> (zero usage for a keyed scope that is not live).</summary>
/// <param name="Scope">The scope.</param>
public sealed record GetStat(ScopeRef Scope) : ILimitsRequest;

/// <summary>Lists the live service scopes with their stats, sent to the root. Reply: <see cref="ScopeList"/>.</summary>
public sealed record ListServices : ILimitsRequest
{
    /// <summary>The instance.</summary>
    public static readonly ListServices Instance = new();
}

/// <summary>Lists the live protocol scopes with their stats, sent to the root. Reply: <see cref="ScopeList"/>.</summary>
public sealed record ListProtocols : ILimitsRequest
{
    /// <summary>The instance.</summary>
    public static readonly ListProtocols Instance = new();
}

/// <summary>Lists the live peer scopes with their stats, sent to the root. Reply: <see cref="ScopeList"/>.</summary>
public sealed record ListPeers : ILimitsRequest
{
    /// <summary>The instance.</summary>
    public static readonly ListPeers Instance = new();
}

/// <summary>
/// Sets a limit at run time (rcmgr <c>SetLimit</c>), sent to the root. <c>system</c>, <c>transient</c>, the
/// allowlisted pair, <c>svc:</c>, <c>protocol:</c> and <c>peer:</c> scopes are also recorded in the config (apply when
/// created later); <c>svc:X.peer:P</c>, <c>protocol:X.peer:P</c> and <c>conn-N</c> must be live. Usage above the new
/// limit is kept. Reply: <see cref="LimitsAck"/> or <see cref="LimitsFailure"/>.
/// </summary>
/// <param name="Scope">Scope name.</param>
/// <param name="Limit">New limit.</param>
public sealed record SetLimit(string Scope, BaseLimit Limit) : ILimitsRequest;

/// <summary>
/// Lists the bans this node's limit actors enforce (learnt from the peers' score inputs), in force at
/// <paramref name="Now"/>. Reply: <see cref="BanListReply"/>.
/// </summary>
/// <param name="Now">Observation instant; null = the root's TimeProvider.</param>
public sealed record ListBans(DateTimeOffset? Now = null) : ILimitsRequest;

/// <summary>
/// A run-time limit change of a configurable scope (<c>limits set</c>): <c>system</c>, <c>transient</c>,
/// <c>allowlistedSystem</c>, <c>allowlistedTransient</c>, <c>svc:NAME</c>, <c>protocol:ID</c>, <c>peer:ID</c>. Fields
/// of <see cref="LimitChange.Values"/> are set, fields of <see cref="LimitChange.Reset"/> fall back to the limits file
/// or the scaled defaults, others keep their value. Critical: written to the node's set file
/// (<see cref="LimitsOptions.SetFile"/>) before it applies and is acknowledged; reapplied at start. Reply:
/// <see cref="LimitChanged"/>, or <see cref="LimitsFailure"/> naming the scope (unknown kind, path-like or live-only
/// name) or the file (write failed: nothing changed).
/// </summary>
/// <param name="Scope">Scope name.</param>
/// <param name="Change">The change.</param>
public sealed record ChangeLimit(string Scope, LimitChange Change) : ILimitsRequest;

/// <summary>
/// Explains the limit of <c>peer:ID</c> at <paramref name="Now"/>: an explicit <c>Peer[ID]</c>, or <c>PeerDefault</c>
/// (scaled by the reputation policy when configured), and a ban in force. Reply: <see cref="PeerLimitExplained"/>.
/// </summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Now">Observation instant; null = the root's TimeProvider.</param>
public sealed record ExplainPeerLimit(string PeerId, DateTimeOffset? Now = null) : ILimitsRequest;

/// <summary>Reply to <see cref="ExplainPeerLimit"/>.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Limit">The limit its peer scope gets (before a ban).</param>
/// <param name="Why">Where it comes from, e.g. <c>reputation: backed off until …: PeerDefault × 0.25</c>.</param>
/// <param name="BannedUntil">End of a ban in force, else null.</param>
/// <param name="PolicyEnabled">Whether a reputation policy is configured.</param>
public sealed record PeerLimitExplained(string PeerId, BaseLimit Limit, string Why, DateTimeOffset? BannedUntil, bool PolicyEnabled) : LimitsReply;

/// <summary>Returns the limit configuration in force, sent to the root. Reply: <see cref="LimitsConfigReply"/>.</summary>
public sealed record GetLimits : ILimitsRequest
{
    /// <summary>The instance.</summary>
    public static readonly GetLimits Instance = new();
}

// ------------------------------------------------------------------------------------------ replies

/// <summary>Base of every reply of the limit actors.</summary>
public abstract record LimitsReply;

/// <summary>The operation succeeded.</summary>
public sealed record LimitsAck : LimitsReply
{
    /// <summary>The instance.</summary>
    public static readonly LimitsAck Instance = new();
}

/// <summary>
/// A reservation refused because a limit would be exceeded; nothing was reserved (all partial reservations were
/// rolled back). <see cref="Message"/> is rcmgr's text, e.g. <c>system: cannot reserve inbound connection: resource limit exceeded</c>.
/// </summary>
/// <param name="Scope">Name of the refusing scope.</param>
/// <param name="ScopeClass">Its class.</param>
/// <param name="Resource">Resource refused.</param>
/// <param name="Direction">Direction of the refused limit; null for totals, FDs and memory.</param>
/// <param name="Current">Usage before the attempt (count or bytes).</param>
/// <param name="Attempted">Amount requested.</param>
/// <param name="Limit">Limit in force (for memory the raw limit, before the priority fraction).</param>
/// <param name="Message">rcmgr's error text.</param>
/// <param name="BannedUntil">When the refusal is a ban of the peer: its end (UTC); else null.</param>
/// <param name="BanReason">When the refusal is a ban: its reason.</param>
public sealed record LimitRefused(
    string Scope, ScopeClass ScopeClass, ResourceKind Resource, Direction? Direction,
    long Current, long Attempted, long Limit, string Message, DateTimeOffset? BannedUntil = null, string? BanReason = null) : LimitsReply
{
    /// <summary>Converts from the Core refusal.</summary>
    public static LimitRefused From(ResourceLimitExceededException e) =>
        new(e.ScopeName, e.ScopeClass, e.Resource, e.Direction, e.Current, e.Attempted, e.Limit, e.Message, e.BannedUntil, e.BanReason);

    /// <summary>Converts from the Core refusal; null stays null (no refusal).</summary>
    internal static LimitRefused? FromOrNull(ResourceLimitExceededException? e) => e is null ? null : From(e);

    /// <summary>The Core exception equivalent (for throwing).</summary>
    public ResourceLimitExceededException ToException() =>
        BannedUntil is { } until && Scope.StartsWith("peer:", StringComparison.Ordinal)
            ? ResourceLimitExceededException.Banned(Scope[5..], Resource, Direction ?? Core.ResourceManager.Direction.Inbound,
                new Core.Bans.PeerBan(until, BanReason ?? "", until))
            : new(Scope, ScopeClass, Resource, Direction, Current, Attempted, Limit);
}

/// <summary>A request that is invalid (bad input, closed or unknown scope, wrong state); nothing changed.</summary>
/// <param name="Field">Offending field (e.g. <c>peerId</c>, <c>size</c>, <c>scope</c>).</param>
/// <param name="Message">What is wrong.</param>
public sealed record LimitsFailure(string Field, string Message) : LimitsReply;

/// <summary>Reply to <see cref="OpenConnection"/>.</summary>
/// <param name="Connection">The new connection.</param>
public sealed record ConnectionOpened(ConnectionHandle Connection) : LimitsReply;

/// <summary>Reply to <see cref="OpenStream"/>.</summary>
/// <param name="Stream">The new stream.</param>
public sealed record StreamOpened(StreamHandle Stream) : LimitsReply;

/// <summary>Reply to <see cref="BeginSpan"/>.</summary>
/// <param name="Span">The new span.</param>
public sealed record SpanOpened(SpanHandle Span) : LimitsReply;

/// <summary>Reply to <see cref="GetStat"/>.</summary>
/// <param name="Scope">Scope name.</param>
/// <param name="Stat">Current usage.</param>
/// <param name="Limit">Limit in force.</param>
public sealed record ScopeStatReply(string Scope, ScopeStat Stat, BaseLimit Limit) : LimitsReply;

/// <summary>Reply to <see cref="ListServices"/>, <see cref="ListProtocols"/> and <see cref="ListPeers"/>: key (service name / protocol id / peer id) → usage.</summary>
/// <param name="Scopes">Live scopes, keyed by their key.</param>
public sealed record ScopeList(IReadOnlyDictionary<string, ScopeStat> Scopes) : LimitsReply;

/// <summary>Reply to <see cref="GetLimits"/>.</summary>
/// <param name="Limits">The limits in force (after run-time changes).</param>
/// <param name="Layers">Their layers (defaults, file, run-time set), for where each value comes from; null when unknown.</param>
/// <param name="SetFile">Where run-time changes are persisted; null when they are not.</param>
public sealed record LimitsConfigReply(ConcreteLimitConfig Limits, LimitLayers? Layers = null, string? SetFile = null) : LimitsReply;

/// <summary>Reply to <see cref="ChangeLimit"/>.</summary>
/// <param name="Scope">The scope.</param>
/// <param name="Previous">Its limit before.</param>
/// <param name="Limit">Its limit now.</param>
/// <param name="PersistedTo">The file the change was written to before this reply; null when changes are not persisted.</param>
public sealed record LimitChanged(string Scope, BaseLimit Previous, BaseLimit Limit, string? PersistedTo) : LimitsReply;

/// <summary>Reply to <see cref="ListBans"/>: peer id → ban in force, ordinal order.</summary>
/// <param name="Bans">The bans.</param>
public sealed record BanListReply(IReadOnlyList<(string PeerId, Core.Bans.PeerBan Ban)> Bans) : LimitsReply;
