namespace PeerActors.Node.Replay;

/// <summary>
/// Optional capability of an <see cref="IReplayPeers"/>: which peers have history in the journal, found with one query
/// instead of waking every peer actor. <see cref="ReplayRunner"/> then asks only those peers for their stats before the
/// replay; every other peer of the input is new without being asked.
/// </summary>
public interface IReplayJournalIndex
{
    /// <summary>
    /// Ids of the peers whose persistence id (<c>peer-&lt;id&gt;</c>) is in the journal now. A superset is allowed
    /// (e.g. a forgotten peer whose rows were only marked deleted): the runner still asks each listed peer, and
    /// <c>peer not found</c> counts as new.
    /// </summary>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The peer ids (ordinal).</returns>
    Task<IReadOnlySet<string>> PeersWithHistoryAsync(CancellationToken ct);

    /// <summary>
    /// Tells the peer actors of this process that <paramref name="peerIds"/> have no persistence id in the journal (none
    /// was listed by <see cref="PeersWithHistoryAsync"/> just before), so their first incarnation skips the snapshot load
    /// (<see cref="PeerActors.Peers.NewPeerRegistry"/>). Called once, before the replay sends anything.
    /// </summary>
    /// <param name="peerIds">Peer ids of the input absent from the journal.</param>
    void AnnounceNewPeers(IReadOnlyCollection<string> peerIds);
}
