using static PeerActors.Core.Tests.Selection.SelectionTestData;

namespace PeerActors.Core.Tests.Selection;

public class PeerSelectorBehaviourTests
{
    private static readonly SelectionQuery NoFair = new() { Fairness = false };

    [Fact]
    public void Weighted_ranks_fast_reliable_peer_first()
    {
        var peers = new[]
        {
            Peer("slow", 10, 9, srtt: 900),
            Peer("flaky", 10, 3, srtt: 40),
            Peer("good", 10, 10, srtt: 30, lastSuccess: T0.AddSeconds(-5)),
            Peer("new"),
        };
        var r = Both(peers, NoFair, T0);
        Assert.Equal(["good", "slow", "flaky", "new"], Ids(r)); // 1.01, 0.798, 0.58, 0.55
        // good: 0.6 + 0.3 + 0.11 = 1.01
        Assert.Equal(1.01, r.Peers[0].Score, 12);
        Assert.Equal(1.0, r.Peers[0].Inputs.PaymentMultiplier);
    }

    [Fact]
    public void Backed_off_peers_are_left_out()
    {
        var peers = new[] { Peer("a", 10, 10, 50), Peer("b", 10, 10, 40, backedOffUntil: T0.AddSeconds(3)), Peer("c", 10, 5, 100) };
        var r = Both(peers, NoFair, T0);
        Assert.Equal(["a", "c"], Ids(r));
        Assert.False(r.BackedOffFallback);
        // at the deadline b is back
        Assert.Contains("b", Ids(Both(peers, NoFair, T0.AddSeconds(3))));
    }

    [Fact]
    public void All_backed_off_returns_soonest_expiring_first_then_id()
    {
        var peers = new[]
        {
            Peer("z", backedOffUntil: T0.AddSeconds(5)), Peer("y", backedOffUntil: T0.AddSeconds(1)),
            Peer("x", backedOffUntil: T0.AddSeconds(5)), Peer("w", backedOffUntil: T0.AddSeconds(9)),
        };
        var r = Both(peers, NoFair with { Count = 3 }, T0);
        Assert.True(r.BackedOffFallback);
        Assert.Equal(["y", "x", "z"], Ids(r));
        Assert.Equal(TimeSpan.FromSeconds(1), r.Peers[0].Inputs.BackoffRemaining);
        Assert.Equal(4, r.CandidateCount);
    }

    [Fact]
    public void UtilityUcb_prefers_barely_sampled_good_peer()
    {
        var peers = new[]
        {
            Peer("heavy", 1000, 900, 100, timeouts: 100, bytesSent: 1000, bytesReceived: 1000),
            Peer("fresh", 2, 2, 100, bytesSent: 2, bytesReceived: 2),
        };
        var r = Both(peers, NoFair with { Strategy = SelectionStrategy.UtilityUcb }, T0);
        Assert.Equal(["fresh", "heavy"], Ids(r));
        Assert.Equal(1002ul, r.Peers[0].Inputs.TotalRequests);
    }

    [Fact]
    public void TitForTat_prefers_reciprocal_peer_over_leecher()
    {
        var peers = new[]
        {
            Peer("leecher", 20, 20, 100, bytesSent: 100_000, bytesReceived: 1_000),
            Peer("reciprocal", 20, 20, 100, bytesSent: 100_000, bytesReceived: 120_000),
        };
        var r = Both(peers, NoFair with { Strategy = SelectionStrategy.TitForTat }, T0);
        Assert.Equal(["reciprocal", "leecher"], Ids(r));
        Assert.True(r.Peers[0].Score > r.Peers[1].Score);
    }

