namespace PeerActors.Peers;

/// <summary>A command was accepted. For critical commands it is sent only after the event is persisted.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Durability">How the command is made durable (SPEC §8).</param>
public sealed record CommandAck(string PeerId, Durability Durability);

/// <summary>
/// A command or query was refused; the peer's state is unchanged. <see cref="Error"/> is a code of the closed set
/// <see cref="PeerActors.Core.Errors.ErrorCodes"/>: <c>invalid-input</c> (with <see cref="Field"/>), <c>peer-not-found</c>,
/// <c>channel-not-found</c>, <c>channel-exists</c>, <c>persistence-failure</c>, <c>unavailable</c> (delivery buffer full).
/// </summary>
/// <param name="PeerId">The peer (entity id) the message was addressed to.</param>
/// <param name="Error">Error code (<see cref="PeerActors.Core.Errors.ErrorCodes"/>).</param>
/// <param name="Field">Offending field, for <c>invalid-input</c>.</param>
/// <param name="Message">Human-readable reason.</param>
public sealed record CommandRejected(string PeerId, string Error, string? Field, string Message);

/// <summary>Answer to <see cref="GetPeerStats"/>: every SPEC §2 field plus scores computed at <see cref="Now"/>.</summary>
/// <param name="Stats">All counters and estimator values.</param>
/// <param name="Now">Instant the time-dependent values were computed at.</param>
/// <param name="SuccessRate">success_rate.</param>
/// <param name="SelectionRate">selection_rate(now), requests/s.</param>
/// <param name="Score">score(now).</param>
/// <param name="UtilityScore">utility_score with total = this peer's own requests_sent (a lone-peer view).</param>
/// <param name="TitForTatScore">tit_for_tat_score with total = this peer's own requests_sent.</param>
/// <param name="IsBackedOff">is_backed_off(now).</param>
/// <param name="BackoffRemainingMs">backoff_remaining(now), ms.</param>
/// <param name="PaymentPriorityBoost">payment_priority_boost.</param>
/// <param name="PaymentReliabilityMultiplier">payment_reliability_multiplier.</param>
/// <param name="Online">Current online state (fitness log).</param>
/// <param name="FlapCount">Flap count after cooldown bookkeeping.</param>
/// <param name="LastFlap">Last flap instant.</param>
/// <param name="ChannelCount">Open channels.</param>
/// <param name="IngressBytes">Bytes attributed as ingress (SPEC §5).</param>
/// <param name="EgressBytes">Bytes attributed as egress (SPEC §5).</param>
/// <param name="BannedUntil">End of the peer's latest ban (possibly before <paramref name="Now"/>, i.e. expired), or null.</param>
/// <param name="BanReason">Its reason.</param>
public sealed record PeerStatsReply(
    PeerStatsState Stats,
    DateTimeOffset Now,
    double SuccessRate,
    double SelectionRate,
    double Score,
    double UtilityScore,
    double TitForTatScore,
    bool IsBackedOff,
    double BackoffRemainingMs,
    double PaymentPriorityBoost,
    double PaymentReliabilityMultiplier,
    bool Online,
    long FlapCount,
    DateTimeOffset? LastFlap,
    int ChannelCount,
    ulong IngressBytes,
    ulong EgressBytes,
    DateTimeOffset? BannedUntil = null,
    string? BanReason = null);

/// <summary>Answer to <see cref="GetChannelUptime"/> (lnd: lifetime = now − opened, uptime within it).</summary>
public sealed record ChannelUptimeReply(string PeerId, string ChannelId, TimeSpan Lifetime, TimeSpan Uptime);

/// <summary>Answer to <see cref="GetFlapCount"/>.</summary>
public sealed record FlapCountReply(string PeerId, long FlapCount, DateTimeOffset? LastFlap);

/// <summary>One epoch of a peer's bandwidth (SPEC §5), bytes.</summary>
public sealed record BandwidthEpoch(DateTimeOffset EpochStart, DateTimeOffset EpochEnd, ulong IngressBytes, ulong EgressBytes);

/// <summary>Answer to <see cref="GetBandwidth"/>: totals and per-epoch bytes (the epochs sum exactly to the totals).</summary>
public sealed record BandwidthReply(string PeerId, ulong IngressBytes, ulong EgressBytes, IReadOnlyList<BandwidthEpoch> Epochs);
