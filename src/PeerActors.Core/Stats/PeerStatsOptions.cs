namespace PeerActors.Core.Stats;

/// <summary>
/// Constants of the RTT estimator and the backoff (SPEC §2; hashtree PeerStats, RFC 6298).
/// All durations in milliseconds. <see cref="Default"/> holds the reference values.
/// </summary>
public sealed record PeerStatsOptions
{
    /// <summary>Reference defaults: RTO 1000/50/60000 ms, G 20 ms, K 4, α 1/8, β 1/4, backoff 1000 ms ×2 up to 480000 ms, 5 RTO doublings.</summary>
    public static PeerStatsOptions Default { get; } = new();

    /// <summary>RTO before any RTT sample (RFC 6298 §2.1), ms. Default 1000.</summary>
    public long InitialRtoMs { get; init; } = 1000;
    /// <summary>Lower bound of the RTO, ms. Default 50.</summary>
    public long MinRtoMs { get; init; } = 50;
    /// <summary>Upper bound of the RTO, ms. Default 60 000.</summary>
    public long MaxRtoMs { get; init; } = 60_000;
    /// <summary>Clock granularity G (RFC 6298 §2), ms. Default 20.</summary>
    public double ClockGranularityMs { get; init; } = 20;
    /// <summary>K, the RTTVAR multiplier (RFC 6298). Default 4.</summary>
    public double K { get; init; } = 4;
    /// <summary>α, the SRTT gain (RFC 6298). Default 1/8.</summary>
    public double Alpha { get; init; } = 0.125;
    /// <summary>β, the RTTVAR gain (RFC 6298). Default 1/4.</summary>
    public double Beta { get; init; } = 0.25;
    /// <summary>First backoff duration, ms. Default 1000.</summary>
    public long InitialBackoffMs { get; init; } = 1000;
    /// <summary>Backoff growth per level. Default 2.</summary>
    public double BackoffMultiplier { get; init; } = 2;
    /// <summary>Backoff cap, ms. Default 480 000 (8 min).</summary>
    public long MaxBackoffMs { get; init; } = 480_000;
    /// <summary>At most this many consecutive RTO doublings on timeouts. Default 5.</summary>
    public int MaxConsecutiveRtoBackoffs { get; init; } = 5;

    /// <summary>
    /// Half-life of the delivered-throughput estimator (<see cref="PeerStats.ThroughputRateSum"/>,
    /// <see cref="PeerStats.ThroughputWeight"/>), ms, in the observation clock: a sample observed this long before the
    /// peer's latest one weighs half as much. PeerActors addition for <c>Selection.SelectionStrategy.Throughput</c>
    /// (not in the reference). &gt; 0; +∞ = no decay. Default 43 200 000 (12 h).
    /// </summary>
    /// <exception cref="Validation.InvalidInputException">When not &gt; 0 (or NaN).</exception>
    public double ThroughputHalfLifeMs
    {
        get => _throughputHalfLifeMs;
        init => _throughputHalfLifeMs = Positive(value, "throughputHalfLifeMs");
    }

    /// <summary>
    /// Correlation half-life of the throughput estimator, ms: samples that follow each other closely (one transfer,
    /// one session) are correlated and count as less evidence. A sample's weight is 1 / (1 + c), c = the peer's
    /// earlier samples decayed with this half-life (a burst of n samples weighs about ln n instead of n; two-level
    /// random-effects reasoning: between-transfer variance dominates within-transfer noise). &gt; 0. Default 30 000
    /// (30 s; chosen on real day pairs, README "Evaluate selection").
    /// </summary>
    /// <exception cref="Validation.InvalidInputException">When not &gt; 0 (or NaN).</exception>
    public double ThroughputBurstHalfLifeMs
    {
        get => _throughputBurstHalfLifeMs;
        init => _throughputBurstHalfLifeMs = Positive(value, "throughputBurstHalfLifeMs");
    }

    private readonly double _throughputHalfLifeMs = 12 * 3_600_000.0;
    private readonly double _throughputBurstHalfLifeMs = 30_000;

    private static double Positive(double value, string field) => value > 0 && !double.IsNaN(value)
        ? value
        : throw new Validation.InvalidInputException(field, $"must be > 0 ms, got {value}");
}
