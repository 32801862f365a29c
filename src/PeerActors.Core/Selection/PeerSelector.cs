namespace PeerActors.Core.Selection;

/// <summary>
/// The reference selection algorithm of SPEC §3 (hashtree <c>PeerSelector</c>) as a pure function
/// that sorts every peer. <see cref="PeerRankingIndex"/> must return exactly the same answer.
/// </summary>
/// <remarks>
/// Steps for a query at <c>now</c>:
/// 0. Filters (bans in force at <c>now</c>, exclude, protocol, service, payment-default threshold) narrow the peers
///    first: a banned peer is treated exactly as an excluded one (never returned, not even as a fallback).
/// 1. Candidates = filtered peers not backed off; if none, the filtered backed-off peers ordered by
///    backoff_remaining ascending, then id (<see cref="SelectionResult.BackedOffFallback"/>).
/// 2. Fairness (when on and ≥ 5 candidates): total = Σ selection_rate over ALL tracked peers
///    (<see cref="SelectionMath.FairnessTotal"/>, id order); when total &gt; 0, drop candidates with
///    rate/total &gt; 0.30; if that drops everyone, keep all.
/// 3.–5. Order per <see cref="SelectionStrategy"/> (ties by id, ordinal ascending) and take N.
/// </remarks>
public static class PeerSelector
{
    /// <summary>Selects from plain states (no tags: protocol/service filters match nothing).</summary>
    public static SelectionResult Select(IEnumerable<PeerStatsState> peers, SelectionQuery query, DateTimeOffset now,
        long roundRobinIndex, Random rng, ThroughputOptions? throughput = null) =>
        Select(peers.Select(p => new PeerEntry(p)), query, now, roundRobinIndex, rng, throughput);

    /// <summary>Runs §3 steps 1–5 over <paramref name="peers"/>.</summary>
    /// <param name="peers">All tracked peers (ids must be unique).</param>
    /// <param name="query">The query.</param>
    /// <param name="now">Instant of the query.</param>
    /// <param name="roundRobinIndex">Rotation of <see cref="SelectionStrategy.RoundRobin"/> (taken modulo the candidate count).</param>
    /// <param name="rng">Generator of the <see cref="SelectionStrategy.Random"/> shuffle.</param>
    /// <param name="throughput">Settings of the Throughput strategy; <see cref="ThroughputOptions.Default"/> when null.</param>
    /// <exception cref="InvalidInputException">On duplicate ids or invalid states.</exception>
    public static SelectionResult Select(IEnumerable<PeerEntry> peers, SelectionQuery query, DateTimeOffset now,
        long roundRobinIndex, Random rng, ThroughputOptions? throughput = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(rng);
        var all = peers.ToArray();
        foreach (var e in all) SelectionMath.ValidateState(e.State);
        Array.Sort(all, (a, b) => SelectionMath.CompareIds(a.State, b.State));
        for (var i = 1; i < all.Length; i++)
            if (all[i - 1].State.PeerId.Equals(all[i].State.PeerId))
                throw new InvalidInputException("peers", $"duplicate peer id {all[i].State.PeerId}");

        var nowTicks = now.UtcTicks;
        var w = query.PaymentWeight;
        var n = query.Count;
        var passing = all.Where(e => !(e.BannedUntil is { } until && now < until) && SelectionMath.PassesFilters(e.State, e.Tags, query))
            .Select(e => e.State).ToList();
        var candidates = passing.Where(s => !SelectionMath.IsBackedOff(s, nowTicks)).ToList();

        if (candidates.Count == 0)
        {
            var backed = passing.OrderBy(s => s.BackedOffUntil!.Value.UtcTicks).ThenBy(s => s.PeerId.Value, StringComparer.Ordinal).ToList();
            var outList = backed.Take(n).Select(s =>
            {
                var rem = s.BackedOffUntil!.Value - now;
                return new RankedPeer(s.PeerId, 0, SelectionMath.Inputs(s, 0, w, 0, rem > TimeSpan.Zero ? rem : TimeSpan.Zero));
            }).ToList();
            return new SelectionResult(outList, backed.Count > 0, backed.Count, []);
        }

        var dropped = new List<PeerId>();
        if (query.Fairness && candidates.Count >= SelectionMath.FairnessMinCandidates)
        {
            var req = all.Select(e => e.State.RequestsSent).ToArray();
            var conn = all.Select(e => e.State.ConnectedAt.UtcTicks).ToArray();
            var total = SelectionMath.FairnessTotal(req, conn, nowTicks);
            var kept = candidates.Where(s => !SelectionMath.OverShare(
                SelectionMath.SelectionRate(s.RequestsSent, s.ConnectedAt.UtcTicks, nowTicks), total)).ToList();
            if (kept.Count > 0 && kept.Count < candidates.Count)
            {
                var keptSet = kept.Select(s => s.PeerId).ToHashSet();
                dropped = candidates.Where(s => !keptSet.Contains(s.PeerId)).Select(s => s.PeerId).ToList();
                candidates = kept;
            }
        }

        // candidates are in id order here.
        List<RankedPeer> ranked;
        switch (query.Strategy)
        {
            case SelectionStrategy.Weighted:
                ranked = OrderByValue(candidates.Select(s =>
                {
                    var b = SelectionMath.Score(s, now);
                    return new RankedPeer(s.PeerId, SelectionMath.Blend(b, SelectionMath.Multiplier(s), SelectionMath.Boost(s), w),
                        SelectionMath.Inputs(s, b, w, 0, TimeSpan.Zero));
                }), n);
                break;
            case SelectionStrategy.TitForTat:
            case SelectionStrategy.UtilityUcb:
            {
                ulong total = 0;
                foreach (var s in candidates) total = SelectionMath.SatAdd(total, s.RequestsSent);
                var tft = query.Strategy == SelectionStrategy.TitForTat;
                ranked = OrderByValue(candidates.Select(s =>
                {
                    var b = tft ? SelectionMath.TitForTat(s, total) : SelectionMath.Utility(s, total);
                    return new RankedPeer(s.PeerId, SelectionMath.Blend(b, SelectionMath.Multiplier(s), SelectionMath.Boost(s), w),
                        SelectionMath.Inputs(s, b, w, total, TimeSpan.Zero));
                }), n);
                break;
            }
            case SelectionStrategy.Throughput:
            {
                var k = (throughput ?? ThroughputOptions.Default).PriorSamples;
                var mean = ThroughputScoring.PopulationMean(all.Select(e => e.State));
                ranked = OrderByValue(candidates.Select(s =>
                {
                    var b = ThroughputScoring.Base(s, mean, k);
                    return new RankedPeer(s.PeerId, SelectionMath.Blend(b, SelectionMath.Multiplier(s), SelectionMath.Boost(s), w),
                        SelectionMath.Inputs(s, b, w, 0, TimeSpan.Zero) with
                        {
                            ThroughputEstimate = ThroughputScoring.Estimate(s, mean, k), ThroughputMean = mean,
                        });
                }), n);
                break;
            }
            case SelectionStrategy.HighestSuccessRate:
                ranked = OrderByValue(candidates.Select(s =>
                {
                    var b = SelectionMath.SuccessRate(s);
                    return new RankedPeer(s.PeerId, b, SelectionMath.Inputs(s, b, w, 0, TimeSpan.Zero));
                }), n);
                break;
            case SelectionStrategy.LowestLatency:
                ranked = candidates.Select(s =>
                    {
                        var b = SelectionMath.Score(s, now);
                        return new RankedPeer(s.PeerId, b, SelectionMath.Inputs(s, b, w, 0, TimeSpan.Zero));
                    })
                    .OrderBy(r => query.UnknownLatencyLast && r.Inputs.SrttMs <= 0 ? 1 : 0)
                    .ThenBy(r => r.Inputs.SrttMs).ThenByDescending(r => r.Score).ThenBy(r => r.PeerId.Value, StringComparer.Ordinal)
                    .Take(n).ToList();
                break;
            case SelectionStrategy.RoundRobin:
            {
                var c = candidates.Count;
                var shift = (int)(((roundRobinIndex % c) + c) % c);
                ranked = Enumerable.Range(0, Math.Min(n, c))
                    .Select(i => candidates[(shift + i) % c])
                    .Select(s => new RankedPeer(s.PeerId, 0, SelectionMath.Inputs(s, 0, w, 0, TimeSpan.Zero))).ToList();
                break;
            }
            case SelectionStrategy.Random:
            {
                var arr = candidates.ToArray();
                ShuffleFirst(arr, arr.Length, rng);
                ranked = arr.Take(n).Select(s => new RankedPeer(s.PeerId, 0, SelectionMath.Inputs(s, 0, w, 0, TimeSpan.Zero))).ToList();
                break;
            }
            default:
                throw new InvalidInputException("strategy", $"unknown strategy {query.Strategy}");
        }
        return new SelectionResult(ranked, false, candidates.Count, dropped);
    }

