namespace PeerActors.Selection;

/// <summary>
/// The selector's durable picture of every peer (SPEC §7 restart without a wake-up): what it holds in memory, saved in
/// the snapshot store by the selector's checkpoint helper, with the journal offset it is complete up to.
/// </summary>
/// <remarks>
/// Invariant: every peer event with a journal ordering ≤ <see cref="Offset"/> is reflected in <see cref="Entries"/> /
/// <see cref="Forgotten"/>. A restarted selector loads it and wakes only the peers with events after
/// <see cref="Offset"/> (Akka.Persistence.Query <c>CurrentAllEvents</c>), so the wake-up is proportional to what changed
/// since the snapshot, not to the journal size. Serialized by <see cref="SelectorSerializer"/>
/// (<c>selector-snapshot.v2</c>, Protocol Buffers; <c>.v1</c> JSON still reads).
/// </remarks>
/// <param name="Offset">Global ordering of the journal (Akka.Persistence.Sql <c>ordering</c> column, a
/// <see cref="Akka.Persistence.Query.Sequence"/> offset) the entries are complete up to; 0 = none.</param>
/// <param name="SavedAt">When it was taken (UTC; diagnostics only).</param>
/// <param name="Entries">The latest inputs of every tracked peer, with their versions and bans.</param>
/// <param name="Forgotten">Tombstones of forgotten peers: older updates of these peers must not bring them back.</param>
public sealed record SelectorSnapshot(
    long Offset,
    DateTimeOffset SavedAt,
    IReadOnlyList<PeerScoreInputs> Entries,
    IReadOnlyList<SelectorTombstone> Forgotten);

/// <summary>A forgotten peer in a <see cref="SelectorSnapshot"/>.</summary>
/// <param name="PeerId">The peer id.</param>
/// <param name="Version">The version of its <see cref="PeerScoreInputs.Forgotten"/> update; older updates are dropped.</param>
public sealed record SelectorTombstone(string PeerId, long Version);

/// <summary>
/// Journal event of the selector's checkpoint helper: a position marker. Its journal ordering (read back with
/// <c>CurrentEventsByPersistenceId</c>) is the offset a later <see cref="SelectorSnapshot"/> is complete up to, read at
/// O(1) cost instead of scanning the journal for its highest ordering. Serialized as <c>selector-checkpoint-mark.v1</c>.
/// </summary>
/// <param name="At">When it was written (UTC; diagnostics only).</param>
public sealed record SelectorCheckpointMark(DateTimeOffset At);

/// <summary>
/// Asks the selector to save its <see cref="SelectorSnapshot"/> now (also done every
/// <see cref="SelectorOptions.SnapshotInterval"/> and when the node shuts down). Answered with
/// <see cref="SelectorSnapshotSaved"/>.
/// </summary>
public sealed record SaveSelectorSnapshot
{
    /// <summary>The single instance.</summary>
    public static SaveSelectorSnapshot Instance { get; } = new();
}

/// <summary>
/// Asks the selector to save its snapshot complete up to <em>now</em>: it writes a checkpoint mark and takes the mark's
/// journal ordering as its snapshot offset at once, instead of one <see cref="SelectorOptions.SnapshotInterval"/> later.
/// The sender vouches that every event persisted before this message is reflected in the selector's state — e.g. a
/// replay that has checked the selector's inputs against its own totals (the node's score inputs account for every
/// replayed request). Without that, a mark is trusted only an interval after it was written (an event just before it may
/// still be on its way), so a node stopped within an interval of its start saved an offset from its start, and its next
/// start woke every peer changed since (226,512 peers after a month's replay). Answered with
/// <see cref="SelectorSnapshotSaved"/>; nothing is saved (Error set) while the start-up is not complete or snapshots are off.
/// </summary>
public sealed record SaveSelectorSnapshotAtMark
{
    /// <summary>The single instance.</summary>
    public static SaveSelectorSnapshotAtMark Instance { get; } = new();
}

/// <summary>Answer to <see cref="SaveSelectorSnapshot"/> and <see cref="SaveSelectorSnapshotAtMark"/>.</summary>
/// <param name="Entries">Peers saved (tracked + forgotten); 0 when nothing was saved.</param>
/// <param name="Offset">Journal ordering the saved snapshot is complete up to.</param>
/// <param name="Error">Why nothing was saved (snapshots off, start-up not complete yet, store failure), else null.</param>
public sealed record SelectorSnapshotSaved(int Entries, long Offset, string? Error);

/// <summary>
/// Asks the selector how its start-up went. Answered with <see cref="SelectorBootstrapStatus"/>.
/// </summary>
public sealed record GetSelectorBootstrapStatus
{
    /// <summary>The single instance.</summary>
    public static GetSelectorBootstrapStatus Instance { get; } = new();
}

/// <summary>Answer to <see cref="GetSelectorBootstrapStatus"/>.</summary>
/// <param name="Source">Where the start-up state came from: <c>none</c> (no journal bootstrap), <c>snapshot</c> (own
/// snapshot + catch-up), <c>journal</c> (no snapshot: every peer in the journal woken, throttled).</param>
/// <param name="Complete">True once the start-up is over (snapshot applied and caught up, or every peer woken).</param>
/// <param name="SnapshotEntries">Peers loaded from the snapshot (tracked + forgotten).</param>
/// <param name="SnapshotOffset">The loaded snapshot's journal offset (0 = none).</param>
/// <param name="PeersWoken">Peer actors woken so far (catch-up or full bootstrap).</param>
/// <param name="Error">Why the start-up wake stopped early, else null.</param>
public sealed record SelectorBootstrapStatus(string Source, bool Complete, int SnapshotEntries, long SnapshotOffset, int PeersWoken, string? Error);
