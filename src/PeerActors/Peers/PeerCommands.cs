namespace PeerActors.Peers;

/// <summary>
/// A message addressed to one peer actor. <see cref="EntityId"/> is the sharding entity id: the peer id,
/// or for <see cref="RecordBytes"/> the session id when no peer id is given (Lantern fallback, SPEC §1).
/// Every command is answered with <see cref="CommandAck"/> or <see cref="CommandRejected"/> when it was
/// sent with a sender (Ask); fire-and-forget (Tell without sender) gets no reply.
/// </summary>
public interface IPeerMessage
{
    /// <summary>The sharding entity id (peer id) the message is routed to.</summary>
    string EntityId { get; }
}

/// <summary>An observation about a peer; <see cref="ObservedAt"/> is the instant it happened (UTC), never the wall clock.</summary>
public interface IPeerObservation : IPeerMessage
{
    /// <summary>When the observation happened (SPEC §1).</summary>
    DateTimeOffset ObservedAt { get; }
}

/// <summary>
/// Durability class of SPEC §8. <see cref="Critical"/> commands are persisted before they are
/// acknowledged; <see cref="HighRate"/> ones are applied at once and persisted as coalesced events
/// at most every flush interval (a crash may lose at most one interval of them).
/// </summary>
public enum Durability
{
    /// <summary>Request outcomes, RTT samples, byte counts, online/offline flaps.</summary>
    HighRate,
    /// <summary>Payments, receipts, defaults, channel open/close, bans, forget.</summary>
    Critical,
}

/// <summary>A request was sent to the peer (<c>record_request(bytes)</c>). High-rate.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Bytes">Bytes sent in the request (≥ 0).</param>
/// <param name="ObservedAt">When it was sent.</param>
public sealed record RecordRequest(string PeerId, long Bytes, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>The peer answered (<c>record_success(rtt_ms, bytes, now)</c>). High-rate.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="RttMs">Round-trip time, ms (finite, ≥ 0).</param>
/// <param name="Bytes">Bytes received in the answer (≥ 0).</param>
/// <param name="ObservedAt">When the answer arrived.</param>
public sealed record RecordSuccess(string PeerId, double RttMs, long Bytes, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>A request to the peer timed out (<c>record_timeout(now)</c>). High-rate.</summary>
public sealed record RecordTimeout(string PeerId, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>A request to the peer failed: bad data, disconnect, refused by limits… (<c>record_failure(now)</c>). High-rate.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="ObservedAt">When it failed.</param>
/// <param name="Reason">Optional free-text reason (not persisted in aggregates).</param>
public sealed record RecordFailure(string PeerId, DateTimeOffset ObservedAt, string? Reason = null) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>
/// Bytes moved with the peer on any connection or session (SPEC §5). Attributed to <see cref="PeerId"/>,
/// or to <see cref="SessionId"/> when the peer id is missing (Lantern fallback). High-rate.
/// </summary>
/// <param name="PeerId">The peer, or null.</param>
/// <param name="SessionId">The consumer session, used when <paramref name="PeerId"/> is null or empty.</param>
/// <param name="Direction">Ingress (from the peer) or egress (to the peer).</param>
/// <param name="Bytes">Byte count (≥ 0).</param>
/// <param name="ObservedAt">When they moved.</param>
public sealed record RecordBytes(string? PeerId, string? SessionId, TrafficDirection Direction, long Bytes, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => string.IsNullOrEmpty(PeerId) ? SessionId ?? string.Empty : PeerId;
}

/// <summary>The peer came online (lnd peer online event; counts as a flap). High-rate.</summary>
public sealed record PeerOnline(string PeerId, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>The peer went offline (lnd peer offline event; counts as a flap). High-rate.</summary>
public sealed record PeerOffline(string PeerId, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>
/// The peer was seen serving a protocol and/or a service (e.g. a stream set to that protocol/service in
/// the limit scopes). Used as a selection filter tag (SPEC §3). High-rate; idempotent.
/// </summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Protocol">Protocol id, e.g. <c>/p2p-live/chunk/1.0.0</c>, or null.</param>
/// <param name="Service">Service name, e.g. <c>streaming</c>, or null.</param>
/// <param name="ObservedAt">When it was seen.</param>
public sealed record PeerServes(string PeerId, string? Protocol, string? Service, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>A channel with the peer was opened (lnd addChannel). Critical.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="ChannelId">Channel id, unique per peer (e.g. <c>txid:index</c>).</param>
/// <param name="ObservedAt">When it opened.</param>
public sealed record OpenChannel(string PeerId, string ChannelId, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>A channel with the peer was closed (lnd removeChannel). Critical.</summary>
public sealed record CloseChannel(string PeerId, string ChannelId, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>We paid the peer out of band (<c>record_payment(amount)</c>), sat. Critical.</summary>
public sealed record RecordPayment(string PeerId, long AmountSat, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>The peer paid us after delivery (<c>record_receipt(amount)</c>), sat. Critical.</summary>
public sealed record RecordReceipt(string PeerId, long AmountSat, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>The peer failed to pay after delivery (<c>record_payment_default(now)</c>). Critical.</summary>
public sealed record RecordPaymentDefault(string PeerId, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>
/// Bans the peer until <paramref name="Until"/> or for <paramref name="Duration"/> from <paramref name="ObservedAt"/>
/// (exactly one of them), for <paramref name="Reason"/>. Critical: persisted (<c>peer-banned.v1</c>) before the ack.
/// While the ban is in force (observation clock) the peer is refused at its <c>peer:ID</c> limit scope and excluded
/// from every selection strategy; a new ban replaces the current one. Banning a peer with no history creates it.
/// </summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Until">End of the ban (UTC), or null when <paramref name="Duration"/> is given.</param>
/// <param name="Duration">Length of the ban (&gt; 0), or null when <paramref name="Until"/> is given.</param>
/// <param name="Reason">Why (1–256 printable characters).</param>
/// <param name="ObservedAt">When the ban was decided (observation clock).</param>
public sealed record Ban(string PeerId, DateTimeOffset? Until, TimeSpan? Duration, string Reason, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>
/// Lifts the peer's ban. Critical: persisted (<c>peer-unbanned.v1</c>) before the ack; idempotent (a peer without a
/// ban record is acknowledged without a write).
/// </summary>
/// <param name="PeerId">The peer.</param>
/// <param name="ObservedAt">When the ban was lifted.</param>
public sealed record Unban(string PeerId, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>Erases the peer: its events and snapshots are deleted and the actor stops. Critical.</summary>
public sealed record Forget(string PeerId, DateTimeOffset ObservedAt) : IPeerObservation
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>Query: every field of the peer's statistics with its scores. Answered with <see cref="PeerStatsReply"/>.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Now">Instant the time-dependent values are computed at (null: the node's TimeProvider).</param>
public sealed record GetPeerStats(string PeerId, DateTimeOffset? Now = null) : IPeerMessage
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>Query: uptime of one channel over its life (lnd GetChannelUptime). Answered with <see cref="ChannelUptimeReply"/>.</summary>
public sealed record GetChannelUptime(string PeerId, string ChannelId, DateTimeOffset? Now = null) : IPeerMessage
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>Query: flap count and last flap (lnd GetFlapCount). Answered with <see cref="FlapCountReply"/>.</summary>
public sealed record GetFlapCount(string PeerId) : IPeerMessage
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>Query: bytes attributed to the peer, in total and per epoch. Answered with <see cref="BandwidthReply"/>.</summary>
public sealed record GetBandwidth(string PeerId) : IPeerMessage
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}
