using System.Diagnostics;
using PeerActors.Peers;

namespace PeerActors.Delivery;

/// <summary>
/// One per ActorSystem (<c>/user/peer-delivery</c>, registry key <c>PeerDeliveryKey</c>): the reliable way into the peer
/// actors. Observations and critical commands told or asked to it are numbered per peer, sent to the shard region (or
/// proxy) in batches every <see cref="DeliverySettings.BatchInterval"/>, kept until the peer actor confirms them
/// persisted, and sent again when no ack comes within <see cref="DeliverySettings.ResendAfter"/> — through a rebalance
/// hand-off, a node leaving or a node crash. The peer actor applies each item once (<see cref="DeliveryInbox{TRef}"/>).
/// </summary>
/// <remarks>
/// <para>Tell (no sender): fire-and-forget. Ask: a high-rate observation is answered <see cref="CommandAck"/>
/// (<see cref="Durability.HighRate"/>) once applied, a critical command once persisted, or with the peer's
/// <see cref="CommandRejected"/>; an invalid peer id is rejected here. Other peer messages (queries) and commands that do not travel in batches (<see cref="Forget"/>, bans) are forwarded to the region unchanged. Per peer, items keep the order in which this producer received them.</para>
/// <para>When <see cref="DeliverySettings.MaxUnconfirmed"/> items are waiting, new ones are refused (told: dropped and
/// counted in <c>peeractors_delivery_refused</c>; asked: <c>unavailable</c>). <see cref="AwaitDrained"/> is the
/// backpressure and end-of-run barrier.</para>
/// </remarks>
public sealed class PeerDeliveryProducer : ReceiveActor, IWithTimers
{
    private readonly IActorRef _region;
    private readonly DeliveryOutbox<IActorRef> _outbox;
    private readonly List<(long Max, IActorRef ReplyTo)> _waiters = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DeliverySettings _settings;
    private long _refusedLogged;

    /// <summary>Creates the producer.</summary>
    /// <param name="region">The peer shard region or proxy.</param>
    /// <param name="settings">Settings.</param>
    /// <param name="producerId">Stable id of this incarnation (unique in the cluster's lifetime).</param>
    public PeerDeliveryProducer(IActorRef region, DeliverySettings settings, string producerId)
    {
        _region = region;
        ProducerId = string.IsNullOrEmpty(producerId)
            ? $"{((ExtendedActorSystem)Context.System).Provider.DefaultAddress.HostPort()}/{Guid.NewGuid():N}"[..^20]
            : producerId;
        _settings = settings;
        _outbox = new DeliveryOutbox<IActorRef>(settings, Stopwatch.Frequency);

        Receive<IPeerObservation>(m =>
        {
            if (DeliveryOutbox<IActorRef>.IsDeliverable(m)) Produce(m);
            else _region.Forward(m); // forget, bans: asked of the peer actor directly
        });
        Receive<IPeerMessage>(m => _region.Forward(m));
        Receive<DeliveryAck>(OnAck);
        Receive<AwaitDrained>(w =>
        {
            if (_outbox.Unconfirmed <= w.MaxUnconfirmed) Sender.Tell(new DeliveryDrained(_outbox.Unconfirmed));
            else _waiters.Add((w.MaxUnconfirmed, Sender));
        });
        Receive<GetDeliveryStats>(_ => Sender.Tell(new DeliveryStats(_outbox.Produced, _outbox.Unconfirmed, _outbox.BatchesSent,
            _outbox.ItemsResent, _outbox.Refused)));
        Receive<SendTick>(_ => SendBatches());
        Receive<ResendTick>(_ =>
        {
            if (_outbox.CheckResend(Stopwatch.GetTimestamp()) > 0) SendBatches();
        });
    }

    /// <summary>Props of the producer.</summary>
    /// <param name="region">The peer shard region or proxy.</param>
    /// <param name="settings">Settings (validated here).</param>
    /// <param name="producerId">Unique id; null = the system's address plus a random suffix.</param>
    /// <returns>The props.</returns>
    public static Props Props(IActorRef region, DeliverySettings settings, string? producerId = null) =>
        Akka.Actor.Props.Create(() => new PeerDeliveryProducer(region, settings.Validate(), producerId ?? string.Empty));

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The producer id carried by every batch: the given id, or <c>host:port/</c> plus 12 random hex digits.</summary>
    public string ProducerId { get; }

    /// <inheritdoc />
    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("send", SendTick.Instance, _settings.BatchInterval);
        var check = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, _settings.ResendAfter.Ticks / 4));
        Timers.StartPeriodicTimer("resend", ResendTick.Instance, check);
    }

    private void Produce(IPeerObservation m)
    {
        var replyTo = Sender.IsNobody() || Sender.Equals(Context.System.DeadLetters) ? null : Sender;
        if (PeerId.Validate(m.EntityId) is { } error)
        {
            var field = m is RecordBytes { PeerId: null or "" } ? "sessionId" : "peerId";
            replyTo?.Tell(new CommandRejected(m.EntityId, ErrorCodes.InvalidInput, field, $"{field}: {error}"));
            return;
        }
        if (_outbox.Enqueue(m, replyTo) > 0) return;
        PeerActorsMetrics.DeliveryRefused.Add(1);
        replyTo?.Tell(new CommandRejected(m.EntityId, ErrorCodes.Unavailable, null,
            $"delivery buffer full: {_outbox.Unconfirmed:N0} observations await a persisted ack (peeractors.delivery.max-unconfirmed)"));
        if (_outbox.Refused >= _refusedLogged * 2 + 1)
        {
            _refusedLogged = _outbox.Refused;
            _log.Warning("peer delivery: buffer full ({0} unconfirmed); {1} observations refused so far", _outbox.Unconfirmed, _outbox.Refused);
        }
    }

    private void SendBatches()
    {
        if (!_outbox.HasUnsent) return;
        var self = Self;
        var id = ProducerId;
        var resentBefore = _outbox.ItemsResent;
        _outbox.TakeBatches(Stopwatch.GetTimestamp(), (peer, first, confirmed, items) =>
            _region.Tell(new ObservationBatch(peer, id, self, first, confirmed, items), self));
        if (_outbox.ItemsResent > resentBefore) PeerActorsMetrics.DeliveryResent.Add(_outbox.ItemsResent - resentBefore);
    }

    private void OnAck(DeliveryAck ack)
    {
        if (!string.Equals(ack.ProducerId, ProducerId, StringComparison.Ordinal)) return;
        _outbox.OnAck(ack, Stopwatch.GetTimestamp(), static (to, reply) => to.Tell(reply));
        if (ack.ResendFrom > 0) SendBatches();
        if (_waiters.Count == 0) return;
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_outbox.Unconfirmed > _waiters[i].Max) continue;
            _waiters[i].ReplyTo.Tell(new DeliveryDrained(_outbox.Unconfirmed));
            _waiters.RemoveAt(i);
        }
    }

    private sealed class SendTick
    {
        public static readonly SendTick Instance = new();
    }

    private sealed class ResendTick
    {
        public static readonly ResendTick Instance = new();
    }
}
