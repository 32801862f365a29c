using Akka.Configuration;
using PeerActors.Node.Replay;

namespace PeerActors.Node.Configuration;

/// <summary>Database behind Akka.Persistence.Sql.</summary>
public enum PersistenceProvider
{
    /// <summary>SQLite file (embedded single node); LinqToDB provider <c>SQLite.MS</c> (Microsoft.Data.Sqlite).</summary>
    Sqlite,

    /// <summary>PostgreSQL (multi-node); LinqToDB provider <c>PostgreSQL.15</c> (Npgsql).</summary>
    PostgreSql,
}

/// <summary>
/// The validated settings of one node, mapped from the merged configuration (hocon.conf → overlay →
/// environment → flags) by <see cref="NodeSettingsLoader"/>. Every property names its HOCON key.
/// </summary>
public sealed record NodeSettings
{
    /// <summary>Directory holding <c>hocon.conf</c> and <c>config/</c> (full path).</summary>
    public required string ConfigRoot { get; init; }

    /// <summary>The overlay applied: <c>embedded</c>, <c>cluster</c>, or the full path of a <c>.conf</c> file.</summary>
    public required string Overlay { get; init; }

    /// <summary><c>peeractors.data-dir</c>, resolved to a full path.</summary>
    public required string DataDirectory { get; init; }

    /// <summary><c>peeractors.node.system-name</c>: the ActorSystem name.</summary>
    public required string SystemName { get; init; }

    /// <summary><c>peeractors.node.hostname</c>: Akka.Remote bind hostname.</summary>
    public required string Hostname { get; init; }

    /// <summary><c>peeractors.node.port</c>: Akka.Remote port, 0–65535 (0 = any free port).</summary>
    public required int Port { get; init; }

    /// <summary><c>peeractors.node.seed-nodes</c>: cluster seed node addresses; empty = join self (cluster of one).</summary>
    public required IReadOnlyList<string> SeedNodes { get; init; }

    /// <summary><c>peeractors.node.role</c>: this node's cluster role.</summary>
    public required string Role { get; init; }

    /// <summary>
    /// <c>peeractors.sharding.role</c>: the cluster role that hosts the peer shard region and its coordinator. A node whose
    /// <see cref="Role"/> differs hosts no peers: it sends through a shard-region proxy (<see cref="HostsPeers"/>).
    /// </summary>
    public string ShardingRole { get; init; } = "peeractors";

    /// <summary>True when this node hosts peer shards (its role is <see cref="ShardingRole"/>).</summary>
    public bool HostsPeers => string.Equals(Role, ShardingRole, StringComparison.Ordinal);

    /// <summary><c>peeractors.persistence.provider</c>.</summary>
    public required PersistenceProvider PersistenceProvider { get; init; }

    /// <summary>
    /// <c>peeractors.persistence.connection-string</c>; for SQLite when empty:
    /// <c>Data Source=&lt;data-dir&gt;/peeractors.db</c>.
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary><c>peeractors.persistence.flush-interval</c> (&gt; 0).</summary>
    public required TimeSpan FlushInterval { get; init; }

    /// <summary><c>peeractors.persistence.snapshot-every</c> (≥ 1 events).</summary>
    public required int SnapshotEvery { get; init; }

    /// <summary><c>peeractors.persistence.snapshot-on-passivation</c>: snapshot a peer when it stops (default on).</summary>
    public bool SnapshotOnPassivation { get; init; } = true;

    /// <summary>
    /// <c>peeractors.serialization.write-binary</c> (default on): peer events, snapshots and score inputs written as
    /// Protocol Buffers; off writes their JSON manifests (first step of a rolling upgrade). Read by the serializers
    /// from the ActorSystem's configuration; validated here so a bad value refuses the start naming the key.
    /// </summary>
    public bool WriteBinary { get; init; } = true;

    /// <summary><c>peeractors.selector.snapshots</c>: the selector keeps its own snapshot (default on).</summary>
    public bool SelectorSnapshots { get; init; } = true;

    /// <summary><c>peeractors.selector.snapshot-interval</c> (&gt; 0): how often the selector saves its snapshot.</summary>
    public TimeSpan SelectorSnapshotInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>peeractors.selector.retention</c> (<c>off</c> or a duration &gt; 0; default off): how long, in observation time, the
    /// selector keeps a peer without activity (<see cref="Selection.SelectorOptions.Retention"/>), so that a node's memory
    /// follows the peers active within the window rather than every peer ever seen.
    /// </summary>
    public TimeSpan? SelectorRetention { get; init; }

