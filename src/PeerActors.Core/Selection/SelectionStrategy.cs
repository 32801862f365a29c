namespace PeerActors.Core.Selection;

/// <summary>Ranking strategies of SPEC §3 (hashtree <c>PeerSelector</c> strategies).</summary>
public enum SelectionStrategy
{
    /// <summary>blend(score(now)) descending (the default).</summary>
    Weighted = 0,
    /// <summary>The id-ordered candidate list rotated left by an index that advances by one per query.</summary>
    RoundRobin,
    /// <summary>A uniform Fisher–Yates shuffle of the id-ordered candidates from a seedable generator.</summary>
    Random,
    /// <summary>SRTT ascending (0 = unknown sorts first, as in the reference; <see cref="SelectionQuery.UnknownLatencyLast"/> puts them last), then score(now) descending.</summary>
    LowestLatency,
    /// <summary>success_rate descending.</summary>
    HighestSuccessRate,
    /// <summary>blend(tit_for_tat_score(total)) descending, total = Σ requests_sent over the candidates.</summary>
    TitForTat,
    /// <summary>blend(utility_score(total)) descending (UCB), total = Σ requests_sent over the candidates.</summary>
    UtilityUcb,
    /// <summary>
    /// PeerActors addition (not in the reference): blend(r·e/(e+m)) descending, where e is the peer's delivered
    /// bytes per ms (exponentially weighted, shrunk toward the population mean m by its evidence) and r its
    /// reliability and backoff factor; see <see cref="ThroughputScoring"/>.
    /// </summary>
    Throughput,
}
