namespace PeerActors.Selection;

/// <summary>Settings of the selector actor (<c>WithPeerActorsSelector</c>).</summary>
public sealed record SelectorOptions
{
    /// <summary>Name of the selector actor under <c>/user</c> on every node (other selectors reach it there). Default <c>peeractors-selector</c>.</summary>
    public string ActorName { get; init; } = "peeractors-selector";

    /// <summary>
    /// On start, ask the selector of every other Up cluster member (with <see cref="Role"/>) for its entries
    /// (<see cref="SelectorSyncRequest"/>), so a restarted or joining node learns peers it missed. Default on.
    /// </summary>
    public bool SyncOnStart { get; init; } = true;

    /// <summary>Cluster role of the nodes running a selector; null = every member. Default <c>peeractors</c>.</summary>
    public string? Role { get; init; } = "peeractors";

    /// <summary>Entries per <see cref="SelectorSyncChunk"/> (keep a chunk under Akka.Remote's 128 kB frame). ≥ 1; default 100.</summary>
    public int SyncChunkSize { get; init; } = 100;

    /// <summary>
    /// On start, list the persistence ids of the journal (Akka.Persistence.Query <c>CurrentPersistenceIds</c>
    /// on <see cref="ReadJournalPluginId"/>) and send each peer a <see cref="PublishScoreInputs"/> through the
    /// peer shard region, so peers that are in the journal but not awake publish their inputs. Off by
    /// default (it wakes every peer actor); the node host turns it on. Also available on demand with
    /// <see cref="BootstrapFromJournal"/>.
    /// </summary>
    public bool BootstrapFromJournal { get; init; }

    /// <summary>Read-journal plugin id for the bootstrap. Default <c>akka.persistence.query.journal.sql</c> (Akka.Persistence.Sql <c>SqlReadJournal.Identifier</c>).</summary>
    public string ReadJournalPluginId { get; init; } = "akka.persistence.query.journal.sql";

    /// <summary>Prefix of peer-actor persistence ids (<c>peer-&lt;id&gt;</c>); other ids are skipped.</summary>
    public string PersistenceIdPrefix { get; init; } = "peer-";

    /// <summary>Peers woken per second at most by the bootstrap and the catch-up (an upper bound; <see cref="WakeMaxInFlight"/>
    /// is what keeps recoveries from queueing). ≥ 1; default 2000.</summary>
    public int BootstrapWakeRate { get; init; } = 2000;

    /// <summary>
    /// Wake-ups of the journal bootstrap and of the snapshot catch-up outstanding at once: a peer is woken only when an
    /// earlier one finished its recovery, so a user query to a sleeping peer waits behind at most this many recoveries
    /// instead of a queue of thousands (keep it below <c>akka.persistence.max-concurrent-recoveries</c>, default 50).
    /// ≥ 1; default 8.
    /// </summary>
    public int WakeMaxInFlight { get; init; } = 8;

    /// <summary>How long one wake-up may take before the next peer is woken anyway (a slow or lost peer must not stall the
    /// start-up). &gt; 0; default 10 s.</summary>
    public TimeSpan WakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Period of the selector's own snapshot (<see cref="SelectorSnapshot"/>: every tracked peer's inputs, versions, bans
    /// and forgotten tombstones, with the journal offset they are complete up to), also saved when the node shuts down.
    /// A restarted selector loads it and wakes only the peers with events after that offset (catch-up) instead of every
    /// peer of the journal. null = off (the default; the node host turns it on: <c>peeractors.selector.snapshot-interval</c>).
    /// Needs a journal with Akka.Persistence.Query offsets (<see cref="ReadJournalPluginId"/>, Akka.Persistence.Sql). &gt; 0.
    /// </summary>
    public TimeSpan? SnapshotInterval { get; init; }

    /// <summary>
    /// Persistence id of the selector's snapshots and checkpoint marks; one per node, since every node's selector keeps
    /// its own copy. null = <c>{ActorName}</c> on a non-remote system, <c>{ActorName}@{host}:{port}</c> with remoting (a
    /// node restarted on the same address finds its snapshot; a new address starts without one and syncs from the
    /// other members). Must not start with <see cref="PersistenceIdPrefix"/>.
    /// </summary>
    public string? SnapshotPersistenceId { get; init; }

