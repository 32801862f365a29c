using PeerActors.Core.Identity;
using PeerActors.Core.Validation;

namespace PeerActors.Core.Stats;

/// <summary>
/// Per-peer statistics and scores, exactly as SPEC §2 (hashtree <c>PeerStats</c>): request
/// outcomes, the RFC 6298 SRTT/RTTVAR/RTO estimator, exponential backoff, bytes, out-of-band
/// payments, and the four scores. Pure state: every time-dependent call takes <c>now</c>.
/// Counters saturate at <see cref="ulong.MaxValue"/> instead of overflowing. Not thread-safe
/// (an actor owns each instance).
/// </summary>
public sealed class PeerStats
{
    private static readonly TimeSpan SelectionRateWarmup = TimeSpan.FromSeconds(10);

    /// <summary>Creates the stats of a peer first seen at <paramref name="connectedAt"/>.</summary>
    /// <param name="peerId">The peer.</param>
    /// <param name="connectedAt">First-seen instant (hashtree connected_at).</param>
    /// <param name="options">Estimator and backoff constants; <see cref="PeerStatsOptions.Default"/> when null.</param>
    /// <exception cref="InvalidInputException">When <paramref name="peerId"/> is empty.</exception>
    public PeerStats(PeerId peerId, DateTimeOffset connectedAt, PeerStatsOptions? options = null)
    {
        if (peerId.IsEmpty) throw new InvalidInputException("peerId", "must not be empty");
        PeerId = peerId;
        ConnectedAt = Guard.Instant(connectedAt, "connectedAt");
        Options = options ?? PeerStatsOptions.Default;
        RtoMs = Options.InitialRtoMs;
    }

    /// <summary>Estimator and backoff constants in force.</summary>
    public PeerStatsOptions Options { get; }
    /// <summary>The peer.</summary>
    public PeerId PeerId { get; }
    /// <summary>First seen (hashtree connected_at).</summary>
    public DateTimeOffset ConnectedAt { get; private set; }
    /// <summary>Requests sent.</summary>
    public ulong RequestsSent { get; private set; }
    /// <summary>Successful responses.</summary>
    public ulong Successes { get; private set; }
    /// <summary>Timeouts.</summary>
    public ulong Timeouts { get; private set; }
    /// <summary>Failures (bad data, disconnects…).</summary>
    public ulong Failures { get; private set; }
    /// <summary>Smoothed RTT (RFC 6298 SRTT), ms; 0 before the first sample.</summary>
    public double SrttMs { get; private set; }
    /// <summary>RTT variation (RFC 6298 RTTVAR), ms.</summary>
    public double RttvarMs { get; private set; }
    /// <summary>Retransmission timeout (RFC 6298 RTO), ms, within [MinRto, MaxRto].</summary>
    public long RtoMs { get; private set; }
    /// <summary>Consecutive RTO doublings since the last success (at most MaxConsecutiveRtoBackoffs).</summary>
    public int ConsecutiveRtoBackoffs { get; private set; }
    /// <summary>Backoff level: number of failures since the last success.</summary>
    public int BackoffLevel { get; private set; }
    /// <summary>End of the current backoff; null when not backed off.</summary>
    public DateTimeOffset? BackedOffUntil { get; private set; }
    /// <summary>Last success.</summary>
    public DateTimeOffset? LastSuccess { get; private set; }
    /// <summary>Last failure, timeout or payment default.</summary>
    public DateTimeOffset? LastFailure { get; private set; }
    /// <summary>Bytes received from the peer.</summary>
    public ulong BytesReceived { get; private set; }
    /// <summary>Bytes sent to the peer.</summary>
    public ulong BytesSent { get; private set; }
    /// <summary>Sat we paid the peer (hashtree cashu_paid_sat).</summary>
    public ulong PaidSat { get; private set; }
    /// <summary>Sat the peer paid us (hashtree cashu_received_sat).</summary>
    public ulong ReceivedSat { get; private set; }
    /// <summary>Post-delivery payments received.</summary>
    public ulong PaymentReceipts { get; private set; }
    /// <summary>Post-delivery payment defaults.</summary>
    public ulong PaymentDefaults { get; private set; }
    /// <summary>Σ w·bytes/RTT of the throughput samples, bytes per ms, decayed to <see cref="ThroughputAt"/> (see <see cref="RecordSuccess"/>).</summary>
    public double ThroughputRateSum { get; private set; }
    /// <summary>Σ w of the throughput samples (weighted evidence).</summary>
    public double ThroughputWeight { get; private set; }
    /// <summary>Earlier samples decayed with <see cref="PeerStatsOptions.ThroughputBurstHalfLifeMs"/> (burst count).</summary>
    public double ThroughputBurst { get; private set; }
    /// <summary>Observation instant of the latest throughput sample (the sums are decayed to it); null before the first.</summary>
    public DateTimeOffset? ThroughputAt { get; private set; }

