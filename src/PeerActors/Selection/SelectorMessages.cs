namespace PeerActors.Selection;

/// <summary>
/// Published by a peer actor when its score inputs changed (coalesced: at most once per flush interval
/// per peer, plus at once on critical changes), on the DistributedPubSub topic
/// <see cref="Topic"/>; every node's selector keeps the latest per peer. <see cref="Version"/> grows
/// monotonically per peer (the actor's last sequence number plus in-memory changes) so a selector
/// can drop an older update that arrives late.
/// </summary>
/// <param name="Stats">The peer's SPEC §2 fields.</param>
/// <param name="Version">Monotone per-peer version.</param>
/// <param name="Protocols">Protocols the peer is known to serve (for selection filters).</param>
/// <param name="Services">Services the peer is known to serve (for selection filters).</param>
/// <param name="Forgotten">True when the peer was forgotten: selectors remove it.</param>
/// <param name="BannedUntil">End of the peer's latest ban (possibly already expired: compare with the observation
/// clock), or null when it has none. Selectors exclude the peer while banned; the limit actors refuse it at
/// <c>peer:ID</c>.</param>
/// <param name="BanReason">The ban's reason when <paramref name="BannedUntil"/> is set.</param>
public sealed record PeerScoreInputs(
    PeerStatsState Stats,
    long Version,
    IReadOnlyList<string> Protocols,
    IReadOnlyList<string> Services,
    bool Forgotten = false,
    DateTimeOffset? BannedUntil = null,
    string? BanReason = null)
{
    /// <summary>DistributedPubSub topic of score-input updates.</summary>
    public const string Topic = "peeractors.score-inputs";
}

/// <summary>
/// Several <see cref="PeerScoreInputs"/> published at once on <see cref="PeerScoreInputs.Topic"/> (the latest of each
/// peer within one publish interval of a node), so that a busy node sends one message per interval to each selector
/// instead of one per peer flush. Selectors apply each update as if it came alone.
/// </summary>
/// <param name="Updates">The updates (at most one per peer).</param>
public sealed record PeerScoreInputsBatch(IReadOnlyList<PeerScoreInputs> Updates);

/// <summary>
/// Asks one peer actor (routed through the peer shard region like every <see cref="Peers.IPeerMessage"/>) to
/// publish its current <see cref="PeerScoreInputs"/> at once, even if nothing changed. Sent by the
/// selector's journal bootstrap (<see cref="SelectorOptions.BootstrapFromJournal"/>) to wake peers that
/// are in the journal but not awake, so they never published since the node started. No reply.
/// </summary>
/// <param name="PeerId">The peer (sharding entity id).</param>
public sealed record PublishScoreInputs(string PeerId) : Peers.IPeerMessage
{
    /// <inheritdoc />
    public string EntityId => PeerId;
}

/// <summary>
/// Asks the selector for the bans it knows from the peers' score inputs (cluster-wide: every node's peers publish to
/// every selector). Answered with <see cref="BansReply"/>.
/// </summary>
/// <param name="Now">Instant deciding which bans are in force (observation clock); null = the node's TimeProvider.</param>
/// <param name="IncludeExpired">Also list bans that ended before <paramref name="Now"/>.</param>
public sealed record GetBans(DateTimeOffset? Now = null, bool IncludeExpired = false);

/// <summary>One banned peer.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Until">End of the ban (UTC).</param>
/// <param name="Reason">Why.</param>
/// <param name="Active">Whether it is in force at the reply's <c>Now</c>.</param>
public sealed record BanEntry(string PeerId, DateTimeOffset Until, string Reason, bool Active);

/// <summary>Answer to <see cref="GetBans"/>, by peer id (ordinal).</summary>
/// <param name="Bans">The bans.</param>
/// <param name="Now">The instant used.</param>
public sealed record BansReply(IReadOnlyList<BanEntry> Bans, DateTimeOffset Now);
