namespace PeerActors.Core.Tests.Stats;

public class ScoresTests
{
    private static readonly DateTimeOffset T0 = PeerStatsTests.T0;

    // Expected values computed by hand / independently (python) from SPEC §2.
    [Theory]
    [InlineData(10ul, 8ul, 100.0, true, 0.89)]   // 0.48 + 0.3·1 + 0.1·1.1
    [InlineData(10ul, 8ul, 100.0, false, 0.88)]
    [InlineData(10ul, 8ul, 0.0, false, 0.73)]    // rtt_s 0.5
    [InlineData(10ul, 8ul, 950.0, false, 0.73)]  // 500/1000 = 0.5
    [InlineData(0ul, 0ul, 0.0, false, 0.55)]     // success_rate 0.5
    [InlineData(4ul, 0ul, 450.0, false, 0.4)]    // 0 + 0.3·min(1, 500/500) + 0.1
    public void Score_table(ulong requests, ulong successes, double srtt, bool recent, double expected)
    {
        var ls = recent ? T0.AddSeconds(-59.999) : T0.AddSeconds(-60);
        var st = new PeerStatsState { PeerId = PeerId.Parse("p"), ConnectedAt = T0, RequestsSent = requests, Successes = successes, SrttMs = srtt, LastSuccess = ls };
        Assert.Equal(expected, PeerStats.FromState(st).Score(T0), 9);
    }

    [Fact]
    public void Score_recency_window_is_strictly_less_than_60s_and_needs_a_success()
    {
        Assert.Equal(0.71, Scores.Score(0.5, 50, T0, T0.AddSeconds(59)), 12); // 0.3 + 0.3·min(1, 5) + 0.11
        Assert.Equal(0.70, Scores.Score(0.5, 50, T0, T0.AddSeconds(60)), 12);
        Assert.Equal(0.70, Scores.Score(0.5, 50, null, T0), 12);
    }

    [Fact]
    public void Utility_worked_value()
    {
        // good 4, bad 2, ratio 2 → 2/3; lat 300/300 = 1; eff 50/100 = 0.5; explore sqrt(ln 11 / 5)
        Assert.Equal(0.8551699597047275, Scores.Utility(3, 1, 0, 250, 100, 50, 4, 10), 9);
        Assert.Equal(0.5, Scores.Utility(0, 0, 0, 0, 0, 0, 0, 0), 12); // ratio_s 0.5, lat 0.5, eff 0.5, explore 0
        // eff capped at 1 and latency capped at 1
        Assert.Equal(0.55 * 0.5 + 0.25 + 0.20 + 0.20 * Math.Sqrt(Math.Log(2) / 1), Scores.Utility(0, 0, 0, 1, 10, 1000, 0, 1), 12);
    }

    [Fact]
    public void TitForTat_worked_values()
    {
        // reliability 5/8, reciprocity 0.625, rtt 1, penalty 0.6/6 + 0.45/6 + 0.1 = 0.275
        Assert.Equal(0.40614784909856383, Scores.TitForTat(4, 1, 1, 150, 100, 300, 6, 1, 20), 9);
        Assert.Equal(0.5176611503377321, Scores.TitForTat(0, 0, 0, 0, 0, 0, 0, 0, 0), 9);
        // penalty capped at 0.95 and result floored at 0
        Assert.Equal(0.0, Scores.TitForTat(0, 0, 10, 0, 0, 0, 10, 5, 10));
    }

    [Theory]
    [InlineData(0ul, 0.0)]
    [InlineData(32ul, 0.5)]
    [InlineData(5000ul, 0.9936406995230525)]
    [InlineData(ulong.MaxValue, 1.0)]
    public void Payment_priority_boost(ulong paid, double expected) =>
        Assert.Equal(expected, Scores.PaymentPriorityBoost(paid), 9);

    [Theory]
    [InlineData(0ul, 0ul, 1.0)]
    [InlineData(3ul, 0ul, 1.0)]
    [InlineData(0ul, 1ul, 0.5)]
    [InlineData(1ul, 2ul, 0.5)]
    [InlineData(3ul, 4ul, 0.5)]
    [InlineData(0ul, 3ul, 0.25)]
    public void Payment_reliability_multiplier(ulong receipts, ulong defaults, double expected) =>
        Assert.Equal(expected, Scores.PaymentReliabilityMultiplier(receipts, defaults), 12);

    [Theory]
    [InlineData(0ul, 0ul, false)]
    [InlineData(0ul, 5ul, false)] // 0 = off
    [InlineData(1ul, 0ul, false)]
    [InlineData(1ul, 1ul, true)]
    [InlineData(3ul, 2ul, false)]
    [InlineData(3ul, 3ul, true)]
    public void Payment_default_threshold(ulong threshold, ulong defaults, bool expected)
    {
        var st = new PeerStatsState { PeerId = PeerId.Parse("p"), ConnectedAt = T0, PaymentDefaults = defaults };
        Assert.Equal(expected, PeerStats.FromState(st).ExceedsPaymentDefaultThreshold(threshold));
    }

    [Fact]
    public void PeerStats_members_delegate_to_the_formulas()
    {
        var s = new PeerStats(PeerId.Parse("x"), T0);
        s.RecordRequest(100); s.RecordRequest(100); s.RecordRequest(100); s.RecordRequest(100);
        s.RecordSuccess(250, 50, T0); s.RecordSuccess(250, 0, T0); s.RecordSuccess(250, 0, T0);
        s.RecordFailure(T0);
        s.RecordPayment(32); s.RecordReceipt(1); s.RecordPaymentDefault(T0);
        Assert.Equal(0.5, s.PaymentPriorityBoost, 12);
        Assert.Equal(2.0 / 3.0, s.PaymentReliabilityMultiplier, 12);
        // successes 3, failures 1, timeouts 0, sent 400, received 50
        var good = 4.0; var bad = 2.0; var rs = (good / bad) / (1 + good / bad);
        var expected = 0.55 * rs + 0.25 * 1.0 + 0.20 * (50.0 / 400.0) + 0.20 * Math.Sqrt(Math.Log(11) / 5);
        Assert.Equal(expected, s.UtilityScore(10), 9);
    }
}
