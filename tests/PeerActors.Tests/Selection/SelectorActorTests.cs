using PeerActors.Core.Validation;
using static PeerActors.Tests.SelectionActor.SelectorTestData;

namespace PeerActors.Tests.SelectionActor;

/// <summary>The SPEC §3 reference behaviours through the selector actor (updates sent directly, no cluster).</summary>
public class SelectorActorTests : TestKit
{
    private readonly FixedTime _time = new(T0);
    private readonly IActorRef _selector;
    private readonly SelectorClient _client;

    public SelectorActorTests()
    {
        _selector = Sys.ActorOf(SelectorActor.Props(new SelectorOptions { SyncOnStart = false }, _time));
        _client = new SelectorClient(_selector, TimeSpan.FromSeconds(5));
    }

    private void Feed(params Core.Stats.PeerStatsState[] peers)
    {
        foreach (var p in peers) _selector.Tell(Inputs(p));
    }

    private async Task<string[]> Select(SelectPeers q) => (await _client.SelectAsync(q)).Ids.ToArray();

    private static readonly SelectPeers NoFair = new(Fairness: false);

    [Fact]
    public async Task Weighted_ranks_a_fast_reliable_peer_first_and_returns_scores_and_inputs()
    {
        Feed(Peer("slow", 10, 9, srtt: 900), Peer("flaky", 10, 3, srtt: 40), Peer("good", 10, 10, srtt: 30, lastSuccess: T0.AddSeconds(-5)), Peer("new"));
        var reply = (await _client.SelectAsync(NoFair));
        Assert.Equal(["good", "slow", "flaky", "new"], reply.Ids);
        Assert.Equal(1.01, reply.Peers[0].Score, 12);
        Assert.Equal(1.0, reply.Peers[0].Inputs.SuccessRate);
        Assert.Equal(30, reply.Peers[0].Inputs.SrttMs);
        Assert.Equal(T0, reply.Now); // from the injected TimeProvider
        Assert.Equal(4, reply.TrackedPeers);
    }

    [Fact]
    public async Task Backed_off_peers_are_left_out_and_all_backed_off_come_soonest_expiring_first()
    {
        Feed(Peer("a", 10, 10, 50), Peer("b", 10, 10, 40, backedOffUntil: T0.AddSeconds(3)), Peer("c", 10, 5, 100));
        Assert.Equal(["a", "c"], (await Select(NoFair)));
        Assert.Contains("b", (await Select(NoFair with { Now = T0.AddSeconds(3) })));

        Feed(Peer("a", backedOffUntil: T0.AddSeconds(5)), Peer("c", backedOffUntil: T0.AddSeconds(1)));
        var reply = (await _client.SelectAsync(NoFair with { Now = T0 }));
        Assert.True(reply.BackedOffFallback);
        Assert.Equal(["c", "b", "a"], reply.Ids);
        Assert.Equal(TimeSpan.FromSeconds(1), reply.Peers[0].Inputs.BackoffRemaining);
    }

    [Fact]
    public async Task UtilityUcb_prefers_a_barely_sampled_good_peer()
    {
        Feed(Peer("heavy", 1000, 900, 100, timeouts: 100, bytesSent: 1000, bytesReceived: 1000),
            Peer("fresh", 2, 2, 100, bytesSent: 2, bytesReceived: 2));
        var reply = (await _client.SelectAsync(NoFair with { Strategy = SelectionStrategy.UtilityUcb }));
        Assert.Equal(["fresh", "heavy"], reply.Ids);
        Assert.Equal(1002ul, reply.Peers[0].Inputs.TotalRequests);
    }

    [Fact]
    public async Task TitForTat_prefers_a_reciprocal_peer_over_a_leecher()
    {
        Feed(Peer("leecher", 20, 20, 100, bytesSent: 100_000, bytesReceived: 1_000),
            Peer("reciprocal", 20, 20, 100, bytesSent: 100_000, bytesReceived: 120_000));
        Assert.Equal(["reciprocal", "leecher"], (await Select(NoFair with { Strategy = SelectionStrategy.TitForTat })));
    }