    /// <summary>
    /// Forward Fisher–Yates: for i = 0 … k−1 swap item i with a uniform j in [i, n). After k steps the
    /// first k items are final, so a partial shuffle of k equals the first k of a full one.
    /// </summary>
    internal static void ShuffleFirst<T>(T[] items, int k, Random rng)
    {
        var n = items.Length;
        for (var i = 0; i < Math.Min(k, n - 1); i++)
        {
            var j = rng.Next(i, n);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static List<RankedPeer> OrderByValue(IEnumerable<RankedPeer> items, int n) =>
        items.OrderByDescending(r => r.Score).ThenBy(r => r.PeerId.Value, StringComparer.Ordinal).Take(n).ToList();

    /// <summary>The §3 summary over <paramref name="peers"/> at <paramref name="now"/> (SRTT mean summed in id order).</summary>
    public static SelectionSummary Summary(IEnumerable<PeerStatsState> peers, DateTimeOffset now)
    {
        var all = peers.OrderBy(p => p.PeerId.Value, StringComparer.Ordinal).ToArray();
        UInt128 req = 0, succ = 0, tmo = 0;
        int backed = 0, rttCount = 0;
        double rttSum = 0;
        foreach (var s in all)
        {
            req += s.RequestsSent; succ += s.Successes; tmo += s.Timeouts;
            if (SelectionMath.IsBackedOff(s, now.UtcTicks)) backed++;
            if (s.SrttMs > 0) { rttSum += s.SrttMs; rttCount++; }
        }
        var r = SelectionMath.Clamp(req);
        var sc = SelectionMath.Clamp(succ);
        return new SelectionSummary(all.Length, r, sc, SelectionMath.Clamp(tmo), backed,
            rttCount == 0 ? 0 : rttSum / rttCount, r == 0 ? 0 : (double)sc / r);
    }
}
