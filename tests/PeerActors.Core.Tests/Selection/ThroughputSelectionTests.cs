using static PeerActors.Core.Tests.Selection.SelectionTestData;

namespace PeerActors.Core.Tests.Selection;

/// <summary>The Throughput strategy (issue #14): shrinkage, reliability and backoff, and the LowestLatency unknown-last option.</summary>
public class ThroughputSelectionTests
{
    private static PeerStatsState WithRate(PeerStatsState s, double bytesPerMs, double weight) =>
        s with { ThroughputRateSum = bytesPerMs * weight, ThroughputWeight = weight, ThroughputAt = T0 };

    /// <summary>(own rate bytes/ms, evidence in weighted samples, population mean, prior k) → estimate (S + k·m)/(W + k).</summary>
    [Theory]
    [InlineData("no evidence is the mean", 0, 0, 40, 0.5, 40)]
    [InlineData("one sample keeps two thirds of its own value", 100, 1, 40, 0.5, 80)]
    [InlineData("much evidence keeps nearly its own value", 100, 100, 40, 0.5, (10_000 + 20) / 100.5)]
    [InlineData("a stronger prior pulls harder", 100, 1, 40, 3, (100 + 120) / 4.0)]
    [InlineData("no prior: the own value", 100, 0.01, 40, 0, 100)]
    public void Shrinkage_toward_the_population_mean(string name, double rate, double weight, double mean, double k, double expected)
    {
        var s = WithRate(Peer("p", 10, 10), rate, weight);
        Assert.True(Math.Abs(expected - ThroughputScoring.Estimate(s, mean, k)) < 1e-9, name);
    }

    /// <summary>(successes, requests, backoff level) → reliability factor.</summary>
    [Theory]
    [InlineData("all succeeded", 10, 10, 0, 1.0)]
    [InlineData("no requests yet: 0.5 as success_rate", 0, 0, 0, 0.5)]
    [InlineData("half failed", 5, 10, 0, 0.5)]
    [InlineData("backoff level 2 costs 20 %", 10, 10, 2, 0.8)]
    [InlineData("the backoff penalty stops at 95 %", 10, 10, 30, 0.05)]
    [InlineData("more successes than requests count as 1", 12, 10, 0, 1.0)]
    public void Reliability_and_backoff(string name, ulong successes, ulong requests, int level, double expected)
    {
        var s = Peer("p", requests, successes, backoffLevel: level);
        Assert.True(Math.Abs(expected - ThroughputScoring.Reliability(s)) < 1e-12, name);
    }

    [Fact]
    public void Ranks_by_shrunk_throughput_not_by_latency()
    {
        // Same success rate; "fast" has the higher SRTT (big chunks) but delivers more bytes per ms.
        var fast = WithRate(Peer("fast", 50, 50, srtt: 900), 800, 20);
        var slow = WithRate(Peer("slow", 50, 50, srtt: 100), 200, 20);
        var lucky = WithRate(Peer("lucky", 1, 1, srtt: 100), 2000, 0.1); // one lucky sample: shrunk hard
        var unknown = Peer("unknown");
        var r = Both([fast, slow, lucky, unknown], new SelectionQuery { Strategy = SelectionStrategy.Throughput, Fairness = false }, T0);
        Assert.Equal(["fast", "lucky", "slow", "unknown"], Ids(r));
        var top = r.Peers[0];
        Assert.True(top.Inputs.ThroughputEstimate > 700 && top.Inputs.ThroughputMean > 0);
        Assert.Equal(top.Score, top.Inputs.BaseScore); // no payments: blend = base
    }