    /// <summary>
    /// The peer's own delivered-throughput estimate, bytes per ms (= KB/s): <see cref="ThroughputRateSum"/> /
    /// <see cref="ThroughputWeight"/>, the weighted mean of its samples' bytes/RTT; 0 without samples. Selection
    /// shrinks it toward the population mean (<c>Selection.ThroughputScoring</c>).
    /// </summary>
    public double ThroughputBytesPerMs => ThroughputWeight > 0 ? ThroughputRateSum / ThroughputWeight : 0;

    // ---------------------------------------------------------------- observations

    /// <summary><c>record_request(bytes)</c>: requests_sent += 1; bytes_sent += bytes.</summary>
    /// <exception cref="InvalidInputException">When <paramref name="bytes"/> is negative.</exception>
    public void RecordRequest(long bytes)
    {
        Guard.NonNegative(bytes, "bytes");
        RequestsSent = Sat(RequestsSent, 1);
        BytesSent = Sat(BytesSent, (ulong)bytes);
    }

    /// <summary>
    /// <c>record_success(rtt_ms, bytes, now)</c>: successes, bytes received, last success, clears
    /// backoff and RTO doublings, and feeds the RFC 6298 estimator: first sample SRTT = R,
    /// RTTVAR = R/2; later RTTVAR = (1−β)·RTTVAR + β·|SRTT − R| (old SRTT), SRTT = (1−α)·SRTT + α·R;
    /// RTO = clamp(⌊SRTT + max(G, K·RTTVAR)⌋, MinRto, MaxRto).
    /// </summary>
    /// <param name="rttMs">Measured round-trip time R, ms (finite, ≥ 0).</param>
    /// <param name="bytes">Bytes received in the response (≥ 0).</param>
    /// <param name="now">Instant of the response.</param>
    /// <exception cref="InvalidInputException">When <paramref name="rttMs"/> is NaN, ∞ or negative, or <paramref name="bytes"/> is negative.</exception>
    public void RecordSuccess(double rttMs, long bytes, DateTimeOffset now)
    {
        Guard.FiniteNonNegative(rttMs, "rttMs");
        Guard.NonNegative(bytes, "bytes");
        now = Guard.Instant(now, "observedAt");

        Successes = Sat(Successes, 1);
        BytesReceived = Sat(BytesReceived, (ulong)bytes);
        LastSuccess = now;
        ConsecutiveRtoBackoffs = 0;
        BackoffLevel = 0;
        BackedOffUntil = null;

        var o = Options;
        if (SrttMs == 0)
        {
            SrttMs = rttMs;
            RttvarMs = rttMs / 2;
        }
        else
        {
            RttvarMs = (1 - o.Beta) * RttvarMs + o.Beta * Math.Abs(SrttMs - rttMs);
            SrttMs = (1 - o.Alpha) * SrttMs + o.Alpha * rttMs;
        }
        var raw = Math.Floor(SrttMs + Math.Max(o.ClockGranularityMs, o.K * RttvarMs));
        RtoMs = (long)Math.Clamp(raw, o.MinRtoMs, o.MaxRtoMs);

        if (rttMs > 0 && bytes > 0) AddThroughputSample((double)bytes / rttMs, now);
    }

