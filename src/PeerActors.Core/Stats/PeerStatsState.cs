namespace PeerActors.Core.Stats;

/// <summary>
/// Immutable copy of every field of <see cref="PeerStats"/> (SPEC §2), used for snapshots and for
/// publishing score inputs to the selector. Times are UTC instants (read back with offset 0, whatever offset they were
/// given with); RTTs in ms; amounts in sat.
/// </summary>
/// <remarks>The selector keeps one of these for every peer it tracks, so the instants are held as UTC ticks: 8 bytes each
/// instead of 16 (24 when nullable), 200 bytes per state instead of 272.</remarks>
public sealed record PeerStatsState
{
    private const long None = long.MinValue;
    private long _connectedAt;
    private long _backedOffUntil = None, _lastSuccess = None, _lastFailure = None, _throughputAt = None;

    private static DateTimeOffset? At(long ticks) => ticks == None ? null : new DateTimeOffset(ticks, TimeSpan.Zero);

    private static long Ticks(DateTimeOffset? at) => at is { } t ? t.UtcTicks : None;

    /// <summary>The peer.</summary>
    public required PeerId PeerId { get; init; }
    /// <summary>First seen (hashtree connected_at).</summary>
    public required DateTimeOffset ConnectedAt { get => new(_connectedAt, TimeSpan.Zero); init => _connectedAt = value.UtcTicks; }
    /// <summary>Requests sent to the peer.</summary>
    public ulong RequestsSent { get; init; }
    /// <summary>Successful responses.</summary>
    public ulong Successes { get; init; }
    /// <summary>Timeouts.</summary>
    public ulong Timeouts { get; init; }
    /// <summary>Failures (bad data, disconnects…).</summary>
    public ulong Failures { get; init; }
    /// <summary>RFC 6298 SRTT, ms (0 = no sample yet).</summary>
    public double SrttMs { get; init; }
    /// <summary>RFC 6298 RTTVAR, ms.</summary>
    public double RttvarMs { get; init; }
    /// <summary>RFC 6298 RTO, ms.</summary>
    public long RtoMs { get; init; }
    /// <summary>Consecutive RTO doublings since the last success.</summary>
    public int ConsecutiveRtoBackoffs { get; init; }
    /// <summary>Backoff level (0 = not backed off).</summary>
    public int BackoffLevel { get; init; }
    /// <summary>End of the current backoff, if any.</summary>
    public DateTimeOffset? BackedOffUntil { get => At(_backedOffUntil); init => _backedOffUntil = Ticks(value); }
    /// <summary>Last success instant.</summary>
    public DateTimeOffset? LastSuccess { get => At(_lastSuccess); init => _lastSuccess = Ticks(value); }
    /// <summary>Last failure / timeout / payment default instant.</summary>
    public DateTimeOffset? LastFailure { get => At(_lastFailure); init => _lastFailure = Ticks(value); }
    /// <summary>Bytes received from the peer.</summary>
    public ulong BytesReceived { get; init; }
    /// <summary>Bytes sent to the peer.</summary>
    public ulong BytesSent { get; init; }
    /// <summary>Sat we paid the peer.</summary>
    public ulong PaidSat { get; init; }
    /// <summary>Sat the peer paid us.</summary>
    public ulong ReceivedSat { get; init; }
    /// <summary>Payments received from the peer after delivery.</summary>
    public ulong PaymentReceipts { get; init; }
    /// <summary>Times the peer failed to pay after delivery.</summary>
    public ulong PaymentDefaults { get; init; }

    /// <summary>
    /// Throughput estimator (PeerActors addition; optional in stored payloads, absent = 0): Σ w·bytes/RTT over the
    /// successes with RTT &gt; 0 and bytes &gt; 0, bytes per ms, decayed to <see cref="ThroughputAt"/>
    /// (see <see cref="PeerStats.RecordSuccess"/>).
    /// </summary>
    public double ThroughputRateSum { get; init; }
    /// <summary>Σ w of the same samples (evidence, in weighted samples).</summary>
    public double ThroughputWeight { get; init; }
    /// <summary>Earlier samples decayed with the correlation half-life (the burst count c of the next sample's weight 1/(1+c)).</summary>
    public double ThroughputBurst { get; init; }
    /// <summary>Observation instant the sums are decayed to (the latest sample's); null before the first.</summary>
    public DateTimeOffset? ThroughputAt { get => At(_throughputAt); init => _throughputAt = Ticks(value); }
}