    /// <summary><c>peeractors.selector.wake-max-in-flight</c> (1–1000): peer wake-ups outstanding at once while the selector starts.</summary>
    public int SelectorWakeMaxInFlight { get; init; } = 8;

    /// <summary><c>peeractors.selector.wake-rate</c> (≥ 1 peers per second): upper bound of the start-up wake-up rate.</summary>
    public int SelectorWakeRate { get; init; } = 2000;

    /// <summary><c>peeractors.persistence.snapshot-on-passivation-min-events</c> (≥ 1): events since the last snapshot before a stop saves one.</summary>
    public int SnapshotOnPassivationMinEvents { get; init; } = 1;

    /// <summary>
    /// <c>peeractors.persistence.delete-events-on-snapshot</c> (<c>on</c> | <c>off</c> | <c>replay</c>, default
    /// <c>replay</c>): whether a peer's events covered by its latest snapshot are deleted from the journal.
    /// </summary>
    public EventDeletion DeleteEventsOnSnapshot { get; init; } = EventDeletion.Replay;

    /// <summary>
    /// <c>peeractors.persistence.sqlite-synchronous</c> (<c>full</c> | <c>normal</c> | <c>replay</c>, default
    /// <c>replay</c>): SQLite's <c>PRAGMA synchronous</c> on every connection of the journal and snapshot store
    /// (<see cref="Hosting.SqlitePragmas"/>); ignored with PostgreSQL.
    /// </summary>
    public SqliteSynchronous SqliteSynchronous { get; init; } = SqliteSynchronous.Replay;

    /// <summary><c>peeractors.passivation.idle-timeout</c> (&gt; 0).</summary>
    public required TimeSpan PassivationIdleTimeout { get; init; }

    /// <summary>
    /// True for a replay: peers are also passivated after <see cref="PassivationIdleTimeout"/> of <em>data</em> time
    /// without an observation (one observation clock per node, <see cref="PeerActorsOptions.PassivationClock"/>); false
    /// (default, a live node): by the wall clock only. Set by the <c>replay</c> command, not by configuration.
    /// </summary>
    public bool PassivateByObservationClock { get; init; }

    /// <summary><c>peeractors.management.enabled</c>.</summary>
    public required bool ManagementEnabled { get; init; }

    /// <summary><c>peeractors.management.endpoint</c>: bind address of the command endpoint.</summary>
    public required IPEndPoint ManagementEndpoint { get; init; }

    /// <summary><c>peeractors.management.token</c>: bearer token; empty = none (allowed only on loopback).</summary>
    public required string ManagementToken { get; init; }

    /// <summary><c>peeractors.metrics.enabled</c>.</summary>
    public required bool MetricsEnabled { get; init; }

    /// <summary><c>peeractors.metrics.per-peer-label-cap</c> (≥ 0).</summary>
    public required int MetricsPerPeerLabelCap { get; init; }

    /// <summary><c>peeractors.limits.file</c>, resolved against <see cref="ConfigRoot"/> (an existing file); null when the key is empty (built-in default limits).</summary>
    public required string? LimitsFile { get; init; }

    /// <summary><c>peeractors.bandwidth.epoch-length</c> (&gt; 0).</summary>
    public required TimeSpan BandwidthEpochLength { get; init; }

    /// <summary><c>peeractors.delivery.*</c>: reliable delivery to the peer actors (batching, resend, buffer bound).</summary>
    public PeerActors.Delivery.DeliverySettings Delivery { get; init; } = new();
    /// <summary><c>peeractors.bans.auto-ban-payment-defaults</c> (≥ 0; 0 = automatic bans off).</summary>
    public int AutoBanPaymentDefaults { get; init; }

    /// <summary><c>peeractors.bans.auto-ban-duration</c> (&gt; 0): length of an automatic ban.</summary>
    public TimeSpan AutoBanDuration { get; init; } = TimeSpan.FromHours(24);
    /// <summary><c>peeractors.replay.max-chunks-per-session</c> (≥ 1) and <c>peeractors.replay.max-line-length</c> (≥ 256 bytes).</summary>
    public required ReplayInputLimits ReplayInput { get; init; }

    /// <summary>
    /// <c>peeractors.replay.compact-journal</c> (default on): after a replay on SQLite, <c>VACUUM</c> the database once
    /// the node has stopped (<see cref="Hosting.SqliteCompaction"/>).
    /// </summary>
    public bool ReplayCompactJournal { get; init; } = true;

