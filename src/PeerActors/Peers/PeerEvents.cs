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
/// Coalesced high-rate event (manifest <c>peer-flushed.v2</c>, Protocol Buffers; <c>.v1</c> JSON still read): the observations applied in window
/// [<see cref="From"/>, <see cref="To"/>] (observation instants) and the resulting absolute state. Recovery sets the
/// state to <see cref="State"/>; at most one is written per flush interval per peer.
/// </summary>
/// <param name="From">Earliest observation instant in the window.</param>
/// <param name="To">Latest observation instant in the window.</param>
/// <param name="Counts">What happened in the window.</param>
/// <param name="State">The peer's state after the window.</param>
/// <param name="Deliveries">Reliable-delivery marks of the producers whose items the window applied (null: none; absent
/// from events written before reliable delivery existed).</param>
public sealed record ObservationsFlushed(DateTimeOffset From, DateTimeOffset To, ObservationCounts Counts, PeerStateData State,
    IReadOnlyList<DeliveryMark>? Deliveries = null) : IPeerEvent, IFlushEvent;

/// <summary>A coalesced high-rate event: <see cref="ObservationsFlushed"/> (whole state) or <see cref="ObservationsDelta"/> (the window's changes).</summary>
public interface IFlushEvent : IPeerEvent
{
    /// <summary>What happened in the window.</summary>
    ObservationCounts Counts { get; }

    /// <summary>Reliable-delivery marks of the producers whose items the window applied (null: none).</summary>
    IReadOnlyList<DeliveryMark>? Deliveries { get; }
}

/// <summary>
/// What one flush window changed (see <see cref="ObservationsDelta"/>): the statistics (a fixed-size record: counters,
/// the RTT estimator's new values, backoff, payments), the fitness log's window (events committed in it and the new
/// scalars; never the channel set), the bandwidth buckets touched, and the serving tags first seen.
/// </summary>
/// <param name="Stats">Statistics after the window.</param>
/// <param name="Log">Fitness-log changes.</param>
/// <param name="Bandwidth">Bandwidth changes.</param>
/// <param name="AddedProtocols">Protocols first seen in the window.</param>
/// <param name="AddedServices">Services first seen in the window.</param>
public sealed record PeerWindowState(
    PeerStatsState Stats,
    PeerLogWindow Log,
    PeerBandwidthWindow Bandwidth,
    IReadOnlyList<string> AddedProtocols,
    IReadOnlyList<string> AddedServices)
{
    /// <summary>Structural equality.</summary>
    /// <param name="other">The value to compare with.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(PeerWindowState? other) =>
        other is not null && Stats == other.Stats && Log == other.Log && Bandwidth == other.Bandwidth
        && AddedProtocols.SequenceEqual(other.AddedProtocols) && AddedServices.SequenceEqual(other.AddedServices);

    /// <summary>Hash over the parts.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(Stats, Log, Bandwidth, AddedProtocols.Count, AddedServices.Count);
}

/// <summary>
/// Coalesced high-rate event carrying only what the window changed (manifest <c>peer-flushed-delta.v2</c>, Protocol Buffers; <c>.v1</c> JSON still read): its size
/// follows the activity of the window, not the size of the peer's state (a sender with 1,000 channels or a 4,096-event
/// log writes a few hundred bytes per flush). Recovery applies it on the state before it, exactly. When a window
/// cannot be expressed this way (events committed in it were already compacted), the actor writes an
/// <see cref="ObservationsFlushed"/> with the whole state instead; snapshots bound the number of deltas replayed.
/// </summary>
/// <param name="From">Earliest observation instant in the window.</param>
/// <param name="To">Latest observation instant in the window.</param>
/// <param name="Counts">What happened in the window.</param>
/// <param name="Window">The changes; null when the window only moved delivery marks (every item in it was rejected).</param>
/// <param name="Deliveries">Reliable-delivery marks (null: none).</param>
public sealed record ObservationsDelta(DateTimeOffset From, DateTimeOffset To, ObservationCounts Counts, PeerWindowState? Window,
    IReadOnlyList<DeliveryMark>? Deliveries = null) : IFlushEvent
{
    /// <summary>Structural equality (delivery marks compared element by element).</summary>
    /// <param name="other">The event to compare with.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(ObservationsDelta? other) =>
        other is not null && From == other.From && To == other.To && Counts == other.Counts && Equals(Window, other.Window)
        && (Deliveries ?? []).SequenceEqual(other.Deliveries ?? []);

    /// <summary>Hash over the window bounds and the counts.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(From, To, Counts, Window);
}