    [Fact]
    public void Payment_weight_zero_keeps_reputation_order_and_point_eight_lifts_payer()
    {
        var peers = new[] { Peer("reputable", 10, 10, 50), Peer("payer", 10, 6, 300, paid: 5000) };
        Assert.Equal(["reputable", "payer"], Ids(Both(peers, NoFair with { PaymentWeight = 0 }, T0)));
        var r = Both(peers, NoFair with { PaymentWeight = 0.8 }, T0);
        Assert.Equal(["payer", "reputable"], Ids(r));
        // payer: score 0.6·0.6 + 0.3·(500/350 → 1) + 0.1 = 0.76; 0.2·0.76 + 0.8·5000/5032
        Assert.Equal(0.2 * 0.76 + 0.8 * (5000.0 / 5032.0), r.Peers[0].Score, 9);
    }

    [Fact]
    public void Payment_default_threshold_excludes_defaulter()
    {
        var peers = new[] { Peer("honest", 10, 10, 50, receipts: 3), Peer("defaulter", 10, 10, 40, defaults: 1) };
        Assert.Equal(["honest"], Ids(Both(peers, NoFair with { PaymentDefaultThreshold = 1 }, T0)));
        Assert.Equal(2, Both(peers, NoFair with { PaymentDefaultThreshold = 0 }, T0).Peers.Count);
        Assert.Equal(2, Both(peers, NoFair with { PaymentDefaultThreshold = 2 }, T0).Peers.Count);
    }

    [Fact]
    public void Payment_multiplier_scales_weighted_score()
    {
        var peers = new[] { Peer("d", 10, 10, 50, defaults: 1) };
        var r = Both(peers, NoFair, T0);
        Assert.Equal((0.6 + 0.3 + 0.1) * 0.5, r.Peers[0].Score, 12);
        Assert.Equal(0.5, r.Peers[0].Inputs.PaymentMultiplier);
    }

    [Fact]
    public void LowestLatency_orders_by_srtt_zero_first_then_score()
    {
        var peers = new[]
        {
            Peer("p200", 10, 10, 200), Peer("p50", 10, 10, 50), Peer("unknown", 0, 0, 0),
            Peer("p50bad", 10, 2, 50), Peer("p100", 10, 10, 100),
        };
        Assert.Equal(["unknown", "p50", "p50bad", "p100", "p200"], Ids(Both(peers, NoFair with { Strategy = SelectionStrategy.LowestLatency }, T0)));
    }

    [Fact]
    public void HighestSuccessRate_orders_by_rate_then_id()
    {
        var peers = new[] { Peer("b", 10, 9), Peer("a", 10, 9), Peer("c", 10, 10), Peer("n") };
        Assert.Equal(["c", "a", "b", "n"], Ids(Both(peers, NoFair with { Strategy = SelectionStrategy.HighestSuccessRate }, T0)));
    }

    private static PeerStatsStateList FairPeers(int n) =>
        // connected 100 s ago; "hog" has 1000 requests, the others 10 each.
        new(Enumerable.Range(0, n - 1).Select(i => Peer($"p{i}", 10, 10, 50, connectedAt: T0.AddSeconds(-100)))
            .Append(Peer("hog", 1000, 1000, 10, connectedAt: T0.AddSeconds(-100))).ToList());

    public sealed record PeerStatsStateList(List<PeerActors.Core.Stats.PeerStatsState> Items);

    [Fact]
    public void Fairness_drops_peer_over_30_percent_with_five_candidates()
    {
        var r = Both(FairPeers(5).Items, SelectionQuery.Default, T0);
        Assert.DoesNotContain("hog", Ids(r));
        Assert.Equal(["hog"], r.FairnessDropped.Select(p => p.Value));
        Assert.Equal(4, r.CandidateCount);
        // disabled: hog ranks first
        Assert.Equal("hog", Ids(Both(FairPeers(5).Items, NoFair, T0))[0]);
    }

    [Fact]
    public void Fairness_not_applied_with_four_candidates_or_during_warmup()
    {
        Assert.Equal("hog", Ids(Both(FairPeers(4).Items, SelectionQuery.Default, T0))[0]);
        var young = FairPeers(5).Items.Select(p => p with { ConnectedAt = T0.AddSeconds(-9) }).ToList();
        Assert.Equal("hog", Ids(Both(young, SelectionQuery.Default, T0))[0]); // selection_rate 0 for all → total 0
    }

