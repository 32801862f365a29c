namespace PeerActors.Hosting;

/// <summary>
/// Explicit settings of the PeerActors actors (peer shard region, limit actors, selector) inside an
/// <c>ActorSystem</c>. The node host maps them from the <c>peeractors { }</c> section of
/// <c>hocon.conf</c>; a service embedding PeerActors builds one directly. Defaults equal the
/// defaults of <c>hocon.conf</c>.
/// </summary>
public sealed record PeerActorsOptions
{
    /// <summary>
    /// High-rate observations (request outcomes, RTT samples, byte counts, flaps) are persisted as
    /// coalesced events at most this often, and on graceful shutdown (SPEC §8). A crash may lose at
    /// most one interval of them. Must be &gt; 0. Default 1 s (<c>peeractors.persistence.flush-interval</c>).
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A peer actor saves a snapshot after this many persisted events, bounding recovery replay.
    /// Must be ≥ 1. Default 1000 (<c>peeractors.persistence.snapshot-every</c>).
    /// </summary>
    public int SnapshotEvery { get; init; } = 1000;

    /// <summary>
    /// A peer actor stopping on passivation, hand-off or shutdown saves a snapshot when it persisted events since its
    /// last one, so its next recovery reads one snapshot. Default true (<c>peeractors.persistence.snapshot-on-passivation</c>).
    /// </summary>
    public bool SnapshotOnPassivation { get; init; } = true;

    /// <summary>
    /// The snapshot on stop is saved only after at least this many events since the last one (≥ 1). Default 1
    /// (<c>peeractors.persistence.snapshot-on-passivation-min-events</c>).
    /// </summary>
    public int SnapshotOnPassivationMinEvents { get; init; } = 1;

    /// <summary>
    /// Once a peer's snapshot at sequence number S is stored, delete its events 1 … S−1 from the journal (event S stays,
    /// so the journal's persistence-id and offset queries keep seeing the peer; see
    /// <see cref="Peers.PeerActorSettings.DeleteEventsOnSnapshot"/>). Default false: the journal keeps every event
    /// (<c>peeractors.persistence.delete-events-on-snapshot</c>).
    /// </summary>
    public bool DeleteEventsOnSnapshot { get; init; }

    /// <summary>
    /// A peer actor that received no message for this long is passivated by Cluster.Sharding
    /// (its state stays in the journal). Must be &gt; 0. Default 2 min
    /// (<c>peeractors.passivation.idle-timeout</c>).
    /// </summary>
    public TimeSpan PassivationIdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Null (default, a live node): idle passivation by the wall clock only (Cluster.Sharding). Set during a replay: the
    /// peers also passivate when they saw no observation for <see cref="PassivationIdleTimeout"/> of <em>data</em> time on
    /// this clock (which the peers advance), so a replay at full speed keeps only the recently active peers in memory.
    /// </summary>
    public Core.Time.ObservationClock? PassivationClock { get; init; }

    /// <summary>
    /// HOCON path of the Akka.Persistence journal plugin the peer actors use; <c>null</c> = the
    /// system default (<c>akka.persistence.journal.plugin</c>).
    /// </summary>
    public string? JournalPluginId { get; init; }

    /// <summary>
    /// HOCON path of the snapshot-store plugin the peer actors use; <c>null</c> = the system default
    /// (<c>akka.persistence.snapshot-store.plugin</c>).
    /// </summary>
    public string? SnapshotPluginId { get; init; }

    /// <summary>
    /// Akka.Cluster role of the nodes hosting the peer shard region (and the coordinator singleton); members without it
    /// host no peers and use <see cref="PeerActorsHostingExtensions.WithPeerActorsProxy"/>. Default <c>"peeractors"</c>
    /// (<c>peeractors.sharding.role</c>).
    /// </summary>
    public string Role { get; init; } = "peeractors";

