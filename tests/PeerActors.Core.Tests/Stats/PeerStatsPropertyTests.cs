namespace PeerActors.Core.Tests.Stats;

public class PeerStatsPropertyTests
{
    private static readonly DateTimeOffset T0 = PeerStatsTests.T0;

    private static readonly long[] Huge = [0, 1, 7, 1_000, long.MaxValue, long.MaxValue / 2, -1, long.MinValue];
    private static readonly double[] Rtts = [0, 0.001, 1, 80, 100, 5_000, 1e12, double.MaxValue, -1, double.NaN, double.PositiveInfinity, double.NegativeInfinity];

    /// <summary>Applies op <paramref name="kind"/>; returns false if it was rejected (and checks the rejection was legitimate).</summary>
    private static void Apply(PeerStats s, byte kind, long amount, double rtt, DateTimeOffset now)
    {
        switch (kind % 7)
        {
            case 0: s.RecordRequest(amount); break;
            case 1:
                // a response answers a request (keeps successes ≤ requests, as in real use)
                if (amount >= 0 && double.IsFinite(rtt) && rtt >= 0) s.RecordRequest(0);
                s.RecordSuccess(rtt, amount, now);
                break;
            case 2: s.RecordTimeout(now); break;
            case 3: s.RecordFailure(now); break;
            case 4: s.RecordPayment(amount); break;
            case 5: s.RecordReceipt(amount); break;
            default: s.RecordPaymentDefault(now); break;
        }
    }

    [Property(MaxTest = 300)]
    public bool Counters_never_decrease_scores_stay_finite_and_in_range(byte[] kinds, int[] amountIdx, int[] rttIdx, ushort[] seconds)
    {
        var s = new PeerStats(PeerId.Parse("prop"), T0);
        var now = T0;
        for (var i = 0; i < kinds.Length; i++)
        {
            var amount = Huge[Math.Abs((amountIdx.Length == 0 ? i : amountIdx[i % amountIdx.Length]) % Huge.Length)];
            var rtt = Rtts[Math.Abs((rttIdx.Length == 0 ? i : rttIdx[i % rttIdx.Length]) % Rtts.Length)];
            now = now.AddSeconds(seconds.Length == 0 ? 1 : seconds[i % seconds.Length] % 120);
            var before = s.ToState();
            var badInput = amount < 0 && kinds[i] % 7 is 0 or 1 or 4 or 5 || (kinds[i] % 7 == 1 && !(double.IsFinite(rtt) && rtt >= 0));
            try
            {
                Apply(s, kinds[i], amount, rtt, now);
                if (badInput) return false;
            }
            catch (InvalidInputException)
            {
                if (!badInput) return false;
                if (before != s.ToState()) return false; // state unchanged on rejection
                continue;
            }
            var after = s.ToState();
            if (after.RequestsSent < before.RequestsSent || after.Successes < before.Successes || after.Timeouts < before.Timeouts
                || after.Failures < before.Failures || after.BytesSent < before.BytesSent || after.BytesReceived < before.BytesReceived
                || after.PaidSat < before.PaidSat || after.ReceivedSat < before.ReceivedSat
                || after.PaymentReceipts < before.PaymentReceipts || after.PaymentDefaults < before.PaymentDefaults)
                return false;
            if (!InRange(s, now)) return false;
        }
        return InRange(s, now.AddMinutes(5));
    }

    private static bool InRange(PeerStats s, DateTimeOffset now)
    {
        bool Within(double v, double lo, double hi) => double.IsFinite(v) && v >= lo && v <= hi;
        var o = s.Options;
        return Within(s.SrttMs, 0, double.MaxValue) && Within(s.RttvarMs, 0, double.MaxValue)
            && s.RtoMs >= o.MinRtoMs && s.RtoMs <= o.MaxRtoMs || (s.RtoMs == o.InitialRtoMs && s.SrttMs == 0)
            ? Within(s.SuccessRate, 0, 1)
              && Within(s.Score(now), 0, 1.01)
              && Within(s.UtilityScore(0), 0, 1.2) && Within(s.UtilityScore(ulong.MaxValue), 0, 1.0 + 0.2 * Math.Sqrt(Math.Log(1.9e19)))
              && Within(s.TitForTatScore(0), 0, 1.03) && Within(s.TitForTatScore(ulong.MaxValue), 0, 1.0 + 0.03 * Math.Sqrt(Math.Log(1.9e19)))
              && Within(s.PaymentPriorityBoost, 0, 1) && Within(s.PaymentReliabilityMultiplier, 0, 1)
              && Within(s.SelectionRate(now), 0, double.MaxValue)
              && s.ConsecutiveRtoBackoffs is >= 0 and <= 5 && s.BackoffLevel >= 0
              && (s.BackedOffUntil is null || s.BackoffRemaining(now) <= TimeSpan.FromMilliseconds(o.MaxBackoffMs))
            : false;
    }

    [Property(MaxTest = 200)]
    public bool Score_formulas_are_finite_and_bounded_for_any_inputs(ulong succ, ulong fail, ulong tmo, ulong sent, ulong recv, ulong req, ulong total, byte level, uint srttRaw)
    {
        var srtt = srttRaw / 3.0;
        var anyU = Scores.Utility(succ, fail, tmo, srtt, sent, recv, req, total);
        var anyT = Scores.TitForTat(succ, fail, tmo, srtt, sent, recv, req, level, total);
        if (!double.IsFinite(anyU) || !double.IsFinite(anyT) || anyT < 0) return false; // finite for every input
        succ = Math.Min(succ, req); // ranges hold for consistent counters (successes ≤ requests)
        var u = Scores.Utility(succ, fail, tmo, srtt, sent, recv, req, total);
        var t = Scores.TitForTat(succ, fail, tmo, srtt, sent, recv, req, level, total);
        var sr = req == 0 ? 0.5 : Math.Min(1, (double)succ / req);
        var sc = Scores.Score(sr, srtt, T0, T0);
        return double.IsFinite(u) && u >= 0 && u <= 1.0 + 0.2 * Math.Sqrt(Math.Log((double)total + 1))
            && double.IsFinite(t) && t >= 0 && t <= 1.0 + 0.03 * Math.Sqrt(Math.Log((double)total + 2))
            && double.IsFinite(sc) && sc is >= 0.1 and <= 1.01;
    }
}