    [Fact]
    public void Fairness_total_counts_backed_off_and_filtered_peers()
    {
        // A backed-off heavy peer raises the total, so the hog's share falls under 30 %.
        var peers = FairPeers(5).Items.Append(Peer("bulk", 3000, 3000, 10, backedOffUntil: T0.AddMinutes(1), connectedAt: T0.AddSeconds(-100))).ToList();
        var r = Both(peers, SelectionQuery.Default, T0);
        Assert.Equal("hog", Ids(r)[0]);
        Assert.Empty(r.FairnessDropped);
    }

    [Fact]
    public void RoundRobin_rotates_by_one_per_query()
    {
        var peers = new[] { Peer("c"), Peer("a"), Peer("b") };
        var index = new PeerRankingIndex();
        foreach (var p in peers) index.Upsert(p);
        var q = NoFair with { Strategy = SelectionStrategy.RoundRobin, Count = 2 };
        Assert.Equal(["a", "b"], Ids(index.Select(q, T0)));
        Assert.Equal(["b", "c"], Ids(index.Select(q, T0)));
        Assert.Equal(["c", "a"], Ids(index.Select(q, T0)));
        Assert.Equal(["a", "b"], Ids(index.Select(q, T0)));
        Assert.Equal(["c", "a"], Ids(PeerSelector.Select(peers, q, T0, 5, new Random())));
        Assert.Equal(4, index.RoundRobinIndex);
    }

    [Fact]
    public void Random_is_seeded_uniform_shuffle()
    {
        var peers = Enumerable.Range(0, 5).Select(i => Peer($"p{i}")).ToList();
        var q = NoFair with { Strategy = SelectionStrategy.Random, Count = 5, RandomSeed = 42 };
        var a = Both(peers, q, T0);
        Assert.Equal(Ids(a), Ids(Both(peers, q, T0)));
        Assert.Equal(5, Ids(a).Distinct().Count());
        // uniformity: each peer lands first about 1/5 of the time
        var firsts = new int[5];
        var rng = new Random(7);
        for (var i = 0; i < 5000; i++)
            firsts[int.Parse(PeerSelector.Select(peers, q with { RandomSeed = null }, T0, 0, rng).Peers[0].PeerId.Value[1..])]++;
        Assert.All(firsts, f => Assert.InRange(f, 850, 1150));
    }

    [Fact]
    public void Filters_exclude_protocol_and_service()
    {
        var index = new PeerRankingIndex();
        index.Upsert(Peer("a", 10, 10, 10), PeerTags.Of(["/bitswap"], ["blob"]));
        index.Upsert(Peer("b", 10, 9, 10), PeerTags.Of(["/bitswap"]));
        index.Upsert(Peer("c", 10, 8, 10), PeerTags.Of(null, ["blob"]));
        index.Upsert(Peer("d", 10, 10, 5));
        Assert.Equal(["a", "b"], Ids(index.Select(NoFair with { Protocol = "/bitswap" }, T0)));
        Assert.Equal(["a", "c"], Ids(index.Select(NoFair with { Service = "blob" }, T0)));
        Assert.Equal(["a"], Ids(index.Select(NoFair with { Service = "blob", Protocol = "/bitswap" }, T0)));
        Assert.Equal(["d", "b", "c"], Ids(index.Select(NoFair with { Exclude = new HashSet<PeerId> { PeerId.Parse("a") } }, T0)));
        Assert.Empty(index.Select(NoFair with { Protocol = "/nope" }, T0).Peers);
        var reference = PeerSelector.Select(index.Entries(), NoFair with { Protocol = "/bitswap" }, T0, 0, new Random());
        Assert.Equal(["a", "b"], Ids(reference));
    }