    [Fact]
    public async Task Payment_weight_zero_keeps_reputation_order_and_point_eight_lifts_a_payer()
    {
        Feed(Peer("reputable", 10, 10, 50), Peer("payer", 10, 6, 300, paid: 5000));
        Assert.Equal(["reputable", "payer"], (await Select(NoFair)));
        var reply = (await _client.SelectAsync(NoFair with { PaymentWeight = 0.8 }));
        Assert.Equal(["payer", "reputable"], reply.Ids);
        Assert.Equal(0.2 * 0.76 + 0.8 * (5000.0 / 5032.0), reply.Peers[0].Score, 9);
        Assert.Equal(5000.0 / 5032.0, reply.Peers[0].Inputs.PaymentBoost, 12);
    }

    [Fact]
    public async Task A_peer_with_a_payment_default_is_excluded_at_the_threshold()
    {
        Feed(Peer("honest", 10, 10, 50, receipts: 3), Peer("defaulter", 10, 10, 40, defaults: 1));
        Assert.Equal(["honest"], (await Select(NoFair with { PaymentDefaultThreshold = 1 })));
        Assert.Equal(2, (await Select(NoFair)).Length);
    }

    [Fact]
    public async Task LowestLatency_orders_by_srtt_with_unknown_first()
    {
        Feed(Peer("p200", 10, 10, 200), Peer("p50", 10, 10, 50), Peer("unknown"), Peer("p100", 10, 10, 100));
        Assert.Equal(["unknown", "p50", "p100", "p200"], (await Select(NoFair with { Strategy = SelectionStrategy.LowestLatency })));
    }

    [Fact]
    public async Task LowestLatency_puts_unknown_last_on_request()
    {
        Feed(Peer("p200", 10, 10, 200), Peer("p50", 10, 10, 50), Peer("unknown"));
        Assert.Equal(["p50", "p200", "unknown"], (await Select(NoFair with { Strategy = SelectionStrategy.LowestLatency, UnknownLatencyLast = true })));
    }

    [Fact]
    public async Task Throughput_ranks_by_delivered_bytes_per_ms_and_explains_the_estimate()
    {
        // "big" has the worse SRTT (large chunks) but delivers 4x the bytes per ms of "small".
        Feed(Peer("small", 20, 20, 100) with { ThroughputRateSum = 20 * 200.0, ThroughputWeight = 20, ThroughputAt = T0 },
            Peer("big", 20, 20, 900) with { ThroughputRateSum = 20 * 800.0, ThroughputWeight = 20, ThroughputAt = T0 },
            Peer("new"));
        var reply = await _client.SelectAsync(NoFair with { Strategy = SelectionStrategy.Throughput });
        Assert.Equal(["big", "small", "new"], reply.Ids);
        Assert.Equal(500, reply.Peers[0].Inputs.ThroughputMean, 9); // pooled: (16000 + 4000) / 40
        Assert.True(reply.Peers[0].Inputs.ThroughputEstimate > 780);
        Assert.Equal(0.25, reply.Peers[2].Score, 12); // no evidence: the mean, times success_rate 0.5
        Assert.Equal(["small", "big", "new"], await Select(NoFair)); // Weighted follows SRTT instead
    }

    [Fact]
    public async Task Fairness_drops_a_peer_over_30_percent_with_five_peers()
    {
        for (var i = 0; i < 4; i++) Feed(Peer($"p{i}", 10, 10, 50, connectedAt: T0.AddSeconds(-100)));
        Feed(Peer("hog", 1000, 1000, 10, connectedAt: T0.AddSeconds(-100)));
        var reply = (await _client.SelectAsync(new SelectPeers()));
        Assert.DoesNotContain("hog", reply.Ids);
        Assert.Equal(["hog"], reply.FairnessDropped);
        Assert.Equal("hog", (await Select(NoFair))[0]);
    }