/// <summary>Critical event (manifest <c>peer-payment.v2</c>; <c>.v1</c> still read): we paid the peer <paramref name="AmountSat"/> sat.</summary>
public sealed record PaymentRecorded(long AmountSat, DateTimeOffset ObservedAt, DeliveryMark? Delivery = null) : IPeerEvent, IDeliveredEvent;

/// <summary>Critical event (manifest <c>peer-receipt.v2</c>; <c>.v1</c> still read): the peer paid us <paramref name="AmountSat"/> sat.</summary>
public sealed record ReceiptRecorded(long AmountSat, DateTimeOffset ObservedAt, DeliveryMark? Delivery = null) : IPeerEvent, IDeliveredEvent;

/// <summary>Critical event (manifest <c>peer-payment-default.v2</c>; <c>.v1</c> still read): the peer failed to pay after delivery.</summary>
public sealed record PaymentDefaultRecorded(DateTimeOffset ObservedAt, DeliveryMark? Delivery = null) : IPeerEvent, IDeliveredEvent;

/// <summary>Critical event (manifest <c>peer-channel-opened.v2</c>; <c>.v1</c> still read): lnd addChannel.</summary>
public sealed record ChannelOpened(string ChannelId, DateTimeOffset ObservedAt, DeliveryMark? Delivery = null) : IPeerEvent, IDeliveredEvent;

/// <summary>Critical event (manifest <c>peer-channel-closed.v2</c>; <c>.v1</c> still read): lnd removeChannel.</summary>
public sealed record ChannelClosed(string ChannelId, DateTimeOffset ObservedAt, DeliveryMark? Delivery = null) : IPeerEvent, IDeliveredEvent;

/// <summary>
/// A critical event that may carry the idempotency key of the reliable-delivery item it came from (its producer and
/// sequence number): recovery restores the producer's mark from it, so a resend of the item is never applied twice.
/// </summary>
public interface IDeliveredEvent
{
    /// <summary>The item's key, or null when the command came by a direct Ask.</summary>
    DeliveryMark? Delivery { get; }
}

/// <summary>Critical event (manifest <c>peer-banned.v1</c>): the peer is banned until <paramref name="Until"/> (see <see cref="Ban"/>).</summary>
/// <param name="Until">End of the ban (UTC, observation clock).</param>
/// <param name="Reason">Why.</param>
/// <param name="ObservedAt">When the ban was decided.</param>
public sealed record PeerBanned(DateTimeOffset Until, string Reason, DateTimeOffset ObservedAt) : IPeerEvent;

/// <summary>Critical event (manifest <c>peer-unbanned.v1</c>): the peer's ban was lifted.</summary>
/// <param name="ObservedAt">When.</param>
public sealed record PeerUnbanned(DateTimeOffset ObservedAt) : IPeerEvent;

/// <summary>
/// Snapshot of a peer actor (manifest <c>peer-snapshot.v3</c>, Protocol Buffers; <c>peer-snapshot.v2</c> JSON is still
/// read, and <c>peer-snapshot.v1</c>, without a ban, is read with
/// <see cref="Ban"/> = null).
/// </summary>
/// <param name="State">The absolute state at the snapshot's sequence number.</param>
/// <param name="Ban">The peer's latest ban (possibly expired), or null. Kept outside <see cref="PeerStateData"/> so that
/// the coalesced <see cref="ObservationsFlushed"/> events never carry or reset it.</param>
/// <param name="Deliveries">Every remembered producer's persisted mark (null in snapshots written before reliable delivery).</param>
public sealed record PeerSnapshot(PeerStateData State, Core.Bans.PeerBan? Ban = null, IReadOnlyList<DeliveryMark>? Deliveries = null);

/// <summary>
/// Stop message of the peer entities (the sharding hand-off stop message, also used for idle passivation): the
/// actor persists any pending high-rate observations, then stops.
/// </summary>
public sealed record PeerStop
{
    /// <summary>The single instance.</summary>
    public static PeerStop Instance { get; } = new();
}
