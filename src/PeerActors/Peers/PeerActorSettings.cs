namespace PeerActors.Peers;

/// <summary>
/// Settings of one <see cref="PeerActor"/>: durability timing (SPEC §8), snapshot cadence and the domain options
/// (RTT/backoff constants, fitness-log cap, bandwidth epochs). Built from the node's PeerActorsOptions by the
/// hosting extension, or directly by tests.
/// </summary>
public sealed record PeerActorSettings
{
    /// <summary>Defaults: flush every 1 s, snapshot every 1000 events, 168 bandwidth epochs of 1 h, log cap 1024.</summary>
    public static PeerActorSettings Default { get; } = new();

    /// <summary>
    /// High-rate observations are persisted as one coalesced <see cref="ObservationsFlushed"/> event at most this
    /// often (the timer starts at the first unflushed change), and on hand-off/passivation. Default 1 s; must be &gt; 0.
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A snapshot is saved after this many persisted events (≥ 1). Default 1000.</summary>
    public int SnapshotEvery { get; init; } = 1000;

    /// <summary>
    /// When true, once a snapshot at sequence number S is stored, the events it covers are deleted from the journal
    /// except the last one (events 1 … S−1; <c>peeractors.persistence.delete-events-on-snapshot</c>). Default false: the
    /// journal keeps the whole history (every number stays explainable from events); only older snapshots are deleted.
    /// </summary>
    /// <remarks>
    /// Event S stays, undeleted, because the journal's readers only see undeleted rows: Akka.Persistence.Sql's
    /// <c>CurrentPersistenceIds</c> (the replay's journal check, the selector's bootstrap without a snapshot) would drop
    /// a peer whose every event is deleted, and the selector's catch-up (<c>CurrentAllEvents</c> from its snapshot's
    /// offset) must still see a peer whose latest event lies after that offset — the latest event has the peer's highest
    /// ordering, so keeping it keeps both. The plugin also keeps the row of S−1 (marked deleted: its highest deleted
    /// sequence number), so a peer keeps two rows plus the events after its snapshot.
    /// </remarks>
    public bool DeleteEventsOnSnapshot { get; init; }

    /// <summary>
    /// Save a snapshot when the actor stops on <see cref="PeerStop"/> (idle passivation, hand-off, graceful shutdown) if
    /// events were persisted since the last one: the next incarnation then recovers from one snapshot instead of
    /// replaying deltas. Default true (<c>peeractors.persistence.snapshot-on-passivation</c>).
    /// </summary>
    public bool SnapshotOnStop { get; init; } = true;

    /// <summary>
    /// With <see cref="SnapshotOnStop"/>, the snapshot on stop is saved only when at least this many events were persisted
    /// since the last one (≥ 1; default 1 = after any event). A recovery then replays fewer than this many deltas.
    /// </summary>
    public int SnapshotOnStopMinEvents { get; init; } = 1;

    /// <summary>Journal plugin id (null = system default).</summary>
    public string? JournalPluginId { get; init; }

    /// <summary>Snapshot-store plugin id (null = system default).</summary>
    public string? SnapshotPluginId { get; init; }

    /// <summary>RTT estimator and backoff constants (SPEC §2).</summary>
    public PeerStatsOptions StatsOptions { get; init; } = PeerStatsOptions.Default;

    /// <summary>
    /// Fitness-log settings (SPEC §4). The committed-event cap bounds both memory and the size of every flush event;
    /// default 1024.
    /// </summary>
    public PeerLogOptions LogOptions { get; init; } = new() { MaxCommittedEvents = 1024 };

    /// <summary>
    /// Bandwidth settings (SPEC §5). Default: 1 h epochs, at most 168 kept per peer (older ones folded into one bucket,
    /// sums stay exact), which bounds the size of every flush event and snapshot.
    /// </summary>
    public BandwidthOptions BandwidthOptions { get; init; } = new() { MaxEpochs = 168 };

    /// <summary>Clock used only for queries without an explicit <c>Now</c>. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The observation clock of the node during a replay (<see cref="Core.Time.ObservationClock"/>): every applied
    /// observation advances it, and a peer that saw none for <see cref="PassivationIdleTimeout"/> of <em>data</em> time
    /// asks its shard to passivate it (after a flush), checked every <see cref="PassivationCheckInterval"/> of wall time.
    /// Null (default, a live node) = only Cluster.Sharding's wall-clock idle passivation.
    /// </summary>
    public Core.Time.ObservationClock? PassivationClock { get; init; }

    /// <summary>Data time without an observation after which a peer is passivated when <see cref="PassivationClock"/> is set. Default 2 min; must be &gt; 0.</summary>
    public TimeSpan PassivationIdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Wall time between two idle checks of a live peer when <see cref="PassivationClock"/> is set. Default 1 s; must be &gt; 0.</summary>
    public TimeSpan PassivationCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Optional automatic bans (e.g. after N payment defaults); null (default) = off.</summary>
    public Core.Bans.AutoBanPolicy? AutoBan { get; init; }

    /// <summary>Checks every value.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="InvalidInputException">When a value is out of range (names the property).</exception>
    public PeerActorSettings Validate()
    {
        if (FlushInterval <= TimeSpan.Zero)
            throw new InvalidInputException(nameof(FlushInterval), $"must be > 0, got {FlushInterval}");
        if (PassivationIdleTimeout <= TimeSpan.Zero)
            throw new InvalidInputException(nameof(PassivationIdleTimeout), $"must be > 0, got {PassivationIdleTimeout}");
        if (PassivationCheckInterval <= TimeSpan.Zero)
            throw new InvalidInputException(nameof(PassivationCheckInterval), $"must be > 0, got {PassivationCheckInterval}");
        if (SnapshotOnStopMinEvents < 1)
            throw new InvalidInputException(nameof(SnapshotOnStopMinEvents), $"must be >= 1, got {SnapshotOnStopMinEvents}");
        if (SnapshotEvery < 1)
            throw new InvalidInputException(nameof(SnapshotEvery), $"must be >= 1, got {SnapshotEvery}");
        LogOptions.Validate();
        AutoBan?.Validate();
        BandwidthOptions.Validate();
        return this;
    }
}
