using PeerActors.Core.Stats;

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
public sealed record PeerScoreInputs(
    PeerStatsState Stats,
    long Version,
    IReadOnlyList<string> Protocols,
    IReadOnlyList<string> Services,
    bool Forgotten = false)
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