    /// <summary>Journal plugin of the checkpoint marks; null = the system default.</summary>
    public string? JournalPluginId { get; init; }

    /// <summary>Snapshot-store plugin of the selector snapshot; null = the system default.</summary>
    public string? SnapshotPluginId { get; init; }

    /// <summary>Snapshot entries applied per message when a snapshot is loaded, so queries are answered between chunks
    /// (a 100,000-peer snapshot is not one long message). ≥ 1; default 2000.</summary>
    public int SnapshotApplyChunkSize { get; init; } = 2000;

    /// <summary>Publish <see cref="ScoreInputsApplied"/> on the EventStream after every applied update. Default off.</summary>
    public bool PublishAppliedEvents { get; init; }

    /// <summary>
    /// How long the selector keeps a peer that shows no activity, in observation time: a peer whose last activity
    /// (<see cref="SelectionMath.LastActivity"/>) is more than this before the latest activity of any peer is dropped from
    /// the index (and from the selector's snapshot), so the selector's memory follows the peers active within the window
    /// instead of every peer ever seen. The peer's history stays in the journal, and its next score inputs bring it back.
    /// Measured in the observations' own time, so a replay of old data ages peers in data time. null = off (the default:
    /// every peer ever seen is kept). &gt; 0.
    /// </summary>
    public TimeSpan? Retention { get; init; }

    /// <summary>Settings of the Throughput strategy (prior strength); fixed for the selector's index. Default <see cref="ThroughputOptions.Default"/>.</summary>
    public ThroughputOptions Throughput { get; init; } = ThroughputOptions.Default;

    /// <summary>Checks every value; returns this instance.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="InvalidInputException">A value is out of range (the field is named).</exception>
    public SelectorOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(ActorName) || ActorName.Contains('/'))
            throw new InvalidInputException(nameof(ActorName), $"must be a non-empty actor name without '/', got '{ActorName}'.");
        if (SyncChunkSize < 1) throw new InvalidInputException(nameof(SyncChunkSize), $"must be >= 1, got {SyncChunkSize}.");
        if (BootstrapWakeRate < 1) throw new InvalidInputException(nameof(BootstrapWakeRate), $"must be >= 1, got {BootstrapWakeRate}.");
        if (string.IsNullOrWhiteSpace(ReadJournalPluginId))
            throw new InvalidInputException(nameof(ReadJournalPluginId), "must be a HOCON path.");
        if (PersistenceIdPrefix is null) throw new InvalidInputException(nameof(PersistenceIdPrefix), "must not be null.");
        if (WakeMaxInFlight < 1) throw new InvalidInputException(nameof(WakeMaxInFlight), $"must be >= 1, got {WakeMaxInFlight}.");
        if (WakeTimeout <= TimeSpan.Zero) throw new InvalidInputException(nameof(WakeTimeout), $"must be > 0, got {WakeTimeout}.");
        if (SnapshotInterval is { } interval && interval <= TimeSpan.Zero)
            throw new InvalidInputException(nameof(SnapshotInterval), $"must be > 0 (or null = off), got {interval}.");
        if (Retention is { } retention && retention <= TimeSpan.Zero)
            throw new InvalidInputException(nameof(Retention), $"must be > 0 (or null = off), got {retention}.");
        if (SnapshotApplyChunkSize < 1) throw new InvalidInputException(nameof(SnapshotApplyChunkSize), $"must be >= 1, got {SnapshotApplyChunkSize}.");
        if (SnapshotPersistenceId is { } pid && (string.IsNullOrWhiteSpace(pid) || (PersistenceIdPrefix.Length > 0 && pid.StartsWith(PersistenceIdPrefix, StringComparison.Ordinal))))
            throw new InvalidInputException(nameof(SnapshotPersistenceId), $"must be non-empty and must not start with '{PersistenceIdPrefix}', got '{pid}'.");
        return this;
    }
}