    /// <summary>The merged HOCON (base, overlay, environment, flags) the ActorSystem is started with.</summary>
    public required Config Hocon { get; init; }

    /// <summary>LinqToDB provider name for Akka.Persistence.Sql (<c>SQLite.MS</c> or <c>PostgreSQL.15</c>).</summary>
    public string LinqToDbProviderName => PersistenceProvider switch
    {
        PersistenceProvider.Sqlite => "SQLite.MS",
        PersistenceProvider.PostgreSql => "PostgreSQL.15",
        _ => throw new InvalidOperationException($"Unknown provider {PersistenceProvider}."),
    };

    /// <summary>The selector options these settings imply: snapshots and the journal bootstrap on nodes that host peers.</summary>
    /// <returns>Validated options.</returns>
    public Selection.SelectorOptions ToSelectorOptions() => new Selection.SelectorOptions
    {
        Role = ShardingRole,
        BootstrapFromJournal = HostsPeers,
        // A node that hosts no peers cannot wake them, so a snapshot would only ever be loaded, never caught up.
        SnapshotInterval = SelectorSnapshots && HostsPeers ? SelectorSnapshotInterval : null,
        // SQLite is one node's own database (its data directory is locked to one process): a fixed id lets a node
        // restarted on another port find its snapshot. PostgreSQL is shared: one id per node address (the default).
        SnapshotPersistenceId = PersistenceProvider == PersistenceProvider.Sqlite ? "peeractors-selector" : null,
        WakeMaxInFlight = SelectorWakeMaxInFlight,
        BootstrapWakeRate = SelectorWakeRate,
        Retention = SelectorRetention,
    }.Validate();

    /// <summary>The actor-level options these settings imply (journal and snapshot plugins = system defaults).</summary>
    /// <returns>Validated options.</returns>
    public PeerActorsOptions ToPeerActorsOptions() => new PeerActorsOptions
    {
        FlushInterval = FlushInterval,
        SnapshotEvery = SnapshotEvery,
        SnapshotOnPassivation = SnapshotOnPassivation,
        SnapshotOnPassivationMinEvents = SnapshotOnPassivationMinEvents,
        DeleteEventsOnSnapshot = DeleteEventsOnSnapshot == EventDeletion.On,
        PassivationIdleTimeout = PassivationIdleTimeout,
        PassivationClock = PassivateByObservationClock ? new Core.Time.ObservationClock() : null,
        Role = ShardingRole,
        BandwidthEpochLength = BandwidthEpochLength,
        Delivery = Delivery,
        MetricsPerPeerLabelCap = MetricsPerPeerLabelCap,
        LimitsFile = LimitsFile,
        AutoBan = AutoBanPaymentDefaults > 0 ? new Core.Bans.AutoBanPolicy((ulong)AutoBanPaymentDefaults, AutoBanDuration) : null,
    }.Validate();
}

/// <summary>
/// Values of <c>peeractors.persistence.delete-events-on-snapshot</c>: when a peer's events covered by its latest snapshot
/// are deleted from the journal (all but the last one; see <see cref="PeerActors.Peers.PeerActorSettings.DeleteEventsOnSnapshot"/>).
/// </summary>
public enum EventDeletion
{
    /// <summary>Never: the journal keeps every event (only older snapshots are deleted).</summary>
    Off,

    /// <summary>Always (<c>run</c> and <c>replay</c>).</summary>
    On,

    /// <summary>Only during <c>replay</c> (the default): a live node keeps every event.</summary>
    Replay,
}

/// <summary>Values of <c>peeractors.persistence.sqlite-synchronous</c> (SQLite's <c>PRAGMA synchronous</c>, WAL mode).</summary>
public enum SqliteSynchronous
{
    /// <summary><c>FULL</c>: every commit is fsynced, so an acknowledged write survives a power loss (SQLite's default).</summary>
    Full,

    /// <summary>
    /// <c>NORMAL</c>: the WAL is fsynced at checkpoints only. Survives a crash of the process; after a power loss or an
    /// operating-system crash the last commits may roll back (the database stays consistent).
    /// </summary>
    Normal,

    /// <summary><see cref="Normal"/> during <c>replay</c> (its input can be replayed again), <see cref="Full"/> otherwise (the default).</summary>
    Replay,
}