    /// <summary>
    /// Throughput estimator (PeerActors addition, not in the reference; the reference scores ignore bytes per unit
    /// time). A success with RTT R &gt; 0 ms and b &gt; 0 bytes is a sample x = b/R bytes per ms. First the sums are
    /// decayed to <c>now</c> (observation clock): rate sum and weight by 2^(−Δt/H), H =
    /// <see cref="PeerStatsOptions.ThroughputHalfLifeMs"/>; the burst count c by 2^(−Δt/Hc), Hc =
    /// <see cref="PeerStatsOptions.ThroughputBurstHalfLifeMs"/>. Then the sample gets weight w = 1/(1+c) and
    /// rate sum += w·x, weight += w, c += 1. A sample older than the latest one (Δt &lt; 0) decays nothing and is
    /// itself weighted by 2^(Δt/H).
    /// </summary>
    private void AddThroughputSample(double rate, DateTimeOffset now)
    {
        var age = 1.0;
        if (ThroughputAt is { } at)
        {
            var dtMs = (now - at).TotalMilliseconds;
            if (dtMs > 0)
            {
                var f = Math.Pow(2, -dtMs / Options.ThroughputHalfLifeMs);
                ThroughputRateSum *= f;
                ThroughputWeight *= f;
                ThroughputBurst *= Math.Pow(2, -dtMs / Options.ThroughputBurstHalfLifeMs);
                ThroughputAt = now;
            }
            else if (dtMs < 0)
            {
                age = Math.Pow(2, dtMs / Options.ThroughputHalfLifeMs);
            }
        }
        else
        {
            ThroughputAt = now;
        }
        var w = age / (1.0 + ThroughputBurst);
        ThroughputRateSum += w * rate;
        ThroughputWeight += w;
        ThroughputBurst += 1;
    }

    /// <summary>
    /// <c>record_timeout(now)</c>: timeouts += 1, last failure, backoff; while fewer than
    /// MaxConsecutiveRtoBackoffs doublings: RTO = min(2·RTO, MaxRto) (RFC 6298 §5.5).
    /// </summary>
    public void RecordTimeout(DateTimeOffset now)
    {
        now = Guard.Instant(now, "observedAt");
        Timeouts = Sat(Timeouts, 1);
        LastFailure = now;
        ApplyBackoff(now);
        if (ConsecutiveRtoBackoffs < Options.MaxConsecutiveRtoBackoffs)
        {
            RtoMs = Math.Min(RtoMs > long.MaxValue / 2 ? long.MaxValue : RtoMs * 2, Options.MaxRtoMs);
            ConsecutiveRtoBackoffs++;
        }
    }

    /// <summary><c>record_failure(now)</c> (bad data, disconnect…): failures += 1, last failure, backoff.</summary>
    public void RecordFailure(DateTimeOffset now)
    {
        now = Guard.Instant(now, "observedAt");
        Failures = Sat(Failures, 1);
        LastFailure = now;
        ApplyBackoff(now);
    }

    /// <summary><c>record_payment(amount)</c>: we paid the peer; ignored when 0.</summary>
    /// <exception cref="InvalidInputException">When <paramref name="amountSat"/> is negative.</exception>
    public void RecordPayment(long amountSat)
    {
        Guard.NonNegative(amountSat, "amountSat");
        if (amountSat == 0) return;
        PaidSat = Sat(PaidSat, (ulong)amountSat);
    }

