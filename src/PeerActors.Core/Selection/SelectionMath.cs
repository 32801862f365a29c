namespace PeerActors.Core.Selection;

/// <summary>
/// Arithmetic shared by <see cref="PeerSelector"/> and <see cref="PeerRankingIndex"/>, written once so
/// that both produce bit-identical doubles.
/// </summary>
public static class SelectionMath
{
    /// <summary>Fairness share limit: a peer with more than 30 % of all selections is dropped.</summary>
    public const double FairnessMaxShare = 0.30;

    /// <summary>Fairness only applies with at least this many candidates.</summary>
    public const int FairnessMinCandidates = 5;

    /// <summary>selection_rate warm-up: 10 s.</summary>
    public const long SelectionRateWarmupTicks = 10 * TimeSpan.TicksPerSecond;

    /// <summary>§3 step 3: blend(base) = base·multiplier; if w &gt; 0: (1−w)·that + w·boost.</summary>
    public static double Blend(double baseScore, double multiplier, double boost, double w)
    {
        var v = baseScore * multiplier;
        return BlendProduct(v, boost, w);
    }

    /// <summary>Second half of <see cref="Blend"/> given base·multiplier; monotone in both arguments.</summary>
    public static double BlendProduct(double baseTimesMultiplier, double boost, double w) =>
        w > 0 ? (1 - w) * baseTimesMultiplier + w * boost : baseTimesMultiplier;

    /// <summary>selection_rate (SPEC §2) from raw ticks; identical to <see cref="PeerStats.SelectionRate"/>.</summary>
    public static double SelectionRate(ulong requestsSent, long connectedAtUtcTicks, long nowUtcTicks)
    {
        var age = nowUtcTicks - connectedAtUtcTicks;
        return age < SelectionRateWarmupTicks ? 0 : requestsSent / new TimeSpan(age).TotalSeconds;
    }

    /// <summary>
    /// Σ selection_rate(now) over peers given in peer-id order, in a fixed summation order (four
    /// interleaved partial sums) so that every caller gets the same double.
    /// </summary>
    public static double FairnessTotal(ReadOnlySpan<ulong> requests, ReadOnlySpan<long> connectedAtTicks, long nowTicks)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        var n = requests.Length;
        var i = 0;
        for (; i + 3 < n; i += 4)
        {
            s0 += SelectionRate(requests[i], connectedAtTicks[i], nowTicks);
            s1 += SelectionRate(requests[i + 1], connectedAtTicks[i + 1], nowTicks);
            s2 += SelectionRate(requests[i + 2], connectedAtTicks[i + 2], nowTicks);
            s3 += SelectionRate(requests[i + 3], connectedAtTicks[i + 3], nowTicks);
        }
        for (; i < n; i++) s0 += SelectionRate(requests[i], connectedAtTicks[i], nowTicks);
        return (s0 + s1) + (s2 + s3);
    }

    /// <summary>True when fairness drops a peer with this rate: total &gt; 0 and rate/total &gt; 0.30.</summary>
    public static bool OverShare(double rate, double total) => total > 0 && rate / total > FairnessMaxShare;

    /// <summary>Saturating ulong addition.</summary>
    public static ulong SatAdd(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;

    /// <summary>Clamps a 128-bit sum to ulong.</summary>
    public static ulong Clamp(UInt128 v) => v > ulong.MaxValue ? ulong.MaxValue : (ulong)v;

    internal static bool PassesFilters(PeerStatsState s, PeerTags tags, SelectionQuery q) =>
        !q.Exclude.Contains(s.PeerId)
        && (q.Protocol is null || tags.Protocols.Contains(q.Protocol))
        && (q.Service is null || tags.Services.Contains(q.Service))
        && !(q.PaymentDefaultThreshold > 0 && s.PaymentDefaults >= q.PaymentDefaultThreshold);

    internal static double SuccessRate(PeerStatsState s) => s.RequestsSent == 0 ? 0.5 : (double)s.Successes / s.RequestsSent;

    internal static double Score(PeerStatsState s, DateTimeOffset now) => Scores.Score(SuccessRate(s), s.SrttMs, s.LastSuccess, now);

    internal static double Multiplier(PeerStatsState s) => Scores.PaymentReliabilityMultiplier(s.PaymentReceipts, s.PaymentDefaults);

    internal static double Boost(PeerStatsState s) => Scores.PaymentPriorityBoost(s.PaidSat);

    internal static double Utility(PeerStatsState s, ulong total) =>
        Scores.Utility(s.Successes, s.Failures, s.Timeouts, s.SrttMs, s.BytesSent, s.BytesReceived, s.RequestsSent, total);

    internal static double TitForTat(PeerStatsState s, ulong total) =>
        Scores.TitForTat(s.Successes, s.Failures, s.Timeouts, s.SrttMs, s.BytesSent, s.BytesReceived, s.RequestsSent, s.BackoffLevel, total);

    /// <summary>
    /// The latest instant the peer's score inputs record it doing something: the latest of
    /// <see cref="PeerStatsState.ConnectedAt"/>, <see cref="PeerStatsState.LastSuccess"/>, <see cref="PeerStatsState.LastFailure"/> and
    /// <see cref="PeerStatsState.ThroughputAt"/> (a request without an outcome yet leaves no instant).
    /// </summary>
    /// <param name="s">The peer's state.</param>
    /// <returns>That instant.</returns>
    public static DateTimeOffset LastActivity(PeerStatsState s) => new(LastActivityTicks(s), TimeSpan.Zero);

    internal static long LastActivityTicks(PeerStatsState s)
    {
        var t = s.ConnectedAt.UtcTicks;
        if (s.LastSuccess is { } ls && ls.UtcTicks > t) t = ls.UtcTicks;
        if (s.LastFailure is { } lf && lf.UtcTicks > t) t = lf.UtcTicks;
        if (s.ThroughputAt is { } ta && ta.UtcTicks > t) t = ta.UtcTicks;
        return t;
    }

    internal static bool IsBackedOff(PeerStatsState s, long nowTicks) => s.BackedOffUntil is { } u && nowTicks < u.UtcTicks;

    internal static int CompareIds(PeerStatsState a, PeerStatsState b) => string.CompareOrdinal(a.PeerId.Value, b.PeerId.Value);

    internal static ScoreInputs Inputs(PeerStatsState s, double baseScore, double w, ulong total, TimeSpan remaining) =>
        new(baseScore, Multiplier(s), Boost(s), w, total, SuccessRate(s), s.SrttMs, s.RequestsSent, remaining);

    /// <summary>Validates the fields of a state that the scores read.</summary>
    internal static void ValidateState(PeerStatsState s)
    {
        if (s is null) throw new Validation.InvalidInputException("state", "is required");
        if (s.PeerId.IsEmpty) throw new Validation.InvalidInputException("peerId", "must not be empty");
        Validation.Guard.FiniteNonNegative(s.SrttMs, "srttMs");
        Validation.Guard.FiniteNonNegative(s.RttvarMs, "rttvarMs");
        if (s.BackoffLevel < 0) throw new Validation.InvalidInputException("backoffLevel", $"must not be negative, got {s.BackoffLevel}");
    }
}
