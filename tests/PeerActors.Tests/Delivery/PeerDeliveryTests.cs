using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using PeerActors.Client;
using PeerActors.Delivery;
using PeerActors.Peers;
using PeerActors.Tests.Peers;
using Xunit;

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

    private IActorRef Peer(string id) => Sys.ActorOf(PeerActor.Props(id, PeerTestConfig.Fast(), NoScoreInputsPublisher.Instance));

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
        Assert.Equal("channel already exists", dup.Rejection.Error);
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
}