    /// <summary><c>record_receipt(amount)</c>: the peer paid us after delivery; ignored when 0.</summary>
    /// <exception cref="InvalidInputException">When <paramref name="amountSat"/> is negative.</exception>
    public void RecordReceipt(long amountSat)
    {
        Guard.NonNegative(amountSat, "amountSat");
        if (amountSat == 0) return;
        ReceivedSat = Sat(ReceivedSat, (ulong)amountSat);
        PaymentReceipts = Sat(PaymentReceipts, 1);
    }

    /// <summary><c>record_payment_default(now)</c>: defaults += 1, last failure, backoff.</summary>
    public void RecordPaymentDefault(DateTimeOffset now)
    {
        now = Guard.Instant(now, "observedAt");
        PaymentDefaults = Sat(PaymentDefaults, 1);
        LastFailure = now;
        ApplyBackoff(now);
    }

    /// <summary>
    /// Apply backoff: level += 1; backed_off_until = now + min(Initial·Multiplier^(level−1), MaxBackoff),
    /// saturating for huge levels.
    /// </summary>
    private void ApplyBackoff(DateTimeOffset now)
    {
        if (BackoffLevel < int.MaxValue) BackoffLevel++;
        BackedOffUntil = now + TimeSpan.FromMilliseconds(BackoffDurationMs(BackoffLevel, Options));
    }

    /// <summary>Backoff duration for a level (≥ 1): min(Initial·Multiplier^(level−1), MaxBackoff) ms; never overflows.</summary>
    public static long BackoffDurationMs(int level, PeerStatsOptions options)
    {
        if (level <= 0) return 0;
        var d = options.InitialBackoffMs * Math.Pow(options.BackoffMultiplier, level - 1);
        return double.IsFinite(d) && d < options.MaxBackoffMs ? (long)d : options.MaxBackoffMs;
    }

    // ---------------------------------------------------------------- derived values

    /// <summary><c>success_rate</c>: 0.5 with no requests, else successes / requests_sent.</summary>
    public double SuccessRate => RequestsSent == 0 ? 0.5 : (double)Successes / RequestsSent;

    /// <summary><c>selection_rate(now)</c>: requests per second since first seen; 0 during the first 10 s.</summary>
    public double SelectionRate(DateTimeOffset now)
    {
        var age = now - ConnectedAt;
        return age < SelectionRateWarmup ? 0 : RequestsSent / age.TotalSeconds;
    }

    /// <summary><c>is_backed_off(now)</c>: a backoff deadline exists and now is before it.</summary>
    public bool IsBackedOff(DateTimeOffset now) => BackedOffUntil is { } until && now < until;

    /// <summary><c>backoff_remaining(now)</c>: max(0, backed_off_until − now).</summary>
    public TimeSpan BackoffRemaining(DateTimeOffset now) =>
        BackedOffUntil is { } until && until > now ? until - now : TimeSpan.Zero;

    /// <summary>
    /// <c>score(now)</c> = 0.6·success_rate + 0.3·rtt_s + 0.1·(1 + recency), rtt_s = 0.5 when SRTT ≤ 0
    /// else min(1, 500/(SRTT+50)); recency = 0.1 when the last success is less than 60 s before now.
    /// </summary>
    public double Score(DateTimeOffset now) => Scores.Score(SuccessRate, SrttMs, LastSuccess, now);

    /// <summary>UCB <c>utility_score(total)</c> of SPEC §2; <paramref name="totalRequests"/> is Σ requests_sent over the candidates.</summary>
    public double UtilityScore(ulong totalRequests) =>
        Scores.Utility(Successes, Failures, Timeouts, SrttMs, BytesSent, BytesReceived, RequestsSent, totalRequests);

    /// <summary><c>tit_for_tat_score(total)</c> of SPEC §2; <paramref name="totalRequests"/> is Σ requests_sent over the candidates.</summary>
    public double TitForTatScore(ulong totalRequests) =>
        Scores.TitForTat(Successes, Failures, Timeouts, SrttMs, BytesSent, BytesReceived, RequestsSent, BackoffLevel, totalRequests);

