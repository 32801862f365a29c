using Akka.Cluster.Sharding;
using PeerActors.Core.Time;

namespace PeerActors.Tests.Peers;

/// <summary>
/// Passivation by the observation clock (a replay): a peer with no observation for the idle timeout of <em>data</em> time
/// is passivated after a flush, so the live peer actors stay bounded by the recently active peers however many peers the
/// trace holds and however fast it is sent. Sharding's wall-clock passivation is off here, so only the data clock acts.
/// </summary>
public sealed class ObservationClockPassivationTests() : TestKit(PeerTestConfig.SingleNodeSharding())
{
    private static readonly DateTimeOffset T0 = new(2020, 3, 15, 0, 0, 0, TimeSpan.Zero);

    private IActorRef StartRegion(string name, PeerActorSettings settings)
    {
        var cluster = Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(20));
        return ClusterSharding.Get(Sys).Start(
            name,
            entityId => PeerActor.Props(entityId, settings, NoScoreInputsPublisher.Instance),
            ClusterShardingSettings.Create(Sys),
            new PeerMessageExtractor(10),
            ShardAllocationStrategy.LeastShardAllocationStrategy(1, 1),
            PeerStop.Instance);
    }

    private async Task<int> LiveEntitiesAsync(IActorRef region)
    {
        var stats = await region.Ask<ShardRegionStats>(GetShardRegionStats.Instance, TimeSpan.FromSeconds(30));
        return stats.Stats.Values.Sum();
    }

    /// <summary>
    /// Sends a synthetic trace: peer i gets one request at data time T0 + i seconds, as fast as the region accepts (a
    /// barrier query every <paramref name="barrierEvery"/> peers). Returns the most live entities seen at the barriers.
    /// </summary>
    private async Task<int> SendTraceAsync(IActorRef region, int peers, int barrierEvery, string prefix)
    {
        var max = 0;
        for (var i = 0; i < peers; i++)
        {
            region.Tell(new RecordRequest($"{prefix}-{i}", 0, T0.AddSeconds(i)));
            if ((i + 1) % barrierEvery != 0) continue;
            await region.Ask<FlapCountReply>(new GetFlapCount($"{prefix}-{i}"), TimeSpan.FromSeconds(60));
            max = Math.Max(max, await LiveEntitiesAsync(region));
        }
        return max;
    }

    [Fact]
    public async Task Live_peer_actors_stay_bounded_on_a_large_synthetic_trace_and_a_passivated_peer_keeps_its_flushed_state()
    {
        // 20,000 peers keep the test within a minute on a loaded 2-core machine; the bound asserted does not grow with
        // the trace (the replay of the 29 real days, 293,184 peers, is the full-size check: see README, Replay).
        const int Peers = 20_000;
        var region = StartRegion("peer-data-clock", PeerTestConfig.Fast() with
        {
            PassivationClock = new ObservationClock(),
            PassivationIdleTimeout = TimeSpan.FromMinutes(2),
            PassivationCheckInterval = TimeSpan.FromMilliseconds(50),
        });

        var maxLive = await SendTraceAsync(region, Peers, 1_000, "p");

        // Every peer is idle in data time but the last 120 (2 min at one peer per data second); how many are alive at
        // once depends on the send rate and the wall-clock check interval, never on the number of peers in the trace.
        Assert.True(maxLive <= Peers / 4, $"at most {maxLive:N0} live peer actors at once, expected a bound far below {Peers:N0}");
        // Once sending stops, only the last 2 data-minutes' peers (120) may stay: the rest is passivated.
        await AwaitAssertAsync(async () => Assert.True(await LiveEntitiesAsync(region) <= 200), TimeSpan.FromSeconds(30));
        // The first peer was passivated long ago: its request was flushed before it stopped and is recovered now.
        var first = await region.Ask<PeerStatsReply>(new GetPeerStats("p-0", T0), TimeSpan.FromSeconds(30));
        Assert.Equal(1UL, first.Stats.RequestsSent);
    }

    [Fact]
    public async Task Without_an_observation_clock_every_peer_of_the_trace_stays_alive()
    {
        const int Peers = 2_000;
        var region = StartRegion("peer-wall-clock", PeerTestConfig.Fast());

        await SendTraceAsync(region, Peers, 500, "w");
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        Assert.Equal(Peers, await LiveEntitiesAsync(region));
    }

    [Fact]
    public void The_observation_clock_only_moves_forward_and_measures_idleness_in_data_time()
    {
        var clock = new ObservationClock();
        Assert.Equal(DateTimeOffset.UnixEpoch, clock.GetUtcNow());
        clock.Advance(T0.AddMinutes(5));
        clock.Advance(T0); // a late observation does not move it back
        Assert.Equal(T0.AddMinutes(5), clock.GetUtcNow());
        Assert.True(clock.IsIdle(T0.AddMinutes(3), TimeSpan.FromMinutes(2)));
        Assert.False(clock.IsIdle(T0.AddMinutes(3).AddTicks(1), TimeSpan.FromMinutes(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.IsIdle(T0, TimeSpan.Zero));
        Parallel.For(0, 10_000, i => clock.Advance(T0.AddSeconds(i)));
        Assert.Equal(T0.AddSeconds(9_999), clock.GetUtcNow());
    }
}