    /// <summary>
    /// Length of one bandwidth attribution epoch (Lantern per-peer byte counters roll over per epoch).
    /// Must be &gt; 0. Default 1 h (<c>peeractors.bandwidth.epoch-length</c>).
    /// </summary>
    public TimeSpan BandwidthEpochLength { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// At most this many distinct peer ids appear as metric label values (cardinality cap); the
    /// rest are reported under one overflow label. Must be ≥ 0. Default 100
    /// (<c>peeractors.metrics.per-peer-label-cap</c>).
    /// </summary>
    public int MetricsPerPeerLabelCap { get; init; } = 100;

    /// <summary>
    /// Full path of the rcmgr-style JSON limit configuration; <c>null</c> or a missing file = built-in
    /// default limits (<c>peeractors.limits.file</c>).
    /// </summary>
    public string? LimitsFile { get; init; }

    /// <summary>
    /// Number of shards of the peer shard region (entity → shard by MurmurHash of the peer id). Must be the same on
    /// every node; ≥ 1. Default 100 (<c>PeerMessageExtractor.DefaultShardCount</c>).
    /// </summary>
    public int ShardCount { get; init; } = 100;

    /// <summary>Reliable delivery to the peer actors (batching, resend, buffer bound): <c>peeractors.delivery</c>.</summary>
    public Delivery.DeliverySettings Delivery { get; init; } = new();

    /// <summary>
    /// Optional automatic bans by policy (e.g. <c>new AutoBanPolicy(3, TimeSpan.FromDays(1))</c>: banned for a day at the
    /// third payment default); null (default) = off.
    /// </summary>
    public Core.Bans.AutoBanPolicy? AutoBan { get; init; }

    /// <summary>
    /// Checks every value; returns this instance when valid.
    /// </summary>
    /// <returns>This instance.</returns>
    /// <exception cref="InvalidInputException">A value is out of range; <see cref="InvalidInputException.Field"/> names the property.</exception>
    public PeerActorsOptions Validate()
    {
        if (FlushInterval <= TimeSpan.Zero)
            throw new InvalidInputException(nameof(FlushInterval), $"must be > 0, got {FlushInterval}.");
        if (SnapshotEvery < 1)
            throw new InvalidInputException(nameof(SnapshotEvery), $"must be >= 1, got {SnapshotEvery}.");
        if (PassivationIdleTimeout <= TimeSpan.Zero)
            throw new InvalidInputException(nameof(PassivationIdleTimeout), $"must be > 0, got {PassivationIdleTimeout}.");
        if (JournalPluginId is { } j && string.IsNullOrWhiteSpace(j))
            throw new InvalidInputException(nameof(JournalPluginId), "must be null (default plugin) or a HOCON path.");
        if (SnapshotPluginId is { } s && string.IsNullOrWhiteSpace(s))
            throw new InvalidInputException(nameof(SnapshotPluginId), "must be null (default plugin) or a HOCON path.");
        if (string.IsNullOrWhiteSpace(Role) || Role.Any(char.IsWhiteSpace))
            throw new InvalidInputException(nameof(Role), $"must be a non-empty role name without whitespace, got '{Role}'.");
        if (BandwidthEpochLength <= TimeSpan.Zero)
            throw new InvalidInputException(nameof(BandwidthEpochLength), $"must be > 0, got {BandwidthEpochLength}.");
        if (MetricsPerPeerLabelCap < 0)
            throw new InvalidInputException(nameof(MetricsPerPeerLabelCap), $"must be >= 0, got {MetricsPerPeerLabelCap}.");
        if (ShardCount < 1)
            throw new InvalidInputException(nameof(ShardCount), $"must be >= 1, got {ShardCount}.");
        ArgumentNullException.ThrowIfNull(Delivery);
        Delivery.Validate();
        try
        {
            AutoBan?.Validate();
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException($"{nameof(AutoBan)}.{e.Field}", Limits.LimitsText.Reason(e));
        }
        return this;
    }
}
