namespace PeerActors.Core.Stats;

/// <summary>
/// The score formulas of SPEC §2 as pure functions over score inputs, shared by
/// <see cref="PeerStats"/> and by selection indexes that hold only the inputs. Results are
/// finite for every input (counters are unsigned; RTTs are validated non-negative upstream).
/// </summary>
public static class Scores
{
    /// <summary>Recency window of <see cref="Score"/>: a success less than 60 s before now earns the bonus.</summary>
    public static readonly TimeSpan RecencyWindow = TimeSpan.FromSeconds(60);

    /// <summary><c>score(now)</c> = 0.6·successRate + 0.3·rtt_s + 0.1·(1 + recency).</summary>
    public static double Score(double successRate, double srttMs, DateTimeOffset? lastSuccess, DateTimeOffset now)
    {
        var rtt = srttMs <= 0 ? 0.5 : Math.Min(1.0, 500.0 / (srttMs + 50.0));
        var recency = lastSuccess is { } ls && now - ls < RecencyWindow ? 0.1 : 0.0;
        return 0.6 * successRate + 0.3 * rtt + 0.1 * (1.0 + recency);
    }

    /// <summary>
    /// UCB <c>utility_score(total)</c>: 0.55·ratio_s + 0.25·lat + 0.20·eff + 0.20·sqrt(ln(total+1)/(requests+1)),
    /// ratio_s = r/(1+r), r = (successes+1)/(failures+timeouts+1); lat = 0.5 or min(1, 300/(SRTT+50));
    /// eff = 0.5 when nothing was sent else min(1, received/sent).
    /// </summary>
    public static double Utility(ulong successes, ulong failures, ulong timeouts, double srttMs,
        ulong bytesSent, ulong bytesReceived, ulong requestsSent, ulong totalRequests)
    {
        var good = (double)successes + 1.0;
        var bad = (double)failures + (double)timeouts + 1.0;
        var ratio = good / bad;
        var ratioS = ratio / (1.0 + ratio);
        var lat = srttMs <= 0 ? 0.5 : Math.Min(1.0, 300.0 / (srttMs + 50.0));
        var eff = bytesSent == 0 ? 0.5 : Math.Min(1.0, (double)bytesReceived / bytesSent);
        var explore = Math.Sqrt(Math.Log((double)totalRequests + 1.0) / ((double)requestsSent + 1.0));
        return 0.55 * ratioS + 0.25 * lat + 0.20 * eff + 0.20 * explore;
    }

    /// <summary>
    /// <c>tit_for_tat_score(total)</c> of SPEC §2: reliability, reciprocity (confidence-weighted bytes
    /// ratio), latency and exploration, minus a timeout/failure/backoff penalty capped at 0.95; floored at 0.
    /// </summary>
    public static double TitForTat(ulong successes, ulong failures, ulong timeouts, double srttMs,
        ulong bytesSent, ulong bytesReceived, ulong requestsSent, int backoffLevel, ulong totalRequests)
    {
        var reliability = ((double)successes + 1.0) / ((double)requestsSent + 2.0);
        var raw = bytesSent == 0 ? 1.0 : (double)bytesReceived / bytesSent;
        var recipRatio = raw / (1.0 + raw);
        var conf = (double)successes / ((double)successes + 4.0);
        var reciprocity = (1.0 - conf) * 0.5 + conf * recipRatio;
        var rtt = srttMs <= 0 ? 0.5 : Math.Min(1.0, 400.0 / (srttMs + 50.0));
        double timeoutRate = 0, failureRate = 0;
        if (requestsSent > 0)
        {
            timeoutRate = (double)timeouts / requestsSent;
            failureRate = (double)failures / requestsSent;
        }
        var penalty = Math.Min(0.95, 0.60 * timeoutRate + 0.45 * failureRate + 0.10 * backoffLevel);
        var explore = Math.Sqrt(Math.Log((double)totalRequests + 2.0) / ((double)requestsSent + 2.0));
        return Math.Max(0.0, 0.65 * reliability + 0.25 * reciprocity + 0.10 * rtt + 0.03 * explore - penalty);
    }

    /// <summary><c>payment_priority_boost</c> = 0 when nothing was paid, else paid/(paid+32), in [0, 1).</summary>
    public static double PaymentPriorityBoost(ulong paidSat) => paidSat == 0 ? 0.0 : (double)paidSat / ((double)paidSat + 32.0);

    /// <summary><c>payment_reliability_multiplier</c> = 1 when receipts = defaults = 0, else (receipts+1)/(receipts+defaults+1).</summary>
    public static double PaymentReliabilityMultiplier(ulong receipts, ulong defaults) =>
        receipts == 0 && defaults == 0 ? 1.0 : ((double)receipts + 1.0) / ((double)receipts + (double)defaults + 1.0);
}
