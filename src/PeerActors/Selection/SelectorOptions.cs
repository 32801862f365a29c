using PeerActors.Core.Selection;
using PeerActors.Core.Validation;

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

    /// <summary>Peers woken per second by the bootstrap (bounds the recovery load). ≥ 1; default 2000.</summary>
    public int BootstrapWakeRate { get; init; } = 2000;

    /// <summary>Publish <see cref="ScoreInputsApplied"/> on the EventStream after every applied update. Default off.</summary>
    public bool PublishAppliedEvents { get; init; }

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
        return this;
    }
}