    [Fact]
    public async Task RoundRobin_rotates_and_random_is_seedable()
    {
        Feed(Peer("c"), Peer("a"), Peer("b"));
        var rr = NoFair with { Strategy = SelectionStrategy.RoundRobin, Count = 2 };
        Assert.Equal(["a", "b"], (await Select(rr)));
        Assert.Equal(["b", "c"], (await Select(rr)));
        Assert.Equal(["c", "a"], (await Select(rr)));
        var random = NoFair with { Strategy = SelectionStrategy.Random, Count = 3, Seed = 42 };
        var first = (await Select(random));
        Assert.Equal(first, (await Select(random)));
        Assert.Equal(["a", "b", "c"], first.Order());
    }

    [Fact]
    public async Task Stale_versions_are_ignored_and_forgotten_removes()
    {
        _selector.Tell(Inputs(Peer("x", 10, 10, 50), version: 5));
        _selector.Tell(Inputs(Peer("x", 10, 0, 50), version: 4)); // late, older: ignored
        var reply = (await _client.SelectAsync(NoFair));
        Assert.Equal(1.0, reply.Peers.Single().Inputs.SuccessRate);

        _selector.Tell(Inputs(Peer("x", 10, 5, 50), version: 6));
        Assert.Equal(0.5, (await _client.SelectAsync(NoFair)).Peers.Single().Inputs.SuccessRate);

        _selector.Tell(Inputs(Peer("x"), version: 7, forgotten: true));
        Assert.Empty((await Select(NoFair)));
        _selector.Tell(Inputs(Peer("x", 10, 10, 50), version: 6)); // an older update cannot resurrect it
        Assert.Empty((await Select(NoFair)));
        _selector.Tell(Inputs(Peer("x", 1, 1, 50), version: 8)); // a newer one (peer seen again) can
        Assert.Equal(["x"], (await Select(NoFair)));
    }

    [Fact]
    public async Task With_a_retention_window_peers_inactive_for_longer_in_data_time_are_dropped_and_come_back_with_new_inputs()
    {
        // Data a year before the wall clock: the window is measured on the observations' own clock.
        var dataT0 = T0.AddDays(-365);
        var selector = Sys.ActorOf(SelectorActor.Props(new SelectorOptions { SyncOnStart = false, Retention = TimeSpan.FromDays(7) }, _time));
        var client = new SelectorClient(selector, TimeSpan.FromSeconds(5));
        selector.Tell(Inputs(Peer("early", 5, 5, 40, lastSuccess: dataT0, connectedAt: dataT0.AddDays(-1)), version: 3));
        selector.Tell(new PeerScoreInputs(Peer("banned", 2, 2, connectedAt: dataT0), 1, [], [], BannedUntil: dataT0.AddDays(30), BanReason: "spam"));
        selector.Tell(Inputs(Peer("steady", 5, 4, 50, connectedAt: dataT0)));
        Assert.Equal(3, (await client.SummaryAsync()).PeerCount);

        // Eight data days later only "steady" shows activity: the others are dropped with their ban.
        selector.Tell(Inputs(Peer("steady", 6, 5, 50, lastSuccess: dataT0.AddDays(8), connectedAt: dataT0), version: 2));
        var tracked = await client.TrackedPeersAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["steady"], tracked);
        var bans = await selector.Ask<BansReply>(new GetBans(dataT0.AddDays(8), IncludeExpired: true), TimeSpan.FromSeconds(5));
        Assert.Empty(bans.Bans);

