using Akka.Cluster.Sharding;

namespace PeerActors.Tests.Peers;

/// <summary>Peer region in a single-node cluster (self-join), messages routed by <see cref="PeerMessageExtractor"/>.</summary>
public sealed class PeerShardingTests() : TestKit(PeerTestConfig.SingleNodeSharding())
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private IActorRef StartRegion()
    {
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20));
        var settings = PeerTestConfig.Fast();
        return ClusterSharding.Get(Sys).Start(
            "peer",
            entityId => PeerActor.Props(entityId, settings, NoScoreInputsPublisher.Instance),
            ClusterShardingSettings.Create(Sys),
            new PeerMessageExtractor(10),
            ShardAllocationStrategy.LeastShardAllocationStrategy(1, 1),
            PeerStop.Instance);
    }

    [Fact]
    public async Task Commands_and_queries_round_trip_through_the_region_and_the_client()
    {
        var region = StartRegion();
        var client = new PeerActorsClient(region, askTimeout: TimeSpan.FromSeconds(15));
        var a = PeerTestConfig.NewPeer("a");
        var b = PeerTestConfig.NewPeer("b");

        Assert.Equal(Durability.HighRate, (await client.RecordRequestAsync(a, 10, T0)).Durability);
        Assert.Equal(Durability.HighRate, (await client.RecordSuccessAsync(a, 30, 5, T0.AddSeconds(1))).Durability);
        Assert.Equal(Durability.Critical, (await client.RecordPaymentAsync(b, 21, T0)).Durability);
        Assert.Equal(Durability.HighRate, (await client.RecordBytesAsync(null, b, Core.Bandwidth.TrafficDirection.Ingress, 9, T0)).Durability);
        Assert.True(client.TellTimeout(a, T0.AddSeconds(2)));

        var sa = await client.GetPeerStatsAsync(a, T0.AddSeconds(3));
        Assert.Equal(1UL, sa.Stats.RequestsSent);
        Assert.Equal(1UL, sa.Stats.Successes);
        Assert.Equal(1UL, sa.Stats.Timeouts); // the Tell was delivered before the later Ask (same sender path, same entity)
        var sb = await client.GetPeerStatsAsync(b, T0.AddSeconds(3));
        Assert.Equal(21UL, sb.Stats.PaidSat);
        Assert.Equal(9UL, sb.IngressBytes);

        var notFound = await Assert.ThrowsAsync<PeerCommandRejectedException>(() => client.GetFlapCountAsync(PeerTestConfig.NewPeer("c")));
        Assert.Equal(ErrorCodes.PeerNotFound, notFound.Rejection.Error);
        var invalid = await Assert.ThrowsAsync<PeerCommandRejectedException>(() => client.RecordRequestAsync("bad id", 1, T0));
        Assert.Equal((ErrorCodes.InvalidInput, "peerId"), (invalid.Rejection.Error, invalid.Rejection.Field));
        var badRtt = await Assert.ThrowsAsync<PeerCommandRejectedException>(() => client.RecordSuccessAsync(a, double.NaN, 1, T0));
        Assert.Equal("rttMs", badRtt.Rejection.Field);

        region.Tell(GetShardRegionState.Instance, TestActor);
        var state = ExpectMsg<CurrentShardRegionState>();
        var entities = state.Shards.SelectMany(s => s.EntityIds).ToHashSet();
        Assert.Contains(a, entities);
        Assert.Contains(b, entities);
        var extractor = new PeerMessageExtractor(10);
        Assert.Contains(state.Shards, s => s.ShardId == extractor.ShardId(a, new GetBandwidth(a)) && s.EntityIds.Contains(a));
    }

    [Theory]
    [InlineData("p1")]
    [InlineData("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N")]
    public void Extractor_routes_every_message_of_a_peer_to_one_entity_and_shard(string id)
    {
        var extractor = new PeerMessageExtractor(100);
        object[] messages =
        [
            new RecordRequest(id, 1, T0), new RecordSuccess(id, 1, 1, T0), new RecordTimeout(id, T0), new RecordFailure(id, T0),
            new RecordBytes(id, "s", Core.Bandwidth.TrafficDirection.Egress, 1, T0), new RecordBytes(null, id, Core.Bandwidth.TrafficDirection.Egress, 1, T0),
            new PeerOnline(id, T0), new PeerOffline(id, T0), new PeerServes(id, "/p", null, T0), new OpenChannel(id, "c", T0),
            new CloseChannel(id, "c", T0), new RecordPayment(id, 1, T0), new RecordReceipt(id, 1, T0), new RecordPaymentDefault(id, T0),
            new Forget(id, T0), new GetPeerStats(id), new GetChannelUptime(id, "c"), new GetFlapCount(id), new GetBandwidth(id),
        ];
        var shard = extractor.ShardId(id, messages[0]);
        foreach (var m in messages)
        {
            Assert.Equal(id, extractor.EntityId(m));
            Assert.Equal(shard, extractor.ShardId(extractor.EntityId(m)!, m));
            Assert.Same(m, extractor.EntityMessage(m));
        }
        Assert.InRange(int.Parse(shard!), 0, 99);
        Assert.Null(extractor.EntityId("not a peer message"));
    }
}
