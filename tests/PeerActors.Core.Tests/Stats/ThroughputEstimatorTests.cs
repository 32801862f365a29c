using PeerActors.Core.Identity;
using PeerActors.Core.Stats;
using PeerActors.Core.Validation;
using Xunit;

namespace PeerActors.Core.Tests.Stats;

/// <summary>The delivered-throughput estimator kept in <see cref="PeerStats"/> (issue #14; not part of the reference).</summary>
public class ThroughputEstimatorTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const double HourMs = 3_600_000;

    private static readonly PeerStatsOptions OneHour = new() { ThroughputHalfLifeMs = HourMs, ThroughputBurstHalfLifeMs = 30_000 };

    /// <summary>(offset from T0 in seconds, RTT ms, bytes) successes, then the expected rate sum, weight and estimate.</summary>
    public static TheoryData<string, (double Sec, double Rtt, long Bytes)[], double, double, double> Cases() => new()
    {
        { "one sample is its bytes per ms", [(0, 100, 1000)], 10, 1, 10 },
        { "zero bytes or zero RTT is no evidence", [(0, 100, 0), (1, 0, 500)], 0, 0, 0 },
        // 1 h later the first sample weighs 1/2 and the burst count (30 s half-life) has vanished.
        { "a sample one half-life old weighs half", [(0, 100, 1000), (3600, 100, 3000)], 5 + 30, 1.5, 35 / 1.5 },
        { "two half-lives: a quarter", [(0, 100, 1000), (7200, 100, 3000)], 2.5 + 30, 1.25, 32.5 / 1.25 },
        // Same instant: the second sample of a burst gets weight 1/(1+1), the third 1/(1+2).
        { "a burst's samples share their weight", [(0, 100, 1000), (0, 100, 3000), (0, 100, 3000)], 10 + 15 + 10, 1 + 0.5 + 1.0 / 3, 35 / (1 + 0.5 + 1.0 / 3) },
        // 30 s later the burst count is 1/2: weight 1/(1+0.5); the 1 h decay over 30 s is 2^(-1/120).
        { "one burst half-life later the weight is 2/3", [(0, 100, 1000), (30, 100, 3000)],
            10 * Math.Pow(2, -1.0 / 120) + 30 / 1.5, Math.Pow(2, -1.0 / 120) + 1 / 1.5,
            (10 * Math.Pow(2, -1.0 / 120) + 20) / (Math.Pow(2, -1.0 / 120) + 1 / 1.5) },
        // A sample older than the latest one decays nothing and is weighted by its own age (and the burst count).
        { "an out-of-order sample is weighted by its age", [(3600, 100, 1000), (0, 100, 3000)], 10 + 0.5 * 30 / 2, 1 + 0.5 / 2, 17.5 / 1.25 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Estimator(string name, (double Sec, double Rtt, long Bytes)[] samples, double rateSum, double weight, double bytesPerMs)
    {
        var s = new PeerStats(PeerId.Parse("p"), T0, OneHour);
        foreach (var (sec, rtt, bytes) in samples) s.RecordSuccess(rtt, bytes, T0.AddSeconds(sec));
        Assert.True(Math.Abs(rateSum - s.ThroughputRateSum) < 1e-9, $"{name}: rate sum {s.ThroughputRateSum} != {rateSum}");
        Assert.True(Math.Abs(weight - s.ThroughputWeight) < 1e-9, $"{name}: weight {s.ThroughputWeight} != {weight}");
        Assert.True(Math.Abs(bytesPerMs - s.ThroughputBytesPerMs) < 1e-9, $"{name}: estimate {s.ThroughputBytesPerMs} != {bytesPerMs}");
    }

    /// <summary>
    /// Evidence of one transfer vs several: n samples at one instant (one session's chunks) weigh the harmonic number
    /// H_n = 1 + 1/2 + … + 1/n ≈ ln n + 0.58, while n samples spaced far beyond the burst half-life weigh n (minus the
    /// 12 h decay). This is why a 300-chunk session does not outvote a sender's other sessions (README "Evaluate selection":
    /// session-like weighting predicted the next day better than chunk- or time-weighted means).
    /// </summary>
    [Theory]
    [InlineData("one sample is one unit of evidence", 1, 0, 1.0)]
    [InlineData("a burst of 2 weighs 1.5", 2, 0, 1.5)]
    [InlineData("a burst of 10 weighs H_10, about 2.93", 10, 0, 2.9289682539682538)]
    [InlineData("a burst of 300 weighs H_300, about 6.28, not 300", 300, 0, 6.2826638802995)]
    [InlineData("10 samples 10 min apart are 10 transfers (less the 12 h decay)", 10, 600, 9.5796859)]
    public void Burst_evidence_grows_like_log_n_while_spaced_samples_count_fully(string name, int n, double spacingSec, double expectedWeight)
    {
        var s = new PeerStats(PeerId.Parse("p"), T0);
        for (var i = 0; i < n; i++) s.RecordSuccess(100, 1000, T0.AddSeconds(i * spacingSec));
        Assert.True(Math.Abs(expectedWeight - s.ThroughputWeight) < 1e-3, $"{name}: weight {s.ThroughputWeight} != {expectedWeight}");
        Assert.Equal(10, s.ThroughputBytesPerMs, 9); // equal samples: the weights do not move the mean
    }

    [Fact]
    public void Estimator_state_survives_to_state_and_back()
    {
        var s = new PeerStats(PeerId.Parse("p"), T0, OneHour);
        s.RecordSuccess(100, 1000, T0);
        s.RecordSuccess(50, 1000, T0.AddSeconds(10));
        var back = PeerStats.FromState(s.ToState(), OneHour);
        Assert.Equal(s.ToState(), back.ToState());
        back.RecordSuccess(100, 1000, T0.AddSeconds(20));
        s.RecordSuccess(100, 1000, T0.AddSeconds(20));
        Assert.Equal(s.ThroughputBytesPerMs, back.ThroughputBytesPerMs);
    }

    [Fact]
    public void Stored_states_without_the_estimator_read_as_no_evidence()
    {
        var st = new PeerStatsState { PeerId = PeerId.Parse("p"), ConnectedAt = T0, ThroughputRateSum = double.NaN, ThroughputWeight = -1 };
        var s = PeerStats.FromState(st);
        Assert.Equal(0, s.ThroughputRateSum);
        Assert.Equal(0, s.ThroughputWeight);
        Assert.Equal(0, s.ThroughputBytesPerMs);
    }

    [Fact]
    public void The_estimator_leaves_the_reference_fields_alone()
    {
        var a = new PeerStats(PeerId.Parse("p"), T0);
        var b = new PeerStats(PeerId.Parse("p"), T0);
        a.RecordSuccess(120, 1_000_000, T0);
        b.RecordSuccess(120, 0, T0);
        Assert.Equal(b.SrttMs, a.SrttMs);
        Assert.Equal(b.RtoMs, a.RtoMs);
        Assert.Equal(b.Score(T0), a.Score(T0));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void Half_lives_must_be_positive(double ms)
    {
        Assert.Throws<InvalidInputException>(() => new PeerStatsOptions { ThroughputHalfLifeMs = ms });
        Assert.Throws<InvalidInputException>(() => new PeerStatsOptions { ThroughputBurstHalfLifeMs = ms });
    }
}