    /// <summary><c>payment_priority_boost</c> = paid/(paid+32), in [0, 1).</summary>
    public double PaymentPriorityBoost => Scores.PaymentPriorityBoost(PaidSat);

    /// <summary><c>payment_reliability_multiplier</c> = (receipts+1)/(receipts+defaults+1), 1 when both are 0.</summary>
    public double PaymentReliabilityMultiplier => Scores.PaymentReliabilityMultiplier(PaymentReceipts, PaymentDefaults);

    /// <summary><c>exceeds_payment_default_threshold(t)</c>: t &gt; 0 and defaults ≥ t.</summary>
    public bool ExceedsPaymentDefaultThreshold(ulong threshold) => threshold > 0 && PaymentDefaults >= threshold;

    // ---------------------------------------------------------------- state

    /// <summary>An immutable copy of every field.</summary>
    public PeerStatsState ToState() => new()
    {
        PeerId = PeerId, ConnectedAt = ConnectedAt, RequestsSent = RequestsSent, Successes = Successes,
        Timeouts = Timeouts, Failures = Failures, SrttMs = SrttMs, RttvarMs = RttvarMs, RtoMs = RtoMs,
        ConsecutiveRtoBackoffs = ConsecutiveRtoBackoffs, BackoffLevel = BackoffLevel,
        BackedOffUntil = BackedOffUntil, LastSuccess = LastSuccess, LastFailure = LastFailure,
        BytesReceived = BytesReceived, BytesSent = BytesSent, PaidSat = PaidSat, ReceivedSat = ReceivedSat,
        PaymentReceipts = PaymentReceipts, PaymentDefaults = PaymentDefaults,
        ThroughputRateSum = ThroughputRateSum, ThroughputWeight = ThroughputWeight, ThroughputBurst = ThroughputBurst,
        ThroughputAt = ThroughputAt,
    };

    /// <summary>Rebuilds stats from a state copy (snapshot recovery).</summary>
    /// <exception cref="InvalidInputException">When the state holds NaN/∞ or negative RTT values or an empty peer id.</exception>
    public static PeerStats FromState(PeerStatsState s, PeerStatsOptions? options = null)
    {
        Guard.FiniteNonNegative(s.SrttMs, "srttMs");
        Guard.FiniteNonNegative(s.RttvarMs, "rttvarMs");
        Guard.NonNegative(s.RtoMs, "rtoMs");
        return new PeerStats(s.PeerId, s.ConnectedAt, options)
        {
            RequestsSent = s.RequestsSent, Successes = s.Successes, Timeouts = s.Timeouts, Failures = s.Failures,
            SrttMs = s.SrttMs, RttvarMs = s.RttvarMs, RtoMs = s.RtoMs,
            ConsecutiveRtoBackoffs = Math.Max(0, s.ConsecutiveRtoBackoffs), BackoffLevel = Math.Max(0, s.BackoffLevel),
            BackedOffUntil = s.BackedOffUntil, LastSuccess = s.LastSuccess, LastFailure = s.LastFailure,
            BytesReceived = s.BytesReceived, BytesSent = s.BytesSent, PaidSat = s.PaidSat,
            ReceivedSat = s.ReceivedSat, PaymentReceipts = s.PaymentReceipts, PaymentDefaults = s.PaymentDefaults,
            ThroughputRateSum = NonNegative(s.ThroughputRateSum), ThroughputWeight = NonNegative(s.ThroughputWeight),
            ThroughputBurst = NonNegative(s.ThroughputBurst), ThroughputAt = s.ThroughputAt,
        };
    }

    /// <summary>A deep copy.</summary>
    public PeerStats Clone() => FromState(ToState(), Options);

    /// <summary>Stored estimator sums: anything but a finite non-negative number reads as 0 (no evidence).</summary>
    private static double NonNegative(double v) => double.IsFinite(v) && v > 0 ? v : 0;

    private static ulong Sat(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;
}
