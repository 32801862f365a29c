using PeerActors.Tests.Peers;

namespace PeerActors.Tests.Delivery;

/// <summary>
/// Reliable delivery end to end inside one ActorSystem: producer → (lossy) link → peer actor, with the SQLite journal so
/// that incarnations recover their marks.
/// </summary>
public sealed class PeerDeliveryTests : TestKit
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DeliverySettings Fast = new() { BatchInterval = TimeSpan.FromMilliseconds(5), ResendAfter = TimeSpan.FromMilliseconds(400) };

    public PeerDeliveryTests(Xunit.Abstractions.ITestOutputHelper output) : base(ConfigurationFactory.ParseString("akka.loglevel=WARNING").WithFallback(PeerTestConfig.Sqlite(PeerTestConfig.TempDb())).WithFallback(DeliverySerializer.Hocon()), output: output)
    {
    }

    private IActorRef Peer(string id, bool snapshotOnStop = true) =>
        Sys.ActorOf(PeerActor.Props(id, PeerTestConfig.Fast() with { SnapshotOnStop = snapshotOnStop }, NoScoreInputsPublisher.Instance));

    private async Task<PeerStatsReply> StatsAsync(IActorRef peer, string id) =>
        await peer.Ask<PeerStatsReply>(new GetPeerStats(id, T0.AddHours(1)), TimeSpan.FromSeconds(10));

    [Fact]
    public async Task Asks_through_the_producer_are_answered_applied_for_high_rate_and_persisted_for_critical()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Peer(id);
        var producer = Sys.ActorOf(PeerDeliveryProducer.Props(peer, Fast));
        var client = new PeerActorsClient(peer, producer, TimeSpan.FromSeconds(10));

        Assert.Equal(Durability.HighRate, (await client.RecordRequestAsync(id, 10, T0)).Durability);
        Assert.True(client.TellSuccess(id, 30, 500, T0.AddSeconds(1)));
        Assert.Equal(Durability.Critical, (await client.RecordPaymentAsync(id, 21, T0.AddSeconds(2))).Durability);
        var dup = await Assert.ThrowsAsync<PeerCommandRejectedException>(() => client.OpenChannelAsync(id, "c1", T0.AddSeconds(3))
            .ContinueWith(_ => client.OpenChannelAsync(id, "c1", T0.AddSeconds(4))).Unwrap());
        Assert.Equal(ErrorCodes.ChannelExists, dup.Rejection.Error);
        var bad = await Assert.ThrowsAsync<PeerCommandRejectedException>(() => client.RecordSuccessAsync(id, double.NaN, 1, T0));
        Assert.Equal("rttMs", bad.Rejection.Field);

        var stats = await StatsAsync(peer, id);
        Assert.Equal(1UL, stats.Stats.RequestsSent);
        Assert.Equal(1UL, stats.Stats.Successes);
        Assert.Equal(21UL, stats.Stats.PaidSat);
        Assert.Equal(1, stats.ChannelCount);
        var drained = await producer.Ask<DeliveryDrained>(new AwaitDrained(0), TimeSpan.FromSeconds(10));
        Assert.Equal(0, drained.Unconfirmed);
    }

    [Fact]
    public async Task Batches_dropped_on_the_way_are_resent_until_persisted_and_applied_exactly_once()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Peer(id);
        var link = Sys.ActorOf(Props.Create(() => new LossyLink(peer, 3))); // drops the first 3 batches
        var producer = Sys.ActorOf(PeerDeliveryProducer.Props(link, Fast));
        for (var i = 0; i < 50; i++)
        {
            producer.Tell(new RecordRequest(id, 0, T0.AddSeconds(i)));
            producer.Tell(new RecordSuccess(id, 100, 1000, T0.AddSeconds(i)));
            if (i % 10 == 0) await Task.Delay(20); // several batches
        }
        await producer.Ask<DeliveryDrained>(new AwaitDrained(0), TimeSpan.FromSeconds(20));

        var stats = await StatsAsync(peer, id);
        Assert.Equal(50UL, stats.Stats.RequestsSent);
        Assert.Equal(50UL, stats.Stats.Successes);
        Assert.Equal(50_000UL, stats.Stats.BytesReceived);
        var counters = await producer.Ask<DeliveryStats>(GetDeliveryStats.Instance, TimeSpan.FromSeconds(5));
        Assert.True(counters.ItemsResent > 0, "the dropped batches were sent again");
    }

    [Theory]
    [InlineData(true)]  // recovered from the snapshot taken at stop
    [InlineData(false)] // recovered from the events alone: the marks come from the delta flush and the payment's key
    public async Task A_resend_to_a_recovered_incarnation_is_not_applied_twice(bool snapshotOnStop)
    {
        var id = PeerTestConfig.NewPeer();
        var first = Peer(id, snapshotOnStop);
        var items = new[]
        {
            new DeliveryItem(new RecordRequest(id, 0, T0), false),
            new DeliveryItem(new RecordSuccess(id, 50, 700, T0), false),
            new DeliveryItem(new RecordPayment(id, 5, T0.AddSeconds(1)), true),
            new DeliveryItem(new RecordRequest(id, 0, T0.AddSeconds(2)), true),
        };
        var batch = new ObservationBatch(id, "producer-a", TestActor, 1, 0, items);
        first.Tell(batch, TestActor);
        // The reply-requested items make the peer ack at once: applied 4, persisted 3 (the payment's write carried the first two).
        var ack = (DeliveryAck)await FishForMessageAsync(m => m is DeliveryAck { AppliedSeqNr: 4 }, TimeSpan.FromSeconds(10));
        Assert.True(ack.PersistedSeqNr >= 3);
        // The stop message flushes the window (and acks persisted 4) before the actor stops.
        Watch(first);
        first.Tell(PeerStop.Instance);
        await FishForMessageAsync(m => m is DeliveryAck { PersistedSeqNr: 4 }, TimeSpan.FromSeconds(10));
        await ExpectTerminatedAsync(first);

        var second = Peer(id, snapshotOnStop);
        await foreach (var _ in ReceiveWhileAsync(TimeSpan.FromMilliseconds(200), m => m)) { } // late acks of the first incarnation
        second.Tell(batch, TestActor); // the whole batch again, as after a lost ack
        var again = await ExpectMsgAsync<DeliveryAck>(TimeSpan.FromSeconds(10));
        Assert.Equal((4L, 4L), (again.AppliedSeqNr, again.PersistedSeqNr));
        var stats = await StatsAsync(second, id);
        Assert.Equal(2UL, stats.Stats.RequestsSent);
        Assert.Equal(5UL, stats.Stats.PaidSat);
    }

    [Fact]
    public async Task A_batch_after_a_gap_is_refused_with_the_sequence_number_to_resend_from()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Peer(id);
        peer.Tell(new ObservationBatch(id, "p", TestActor, 3, 0, [new DeliveryItem(new RecordRequest(id, 0, T0), true)]), TestActor);
        var ack = await ExpectMsgAsync<DeliveryAck>(TimeSpan.FromSeconds(10));
        Assert.Equal((0L, 1L), (ack.AppliedSeqNr, ack.ResendFrom));
        var reply = await peer.Ask<object>(new GetPeerStats(id), TimeSpan.FromSeconds(5));
        Assert.Equal(ErrorCodes.PeerNotFound, Assert.IsType<CommandRejected>(reply).Error);
    }

    /// <summary>Forwards everything to the target but drops the first few batches.</summary>
    private sealed class LossyLink : ReceiveActor
    {
        public LossyLink(IActorRef target, int drop)
        {
            var dropped = 0;
            Receive<ObservationBatch>(b =>
            {
                if (dropped++ < drop) return;
                target.Forward(b);
            });
            ReceiveAny(m => target.Forward(m));
        }
    }
}