    [Fact]
    public void Failures_and_backoff_demote_and_backed_off_peers_are_not_candidates()
    {
        var good = WithRate(Peer("good", 20, 20), 300, 10);
        var flaky = WithRate(Peer("flaky", 20, 10, backoffLevel: 1), 300, 10); // same throughput, half the successes
        var banned = WithRate(Peer("banned", 20, 20, backedOffUntil: T0.AddMinutes(1)), 5000, 10);
        var r = Both([good, flaky, banned], new SelectionQuery { Strategy = SelectionStrategy.Throughput, Fairness = false }, T0);
        Assert.Equal(["good", "flaky"], Ids(r));
        Assert.True(r.Peers[1].Score < r.Peers[0].Score * 0.5);
    }

    [Fact]
    public void Payment_multiplier_and_weight_blend_like_the_reference_strategies()
    {
        var a = WithRate(Peer("a", 10, 10, receipts: 0, defaults: 1), 300, 10);
        var b = WithRate(Peer("b", 10, 10, paid: 5000), 300, 10);
        var plain = Both([a, b], new SelectionQuery { Strategy = SelectionStrategy.Throughput, Fairness = false }, T0);
        Assert.Equal(["b", "a"], Ids(plain)); // multiplier 1/2 for a's default
        Assert.Equal(0.5, plain.Peers[1].Inputs.PaymentMultiplier);
        var weighted = Both([a, b], new SelectionQuery { Strategy = SelectionStrategy.Throughput, Fairness = false, PaymentWeight = 0.5 }, T0);
        var bb = weighted.Peers[0];
        Assert.Equal(0.5 * bb.Inputs.BaseScore + 0.5 * bb.Inputs.PaymentBoost, bb.Score, 12);
    }

    [Fact]
    public void Without_any_evidence_every_peer_is_average_times_reliability()
    {
        var r = Both([Peer("a", 4, 2), Peer("b", 4, 4), Peer("c")], new SelectionQuery { Strategy = SelectionStrategy.Throughput, Fairness = false }, T0);
        Assert.Equal(["b", "a", "c"], Ids(r));
        Assert.Equal([0.5, 0.25, 0.25], r.Peers.Select(p => p.Score));
    }

    [Fact]
    public void Negligible_or_corrupt_sums_count_as_no_evidence_in_index_and_reference_alike()
    {
        var tiny = Peer("tiny", 5, 5) with { ThroughputRateSum = 1e-13, ThroughputWeight = 1, ThroughputAt = T0 };
        var nan = Peer("nan", 5, 5) with { ThroughputRateSum = double.NaN, ThroughputWeight = 1 };
        var r = Both([tiny, nan, Peer("none", 4, 2)], new SelectionQuery { Strategy = SelectionStrategy.Throughput, Fairness = false }, T0);
        Assert.Equal(["nan", "tiny", "none"], Ids(r));
        Assert.Equal(0, r.Peers[0].Inputs.ThroughputMean);
    }

    [Fact]
    public void Prior_strength_must_be_finite_and_non_negative()
    {
        Assert.Throws<InvalidInputException>(() => new ThroughputOptions { PriorSamples = -1 });
        Assert.Throws<InvalidInputException>(() => new ThroughputOptions { PriorSamples = double.PositiveInfinity });
    }

    /// <summary>LowestLatency: unknown SRTT first (reference, default) or last (option).</summary>
    [Theory]
    [InlineData(false, new[] { "u1", "u2", "k50", "k100" })]
    [InlineData(true, new[] { "k50", "k100", "u1", "u2" })]
    public void LowestLatency_unknown_first_by_default_and_last_on_request(bool unknownLast, string[] expected)
    {
        var peers = new[] { Peer("k100", 5, 5, srtt: 100), Peer("u2", 0, 0), Peer("k50", 5, 5, srtt: 50), Peer("u1", 2, 2) };
        var r = Both(peers, new SelectionQuery { Strategy = SelectionStrategy.LowestLatency, Fairness = false, UnknownLatencyLast = unknownLast }, T0);
        Assert.Equal(expected, Ids(r));
        Assert.False(SelectionQuery.Default.UnknownLatencyLast);
    }
}
