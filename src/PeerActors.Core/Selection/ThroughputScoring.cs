using PeerActors.Core.Stats;
using PeerActors.Core.Validation;

namespace PeerActors.Core.Selection;

/// <summary>
/// Settings of the <see cref="SelectionStrategy.Throughput"/> strategy that are fixed per selector (they shape
/// the index keys). Not part of the reference (SPEC §2 allows additional strategies).
/// </summary>
public sealed record ThroughputOptions
{
    private readonly double _priorSamples = 0.5;

    /// <summary>The defaults (prior strength 0.5 weighted samples).</summary>
    public static ThroughputOptions Default { get; } = new();

    /// <summary>
    /// Prior strength k, in weighted samples (<see cref="PeerStatsState.ThroughputWeight"/> units): a peer's estimate is
    /// (S + k·m) / (W + k), i.e. the population mean m counts as k samples of evidence (Bayesian shrinkage of a mean
    /// toward the pooled mean: a peer with one sample gets 1/(1+k) of its own value). Finite, ≥ 0. Default 0.5 (on real
    /// day pairs stronger priors did not predict better; README "Evaluate selection").
    /// </summary>
    /// <exception cref="InvalidInputException">When negative, NaN or ∞.</exception>
    public double PriorSamples
    {
        get => _priorSamples;
        init => _priorSamples = double.IsFinite(value) && value >= 0
            ? value
            : throw new InvalidInputException("priorSamples", $"must be a finite number >= 0, got {value}");
    }
}

/// <summary>
/// Formulas of the <see cref="SelectionStrategy.Throughput"/> strategy (PeerActors addition), shared by
/// <see cref="PeerSelector"/> and <see cref="PeerRankingIndex"/> so both compute bit-identical doubles.
/// </summary>
/// <remarks>
/// Per peer i the stats hold the weighted sums S_i = Σ w·bytes/RTT and W_i = Σ w of its successes
/// (<see cref="PeerStats.ThroughputRateSum"/>: exponentially decayed with <see cref="PeerStatsOptions.ThroughputHalfLifeMs"/>
/// in the observation clock, bursts down-weighted by <see cref="PeerStatsOptions.ThroughputBurstHalfLifeMs"/>). With the
/// pooled population mean m = Σ S / Σ W over all tracked peers (bytes/ms) and prior strength k
/// (<see cref="ThroughputOptions.PriorSamples"/>):
/// <list type="bullet">
/// <item>estimate e_i = a_i + b_i·m with a_i = S_i/(W_i+k), b_i = k/(W_i+k) (= (S_i + k·m)/(W_i + k); a peer without
/// samples gets e = m);</item>
/// <item>reliability r_i = min(1, success_rate) · (1 − min(0.95, 0.10·backoff_level)) (success_rate as in the reference
/// Weighted score, 0.5 without requests; the backoff penalty of the reference tit-for-tat score);</item>
/// <item>base_i = r_i · e_i/(e_i + m) ∈ [0, 1) (0.5·r_i for a peer exactly at the mean; 0.5·r_i for everyone
/// while no peer has a sample), then blended with payments like the other strategies.</item>
/// </list>
/// Backed-off peers are not candidates (SPEC §3 step 1). The pooled sums are taken in fixed point
/// (<see cref="Fixed"/>, 2⁻⁴⁰) so every summation order gives the same m.
/// </remarks>
public static class ThroughputScoring
{
    private const double FixedScale = 1099511627776.0; // 2^40

    /// <summary>A non-negative finite value in 2⁻⁴⁰ fixed point (floor), for order-independent exact sums.</summary>
    public static Int128 Fixed(double v) => v > 0 && double.IsFinite(v) ? (Int128)Math.Floor(v * FixedScale) : Int128.Zero;

    /// <summary>Pooled mean m = Σ S / Σ W, bytes per ms, from fixed-point sums (0 when there is no evidence).</summary>
    public static double PopulationMean(Int128 sumRateFixed, Int128 sumWeightFixed) =>
        sumRateFixed > 0 && sumWeightFixed > 0 ? (double)sumRateFixed / (double)sumWeightFixed : 0;

    /// <summary>Pooled mean over <paramref name="peers"/> (any order).</summary>
    public static double PopulationMean(IEnumerable<PeerStatsState> peers)
    {
        Int128 b = 0, t = 0;
        foreach (var s in peers)
        {
            var (fb, ft) = FixedSums(s);
            b += fb;
            t += ft;
        }
        return PopulationMean(b, t);
    }

    /// <summary>The peer's contribution to the pooled sums (0, 0 without throughput evidence).</summary>
    public static (Int128 RateSum, Int128 Weight) FixedSums(PeerStatsState s) =>
        HasEvidence(s) ? (Fixed(s.ThroughputRateSum), Fixed(s.ThroughputWeight)) : (0, 0);

    /// <summary>
    /// Evidence = both sums positive in fixed point (so "no peer has evidence" and "m = 0" are the same statement,
    /// which the index bound relies on); sums below 2⁻⁴⁰ count as none.
    /// </summary>
    private static bool HasEvidence(PeerStatsState s) =>
        double.IsFinite(s.ThroughputRateSum) && double.IsFinite(s.ThroughputWeight)
        && Fixed(s.ThroughputRateSum) > 0 && Fixed(s.ThroughputWeight) > 0;

    /// <summary>(a, b) with e = a + b·m: a = S/(W+k), b = k/(W+k); (0, 1) without evidence.</summary>
    public static (double A, double B) Coefficients(PeerStatsState s, double priorSamples)
    {
        if (!HasEvidence(s)) return (0, 1);
        var d = s.ThroughputWeight + priorSamples;
        return (s.ThroughputRateSum / d, priorSamples / d);
    }

    /// <summary>Shrunk throughput estimate e = a + b·m, bytes per ms.</summary>
    public static double Estimate(PeerStatsState s, double mean, double priorSamples)
    {
        var (a, b) = Coefficients(s, priorSamples);
        return a + b * mean;
    }

    /// <summary>r = min(1, success_rate) · (1 − min(0.95, 0.10·backoff_level)); success_rate = 0.5 without requests.</summary>
    public static double Reliability(PeerStatsState s) =>
        Math.Min(1.0, SelectionMath.SuccessRate(s)) * (1.0 - Math.Min(0.95, 0.10 * s.BackoffLevel));

    /// <summary>base = r·e/(e+m), or 0.5·r when m = 0.</summary>
    public static double Base(PeerStatsState s, double mean, double priorSamples)
    {
        var r = Reliability(s);
        if (!(mean > 0)) return 0.5 * r;
        var e = Estimate(s, mean, priorSamples);
        return r * (e / (e + mean));
    }

    /// <summary>
    /// Upper bound of base·multiplier for every peer whose keys u = a·r·multiplier and v = b·r·multiplier are at most
    /// the given ones: since r·multiplier ≤ 1, r·mult·e/(e+m) ≤ x/(x+m) with x = r·mult·e = u + v·m (monotone in u, v).
    /// With m = 0 every base is 0.5·r and v = r·mult, so the bound is 0.5·v.
    /// </summary>
    public static double Bound(double uHead, double vHead, double mean)
    {
        if (!(mean > 0)) return 0.5 * vHead;
        var x = uHead + vHead * mean;
        return x / (x + mean);
    }
}
