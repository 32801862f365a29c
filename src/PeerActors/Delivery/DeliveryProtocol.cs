using PeerActors.Peers;

namespace PeerActors.Delivery;

// Wire protocol between a PeerDeliveryProducer and the peer actors. Users never build these: they Tell or Ask the
// producer (or use PeerActorsClient) with the public commands of PeerCommands.cs.

/// <summary>
/// One observation of an <see cref="ObservationBatch"/>, at sequence number <c>FirstSeqNr + index</c>.
/// </summary>
/// <param name="Observation">A high-rate observation or a critical command (payment, receipt, default, channel open/close).</param>
/// <param name="ReplyRequested">True when a caller awaits the outcome (an Ask on the producer): the peer actor reports a
/// rejection of this item in its next <see cref="DeliveryAck"/> and acks the batch at once.</param>
public sealed record DeliveryItem(IPeerObservation Observation, bool ReplyRequested);

/// <summary>
/// Observations for one peer from one producer, with contiguous sequence numbers
/// <see cref="FirstSeqNr"/> … <c>FirstSeqNr + Items.Count − 1</c> (per producer and peer, from 1). Routed by the shard
/// region like any <see cref="IPeerMessage"/>. The peer actor applies each sequence number at most once (items at or
/// below its mark are duplicates of a resend) and in order (a batch that starts after a gap is refused with
/// <see cref="DeliveryAck.ResendFrom"/>).
/// </summary>
/// <param name="PeerId">The peer (sharding entity id).</param>
/// <param name="ProducerId">Stable id of the producer incarnation, e.g. <c>127.0.0.1:4053/1f2e…</c>.</param>
/// <param name="Producer">Where acks go.</param>
/// <param name="FirstSeqNr">Sequence number of <c>Items[0]</c> (≥ 1).</param>
/// <param name="ConfirmedSeqNr">Every sequence number up to this one was confirmed persisted by this peer and will never be
/// resent; a peer actor whose mark is lower lost that history (forget, mark eviction) and continues after it.</param>
/// <param name="Items">The observations, in the order they were produced (≥ 1).</param>
public sealed record ObservationBatch(
    string PeerId,
    string ProducerId,
    IActorRef Producer,
    long FirstSeqNr,
    long ConfirmedSeqNr,
    IReadOnlyList<DeliveryItem> Items) : IPeerMessage
{
    /// <inheritdoc />
    public string EntityId => PeerId;

    /// <summary>Sequence number of the last item.</summary>
    public long LastSeqNr => FirstSeqNr + Items.Count - 1;
}

/// <summary>A rejected item of a batch (reported only for items with <see cref="DeliveryItem.ReplyRequested"/>).</summary>
/// <param name="SeqNr">The item's sequence number.</param>
/// <param name="Rejection">Why (the same reply a direct Ask gets).</param>
public sealed record ItemRejection(long SeqNr, CommandRejected Rejection);

/// <summary>
/// A peer actor's cumulative acknowledgement to a producer. Sent after a flush or critical write is persisted (for the
/// producers whose items it covered), at once for a batch with a reply-requested item, a duplicate or a gap.
/// </summary>
/// <param name="PeerId">The peer.</param>
/// <param name="ProducerId">The producer the marks are for.</param>
/// <param name="AppliedSeqNr">Every item up to this one is applied to the peer's in-memory state.</param>
/// <param name="PersistedSeqNr">Every item up to this one is in the journal: the producer may forget it.</param>
/// <param name="ResendFrom">0, or the next sequence number the peer expects after refusing a batch that started later.</param>
/// <param name="Rejections">Rejected reply-requested items.</param>
public sealed record DeliveryAck(
    string PeerId,
    string ProducerId,
    long AppliedSeqNr,
    long PersistedSeqNr,
    long ResendFrom,
    IReadOnlyList<ItemRejection> Rejections);

/// <summary>A producer's mark stored with a peer's events: every item up to <see cref="SeqNr"/> is in the journal.</summary>
/// <param name="ProducerId">The producer.</param>
/// <param name="SeqNr">Highest persisted sequence number.</param>
public sealed record DeliveryMark(string ProducerId, long SeqNr);

/// <summary>
/// Ask the producer: answered with <see cref="DeliveryDrained"/> once at most <paramref name="MaxUnconfirmed"/> items
/// are still waiting to be confirmed persisted. A client's backpressure and end-of-run barrier.
/// </summary>
/// <param name="MaxUnconfirmed">Threshold (≥ 0; 0 = everything sent so far is persisted).</param>
public sealed record AwaitDrained(long MaxUnconfirmed);

/// <summary>Answer to <see cref="AwaitDrained"/>.</summary>
/// <param name="Unconfirmed">Items still unconfirmed when answered.</param>
public sealed record DeliveryDrained(long Unconfirmed);

/// <summary>Ask the producer for its counters; answered with <see cref="DeliveryStats"/>.</summary>
public sealed record GetDeliveryStats
{
    /// <summary>The single instance.</summary>
    public static GetDeliveryStats Instance { get; } = new();
}

/// <summary>A producer's counters since it started.</summary>
/// <param name="Produced">Items accepted.</param>
/// <param name="Unconfirmed">Items waiting for a persisted ack.</param>
/// <param name="BatchesSent">Batches sent (first sends).</param>
/// <param name="ItemsResent">Items sent again after a missing ack or a gap.</param>
/// <param name="Refused">Items refused because the buffer was full.</param>
public sealed record DeliveryStats(long Produced, long Unconfirmed, long BatchesSent, long ItemsResent, long Refused);
