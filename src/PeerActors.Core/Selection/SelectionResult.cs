namespace PeerActors.Core.Selection;

/// <summary>The inputs that produced a ranked peer's <see cref="RankedPeer.Score"/>.</summary>
/// <param name="BaseScore">The strategy's raw score before blending: score(now) for Weighted/LowestLatency, tit_for_tat or utility for TitForTat/UtilityUcb, success_rate for HighestSuccessRate; 0 for RoundRobin, Random and the backed-off fallback.</param>
/// <param name="PaymentMultiplier">payment_reliability_multiplier.</param>
/// <param name="PaymentBoost">payment_priority_boost.</param>
/// <param name="PaymentWeight">The query's (clamped) w.</param>
/// <param name="TotalRequests">Σ requests_sent over the candidates (TitForTat/UtilityUcb), else 0.</param>
/// <param name="SuccessRate">success_rate.</param>
/// <param name="SrttMs">SRTT, ms (0 = unknown).</param>
/// <param name="RequestsSent">requests_sent.</param>
/// <param name="BackoffRemaining">backoff_remaining(now) (non-zero only in the backed-off fallback).</param>
/// <param name="ThroughputEstimate">Throughput strategy only: the shrunk delivered-throughput estimate e, bytes per ms (= KB/s); else 0.</param>
/// <param name="ThroughputMean">Throughput strategy only: the population mean m it was shrunk toward, bytes per ms; else 0.</param>
public sealed record ScoreInputs(
    double BaseScore, double PaymentMultiplier, double PaymentBoost, double PaymentWeight,
    ulong TotalRequests, double SuccessRate, double SrttMs, ulong RequestsSent, TimeSpan BackoffRemaining,
    double ThroughputEstimate = 0, double ThroughputMean = 0);

/// <summary>One selected peer in rank order.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Score">The value it was ordered by: blend(base) for Weighted/TitForTat/UtilityUcb/Throughput, score(now) for LowestLatency (after SRTT), success_rate for HighestSuccessRate, 0 for RoundRobin/Random/fallback.</param>
/// <param name="Inputs">Inputs behind <paramref name="Score"/>.</param>
public sealed record RankedPeer(PeerId PeerId, double Score, ScoreInputs Inputs);

/// <summary>Answer to a selection query.</summary>
/// <param name="Peers">At most N peers, best first.</param>
/// <param name="BackedOffFallback">True when no candidate was free and the backed-off peers were returned, soonest-expiring first (§3 step 1).</param>
/// <param name="CandidateCount">Candidates ranked (after filters and fairness; in the fallback, the matching backed-off peers).</param>
/// <param name="FairnessDropped">Peers dropped by fairness, id order.</param>
public sealed record SelectionResult(
    IReadOnlyList<RankedPeer> Peers, bool BackedOffFallback, int CandidateCount, IReadOnlyList<PeerId> FairnessDropped)
{
    /// <summary>The selected ids in rank order.</summary>
    public IReadOnlyList<PeerId> Ids => Peers.Select(p => p.PeerId).ToArray();

    /// <summary>Structural equality of the whole answer (ids, order, scores, inputs).</summary>
    public bool SameAs(SelectionResult other) =>
        BackedOffFallback == other.BackedOffFallback && CandidateCount == other.CandidateCount
        && Peers.SequenceEqual(other.Peers) && FairnessDropped.SequenceEqual(other.FairnessDropped);
}

/// <summary>Selector summary (SPEC §3).</summary>
/// <param name="PeerCount">Tracked peers.</param>
/// <param name="TotalRequests">Σ requests_sent (saturating).</param>
/// <param name="TotalSuccesses">Σ successes (saturating).</param>
/// <param name="TotalTimeouts">Σ timeouts (saturating).</param>
/// <param name="BackedOffCount">Peers backed off at now.</param>
/// <param name="AvgRttMs">Mean SRTT over peers with SRTT &gt; 0 (0 when none), ms; summed in peer-id order.</param>
/// <param name="OverallSuccessRate">TotalSuccesses / TotalRequests; 0 without requests.</param>
public sealed record SelectionSummary(
    int PeerCount, ulong TotalRequests, ulong TotalSuccesses, ulong TotalTimeouts, int BackedOffCount,
    double AvgRttMs, double OverallSuccessRate);
