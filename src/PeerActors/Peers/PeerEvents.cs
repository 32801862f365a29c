using PeerActors.Core.Bandwidth;
using PeerActors.Core.Fitness;
using PeerActors.Core.Stats;

namespace PeerActors.Peers;

/// <summary>Marker of the events a <see cref="PeerActor"/> persists (each has a versioned manifest, see PeerSerializer).</summary>
public interface IPeerEvent;

/// <summary>
/// The whole state of one peer, absolute: statistics (SPEC §2), fitness log and channels (SPEC §4), bandwidth
/// (SPEC §5) and serving tags. Its size is bounded by the log cap and the bandwidth epoch retention.
/// </summary>
/// <param name="Stats">Statistics.</param>
/// <param name="Log">Fitness log (flap count, events, channels).</param>
/// <param name="Bandwidth">Attributed bytes, totals and per epoch.</param>
/// <param name="Protocols">Protocols the peer was seen serving, ordinal order.</param>
/// <param name="Services">Services the peer was seen serving, ordinal order.</param>
public sealed record PeerStateData(
    PeerStatsState Stats,
    PeerLogState Log,
    PeerBandwidthState Bandwidth,
    IReadOnlyList<string> Protocols,
    IReadOnlyList<string> Services)
{
    /// <summary>Structural equality (lists compared element by element).</summary>
    /// <param name="other">The value to compare with.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(PeerStateData? other) =>
        other is not null && Stats == other.Stats && Log == other.Log && Bandwidth == other.Bandwidth
        && Protocols.SequenceEqual(other.Protocols) && Services.SequenceEqual(other.Services);

    /// <summary>Hash over the parts.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(Stats, Log, Bandwidth, Protocols.Count, Services.Count);
}

/// <summary>
/// What happened in one flush window (explains an <see cref="ObservationsFlushed"/>): counts of the high-rate
/// observations applied since the previous flush.
/// </summary>
/// <param name="Requests">RecordRequest observations.</param>
/// <param name="Successes">RecordSuccess observations (each one RTT sample).</param>
/// <param name="Timeouts">RecordTimeout observations.</param>
/// <param name="Failures">RecordFailure observations.</param>
/// <param name="IngressBytes">Bytes attributed as ingress (RecordBytes).</param>
/// <param name="EgressBytes">Bytes attributed as egress (RecordBytes).</param>
/// <param name="OnlineEvents">PeerOnline observations (flaps).</param>
/// <param name="OfflineEvents">PeerOffline observations (flaps).</param>
/// <param name="Serves">PeerServes observations.</param>
public sealed record ObservationCounts(
    long Requests,
    long Successes,
    long Timeouts,
    long Failures,
    long IngressBytes,
    long EgressBytes,
    long OnlineEvents,
    long OfflineEvents,
    long Serves)
{
    /// <summary>No observation.</summary>
    public static ObservationCounts Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>
/// Coalesced high-rate event (manifest <c>peer-flushed.v1</c>): the observations applied in window
/// [<see cref="From"/>, <see cref="To"/>] (observation instants) and the resulting absolute state. Recovery sets the
/// state to <see cref="State"/>; at most one is written per flush interval per peer.
/// </summary>
/// <param name="From">Earliest observation instant in the window.</param>
/// <param name="To">Latest observation instant in the window.</param>
/// <param name="Counts">What happened in the window.</param>
/// <param name="State">The peer's state after the window.</param>
public sealed record ObservationsFlushed(DateTimeOffset From, DateTimeOffset To, ObservationCounts Counts, PeerStateData State) : IPeerEvent;

/// <summary>Critical event (manifest <c>peer-payment.v1</c>): we paid the peer <paramref name="AmountSat"/> sat.</summary>
public sealed record PaymentRecorded(long AmountSat, DateTimeOffset ObservedAt) : IPeerEvent;

/// <summary>Critical event (manifest <c>peer-receipt.v1</c>): the peer paid us <paramref name="AmountSat"/> sat.</summary>
public sealed record ReceiptRecorded(long AmountSat, DateTimeOffset ObservedAt) : IPeerEvent;

/// <summary>Critical event (manifest <c>peer-payment-default.v1</c>): the peer failed to pay after delivery.</summary>
public sealed record PaymentDefaultRecorded(DateTimeOffset ObservedAt) : IPeerEvent;

/// <summary>Critical event (manifest <c>peer-channel-opened.v1</c>): lnd addChannel.</summary>
public sealed record ChannelOpened(string ChannelId, DateTimeOffset ObservedAt) : IPeerEvent;

/// <summary>Critical event (manifest <c>peer-channel-closed.v1</c>): lnd removeChannel.</summary>
public sealed record ChannelClosed(string ChannelId, DateTimeOffset ObservedAt) : IPeerEvent;

/// <summary>Critical event (manifest <c>peer-banned.v1</c>): the peer is banned until <paramref name="Until"/> (see <see cref="Ban"/>).</summary>
/// <param name="Until">End of the ban (UTC, observation clock).</param>
/// <param name="Reason">Why.</param>
/// <param name="ObservedAt">When the ban was decided.</param>
public sealed record PeerBanned(DateTimeOffset Until, string Reason, DateTimeOffset ObservedAt) : IPeerEvent;

/// <summary>Critical event (manifest <c>peer-unbanned.v1</c>): the peer's ban was lifted.</summary>
/// <param name="ObservedAt">When.</param>
public sealed record PeerUnbanned(DateTimeOffset ObservedAt) : IPeerEvent;

/// <summary>
/// Snapshot of a peer actor (manifest <c>peer-snapshot.v2</c>; <c>peer-snapshot.v1</c>, without a ban, is read with
/// <see cref="Ban"/> = null).
/// </summary>
/// <param name="State">The absolute state at the snapshot's sequence number.</param>
/// <param name="Ban">The peer's latest ban (possibly expired), or null. Kept outside <see cref="PeerStateData"/> so that
/// the coalesced <see cref="ObservationsFlushed"/> events never carry or reset it.</param>
public sealed record PeerSnapshot(PeerStateData State, Core.Bans.PeerBan? Ban = null);

/// <summary>
/// Stop message of the peer entities (the sharding hand-off stop message, also used for idle passivation): the
/// actor persists any pending high-rate observations, then stops.
/// </summary>
public sealed record PeerStop
{
    /// <summary>The single instance.</summary>
    public static PeerStop Instance { get; } = new();
}
