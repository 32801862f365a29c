namespace PeerActors.Core.Selection;

/// <summary>
/// Options of one selection query (SPEC §3). Filters are applied in this order, all before the
/// backed-off fallback and before fairness: <see cref="Exclude"/>, <see cref="Protocol"/>,
/// <see cref="Service"/>, <see cref="PaymentDefaultThreshold"/>.
/// </summary>
public sealed record SelectionQuery
{
    private readonly int _count = 10;
    private readonly double _paymentWeight;

    /// <summary>A query with every default (Weighted, N = 10, fairness on, w = 0, no filters).</summary>
    public static SelectionQuery Default { get; } = new();

    /// <summary>Ranking strategy; default <see cref="SelectionStrategy.Weighted"/>.</summary>
    public SelectionStrategy Strategy { get; init; } = SelectionStrategy.Weighted;

    /// <summary>Number of peers to return, N ≥ 0. Default 10.</summary>
    /// <exception cref="InvalidInputException">When negative.</exception>
    public int Count
    {
        get => _count;
        init => _count = value < 0 ? throw new InvalidInputException("count", $"must not be negative, got {value}") : value;
    }

    /// <summary>Fairness (drop peers with more than 30 % of all selections when there are at least 5 candidates). Default true.</summary>
    public bool Fairness { get; init; } = true;

    /// <summary>Payment weight w, clamped to [0, 1] (±∞ clamp to the nearest bound). Default 0.</summary>
    /// <exception cref="InvalidInputException">When NaN.</exception>
    public double PaymentWeight
    {
        get => _paymentWeight;
        init => _paymentWeight = double.IsNaN(value)
            ? throw new InvalidInputException("paymentWeight", "must be a number in [0, 1], got NaN")
            : Math.Clamp(value, 0.0, 1.0);
    }

    /// <summary>Peers whose payment_defaults are at or over this threshold are excluded; 0 turns the filter off (hashtree exceeds_payment_default_threshold).</summary>
    public ulong PaymentDefaultThreshold { get; init; }

    /// <summary>Peer ids never returned.</summary>
    public IReadOnlySet<PeerId> Exclude { get; init; } = new HashSet<PeerId>();

    /// <summary>When set, only peers known to serve this protocol (see <see cref="PeerTags.Protocols"/>).</summary>
    public string? Protocol { get; init; }

    /// <summary>When set, only peers known to serve this service (see <see cref="PeerTags.Services"/>).</summary>
    public string? Service { get; init; }

    /// <summary>
    /// <see cref="SelectionStrategy.LowestLatency"/> only: when true, peers with no RTT sample (SRTT 0) rank after
    /// every peer with a sample instead of before them. Default false = the reference order (SPEC §3: SRTT 0 sorts first).
    /// </summary>
    public bool UnknownLatencyLast { get; init; }

    /// <summary>Seed of the <see cref="SelectionStrategy.Random"/> shuffle; null uses the selector's own generator.</summary>
    public int? RandomSeed { get; init; }
}