    [Fact]
    public void Recency_expiry_reorders_after_sixty_seconds()
    {
        var peers = new[] { Peer("a", 10, 10, 50, lastSuccess: T0), Peer("b", 10, 10, 40) };
        var index = new PeerRankingIndex();
        foreach (var p in peers) index.Upsert(p);
        Assert.Equal(["a", "b"], Ids(index.Select(NoFair, T0.AddSeconds(59))));
        Assert.Equal(["a", "b"], Ids(index.Select(NoFair, T0.AddSeconds(60)))); // tie 1.0 = 1.0 → by id
        Assert.Equal(1.0, index.Select(NoFair, T0.AddSeconds(61)).Peers[0].Score, 12);
        // going back in time is answered exactly by the slow path
        Assert.Equal(1.01, index.Select(NoFair, T0.AddSeconds(10)).Peers[0].Score, 12);
    }

    [Fact]
    public void Query_validation()
    {
        Assert.Equal("paymentWeight", Assert.Throws<InvalidInputException>(() => new SelectionQuery { PaymentWeight = double.NaN }).Field);
        Assert.Equal("count", Assert.Throws<InvalidInputException>(() => new SelectionQuery { Count = -1 }).Field);
        Assert.Equal(1.0, new SelectionQuery { PaymentWeight = 7 }.PaymentWeight);
        Assert.Equal(0.0, new SelectionQuery { PaymentWeight = -0.5 }.PaymentWeight);
        Assert.Equal(1.0, new SelectionQuery { PaymentWeight = double.PositiveInfinity }.PaymentWeight);
        var d = SelectionQuery.Default;
        Assert.Equal(SelectionStrategy.Weighted, d.Strategy);
        Assert.True(d.Fairness);
        Assert.Equal(0.0, d.PaymentWeight);
    }

    [Fact]
    public void Index_rejects_bad_state_and_reference_rejects_duplicates()
    {
        var index = new PeerRankingIndex();
        Assert.Equal("srttMs", Assert.Throws<InvalidInputException>(() => index.Upsert(Peer("a") with { SrttMs = double.NaN })).Field);
        Assert.Equal(0, index.Count);
        Assert.Equal("peers", Assert.Throws<InvalidInputException>(() =>
            PeerSelector.Select([Peer("a"), Peer("a")], NoFair, T0, 0, new Random())).Field);
    }

    [Fact]
    public void Summary_values()
    {
        var peers = new[]
        {
            Peer("a", 10, 8, 100, timeouts: 2), Peer("b", 5, 5, 300), Peer("c", 0, 0, 0, backedOffUntil: T0.AddSeconds(1)),
        };
        var s = PeerSelector.Summary(peers, T0);
        Assert.Equal(new SelectionSummary(3, 15, 13, 2, 1, 200, 13.0 / 15.0), s);
        var index = new PeerRankingIndex();
        foreach (var p in peers) index.Upsert(p);
        Assert.Equal(s, index.Summary(T0));
        Assert.Equal(0, index.Summary(T0.AddSeconds(1)).BackedOffCount);
        Assert.Equal(new SelectionSummary(0, 0, 0, 0, 0, 0, 0), PeerSelector.Summary([], T0));
        Assert.True(index.Remove(PeerId.Parse("a")));
        Assert.False(index.Remove(PeerId.Parse("a")));
        Assert.Equal(PeerSelector.Summary(peers.Skip(1), T0), index.Summary(T0));
    }

    [Fact]
    public void Selection_rate_helper_matches_PeerStats()
    {
        var rng = new Random(3);
        for (var i = 0; i < 2000; i++)
        {
            var st = Peer("x", (ulong)rng.NextInt64(0, long.MaxValue), connectedAt: T0.AddTicks(-rng.NextInt64(0, TimeSpan.TicksPerDay * 400)));
            var now = T0.AddTicks(rng.NextInt64(0, TimeSpan.TicksPerSecond * 30));
            Assert.Equal(PeerActors.Core.Stats.PeerStats.FromState(st).SelectionRate(now),
                SelectionMath.SelectionRate(st.RequestsSent, st.ConnectedAt.UtcTicks, now.UtcTicks));
        }
    }
}