        // An older update of a dropped peer may bring it back (its version went with it); its next inputs certainly do.
        selector.Tell(Inputs(Peer("early", 6, 6, 40, lastSuccess: dataT0.AddDays(8), connectedAt: dataT0.AddDays(-1)), version: 4));
        Assert.Equal(["early", "steady"], await client.TrackedPeersAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Activity_stamped_after_the_wall_clock_does_not_age_the_other_peers_out()
    {
        var selector = Sys.ActorOf(SelectorActor.Props(new SelectorOptions { SyncOnStart = false, Retention = TimeSpan.FromDays(1) }, _time));
        var client = new SelectorClient(selector, TimeSpan.FromSeconds(5));
        selector.Tell(Inputs(Peer("now", 1, 1, connectedAt: T0.AddHours(-2))));
        selector.Tell(Inputs(Peer("skewed", 1, 1, lastSuccess: T0.AddDays(30), connectedAt: T0.AddHours(-1))));
        selector.Tell(Inputs(Peer("later", 1, 1, connectedAt: T0.AddHours(-1))));
        Assert.Equal(["later", "now", "skewed"], await client.TrackedPeersAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Protocol_filter_and_exclude_apply()
    {
        _selector.Tell(Inputs(Peer("a", 10, 10, 10), protocols: ["/bitswap"]));
        _selector.Tell(Inputs(Peer("b", 10, 10, 20), protocols: ["/gossip"]));
        _selector.Tell(Inputs(Peer("c", 10, 10, 30), protocols: ["/bitswap"]));
        Assert.Equal(["a", "c"], (await Select(NoFair with { Protocol = "/bitswap" })));
        Assert.Equal(["c"], (await Select(NoFair with { Protocol = "/bitswap", Exclude = ["a"] })));
    }

    [Fact]
    public async Task Summary_reflects_the_latest_inputs()
    {
        Feed(Peer("a", 10, 8, 100, timeouts: 2), Peer("b", 10, 10, 300, backedOffUntil: T0.AddSeconds(10)), Peer("c"));
        var s = (await _client.SummaryAsync());
        Assert.Equal(new SelectionSummary(3, 20, 18, 2, 1, 200, 0.9), s);
    }

    [Theory]
    [InlineData(-1, 0.0, "count")]
    [InlineData(1, double.NaN, "paymentWeight")]
    public async Task Invalid_queries_are_rejected_with_the_field(int count, double w, string field)
    {
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => _client.SelectAsync(new SelectPeers(Count: count, PaymentWeight: w)));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public async Task Sync_request_is_answered_in_chunks_with_versions()
    {
        var selector = Sys.ActorOf(SelectorActor.Props(new SelectorOptions { SyncOnStart = false, SyncChunkSize = 2 }, _time));
        for (var i = 0; i < 5; i++) selector.Tell(Inputs(Peer($"p{i}", (ulong)i), version: 10 + i));
        var id = Guid.NewGuid();
        selector.Tell(new SelectorSyncRequest(id), TestActor);
        var chunks = Enumerable.Range(0, 3).Select(_ => ExpectMsg<SelectorSyncChunk>()).ToList();
        Assert.Equal([false, false, true], chunks.Select(c => c.Last));
        Assert.Equal([2, 2, 1], chunks.Select(c => c.Entries.Count));
        var all = chunks.SelectMany(c => c.Entries).ToList();
        Assert.Equal([10L, 11, 12, 13, 14], all.Select(e => e.Version));

        // A fresh selector merges the chunks (by version).
        var fresh = Sys.ActorOf(SelectorActor.Props(new SelectorOptions { SyncOnStart = false }, _time));
        foreach (var c in chunks) fresh.Tell(c);
        var freshClient = new SelectorClient(fresh);
        Assert.Equal(5, (await freshClient.SummaryAsync()).PeerCount);
    }

    [Fact]
    public async Task Journal_bootstrap_without_a_peer_region_or_read_journal_reports_why()
    {
        var noRegion = (await _client.BootstrapFromJournalAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, noRegion.PeersWoken);
        Assert.Contains("peer shard region", noRegion.Error);

        var probe = CreateTestProbe();
        var withRegion = Sys.ActorOf(SelectorActor.Props(new SelectorOptions { SyncOnStart = false }, _time, () => probe.Ref));
        var noJournal = (await new SelectorClient(withRegion).BootstrapFromJournalAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("no read journal", noJournal.Error);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}
