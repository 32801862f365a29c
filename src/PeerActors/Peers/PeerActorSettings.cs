using PeerActors.Core.Bandwidth;
using PeerActors.Core.Fitness;
using PeerActors.Core.Stats;
using PeerActors.Core.Validation;

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
    /// When true, events up to a successful snapshot are deleted from the journal. Default false: the journal keeps
    /// the whole history (every number stays explainable from events); only older snapshots are deleted.
    /// </summary>
    public bool DeleteEventsOnSnapshot { get; init; }

    /// <summary>
    /// Save a snapshot when the actor stops on <see cref="PeerStop"/> (idle passivation, hand-off, graceful shutdown) if
    /// events were persisted since the last one: the next incarnation then recovers from one snapshot instead of
    /// replaying deltas. Default true (<c>peeractors.persistence.snapshot-on-passivation</c>).
    /// </summary>
    public bool SnapshotOnStop { get; init; } = true;

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

    /// <summary>Optional automatic bans (e.g. after N payment defaults); null (default) = off.</summary>
    public Core.Bans.AutoBanPolicy? AutoBan { get; init; }

    /// <summary>Checks every value.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="InvalidInputException">When a value is out of range (names the property).</exception>
    public PeerActorSettings Validate()
    {
        if (FlushInterval <= TimeSpan.Zero)
            throw new InvalidInputException(nameof(FlushInterval), $"must be > 0, got {FlushInterval}");
        if (SnapshotEvery < 1)
            throw new InvalidInputException(nameof(SnapshotEvery), $"must be >= 1, got {SnapshotEvery}");
        LogOptions.Validate();
        AutoBan?.Validate();
        BandwidthOptions.Validate();
        return this;
    }
}
