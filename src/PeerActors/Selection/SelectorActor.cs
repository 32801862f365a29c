using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Persistence.Query;
using System.Runtime.CompilerServices;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace PeerActors.Selection;

/// <summary>
/// The selector actor of SPEC §7 (one per node): keeps every peer's latest <see cref="PeerScoreInputs"/>
/// in a <see cref="PeerRankingIndex"/> and answers SPEC §3 queries from it, without asking any peer actor.
/// </summary>
/// <remarks>
/// <para><b>Feed.</b> Subscribes to DistributedPubSub topic <see cref="PeerScoreInputs.Topic"/> (when the
/// system runs the cluster provider; otherwise updates are sent to it directly). An update with a
/// <see cref="PeerScoreInputs.Version"/> lower than the one known for the peer is dropped (late
/// delivery); equal versions are re-applied (idempotent). <see cref="PeerScoreInputs.Forgotten"/> removes
/// the peer and keeps its version as a tombstone so older updates cannot bring it back.</para>
/// <para><b>Bootstrap.</b> (a) <see cref="SelectorOptions.SyncOnStart"/>: for every other Up member
/// (with the role) the selector sends a <see cref="SelectorSyncRequest"/> to the member's selector
/// (<c>/user/{ActorName}</c>) and merges the <see cref="SelectorSyncChunk"/>s by version. (b) With
/// <see cref="SelectorOptions.SnapshotInterval"/>: its checkpoint helper (<see cref="SelectorCheckpointActor"/>) loads the
/// selector's own <see cref="SelectorSnapshot"/> (applied in chunks, queries answered between them) and the selector
/// wakes only the peers with journal events after the snapshot's offset (<c>CurrentAllEvents</c>); no snapshot (first
/// start, new node) falls back to (c). (c) <see cref="SelectorOptions.BootstrapFromJournal"/>: lists persistence ids
/// with Akka.Persistence.Query <c>CurrentPersistenceIds</c> and wakes each peer through the peer shard region
/// (<see cref="PublishScoreInputs"/>), at most <see cref="SelectorOptions.WakeMaxInFlight"/> recoveries at once so
/// queries to peers are not starved (<see cref="SelectorJournalWake"/>).</para>
/// <para><b>Snapshots.</b> Saved every <see cref="SelectorOptions.SnapshotInterval"/> and at coordinated shutdown
/// (phase before-actor-system-terminate). The offset saved is the journal ordering of a checkpoint mark written one
/// interval earlier (the start mark right after the start-up wake), so every event up to it has long been published to
/// this selector; events after it are woken again at the next start. Nothing is saved before the start-up state is
/// complete relative to some offset (loaded snapshot, or the start mark once the full wake finished).</para>
/// <para><b>Time.</b> A query without <c>now</c> uses the injected <see cref="TimeProvider"/>.</para>
/// </remarks>
public sealed class SelectorActor : ReceiveActor, IWithTimers
{
    private readonly SelectorOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<IActorRef?> _peerRegion;
    private readonly PeerRankingIndex _index;
    // The version of a tracked peer's inputs is kept in its index slot; forgotten peers keep theirs here (few), so an
    // older update that arrives late cannot bring them back.
    private readonly Dictionary<PeerId, long> _tombstones = new();
    private long _lastRetentionSweep = long.MinValue;
    // Inputs applied and peers dropped since the start, and what the last successful save reflected: a save with nothing
    // changed and the same safe offset would rewrite every peer's inputs for nothing (the shutdown right after a replay's
    // SaveSelectorSnapshotAtMark: 293,184 entries, 1–2 s and a memory peak at the month's end).
    private long _changes;
    private (long Changes, long Offset, int Entries)? _stored;
    private readonly Dictionary<PeerId, (DateTimeOffset Until, string Reason)> _bans = new();
    private readonly HashSet<Address> _syncRequested = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SelectorStartup _startup = new();
    private readonly SelectorFeedSubscribers _feed = new();
    private Cluster? _cluster;
    private IActorRef? _checkpoint;
    private StrongBox<bool>? _alive;
    private IMaterializer? _materializer;

    /// <summary>Creates the selector.</summary>
    /// <param name="options">Settings (validated).</param>
    /// <param name="time">Clock for queries without <c>now</c>.</param>
    /// <param name="peerRegion">Resolves the peer shard region for the journal bootstrap (null result = not available).</param>
    public SelectorActor(SelectorOptions options, TimeProvider time, Func<IActorRef?> peerRegion)
    {
        _options = options.Validate();
        _index = new PeerRankingIndex(throughput: _options.Throughput);
        _time = time;
        _peerRegion = peerRegion;

        Receive<PeerScoreInputs>(Apply);
        Receive<PeerScoreInputsBatch>(b =>
        {
            foreach (var m in b.Updates) Apply(m);
        });
        Receive<SelectPeers>(Select);
        Receive<GetSelectionSummary>(m =>
        {
            var now = m.Now ?? _time.GetUtcNow();
            Sender.Tell(new SelectionSummaryReply(_index.Summary(now), now));
        });
        Receive<GetBans>(m =>
        {
            var now = m.Now ?? _time.GetUtcNow();
            Sender.Tell(new BansReply(_bans
                .Where(kv => m.IncludeExpired || now < kv.Value.Until)
                .OrderBy(kv => kv.Key.Value, StringComparer.Ordinal)
                .Select(kv => new BanEntry(kv.Key.Value, kv.Value.Until, kv.Value.Reason, now < kv.Value.Until))
                .ToArray(), now));
        });
        Receive<GetTrackedPeers>(_ => Sender.Tell(new TrackedPeersReply(
            _index.Entries().Select(e => e.State.PeerId.Value).Order(StringComparer.Ordinal).ToArray())));
        Receive<SubscribeSelectorFeed>(Subscribe);
        Receive<SelectorSyncRequest>(AnswerSync);
        Receive<SelectorSyncChunk>(m =>
        {
            foreach (var e in m.Entries) Apply(e);
            if (m.Last) _log.Debug("selector sync {0} from {1} complete ({2} chunks)", m.RequestId, Sender.Path.Address, m.Sequence + 1);
        });
        Receive<ClusterEvent.MemberUp>(m => RequestSync(m.Member));
        Receive<BootstrapFromJournal>(_ => RunJournalBootstrap(Sender));
        Receive<JournalBootstrapDone>(m =>
        {
            if (m.Error is null) _log.Info("selector journal bootstrap woke {0} peers", m.PeersWoken);
            else _log.Warning("selector journal bootstrap: {0} (woke {1} peers)", m.Error, m.PeersWoken);
        });
        Receive<GetSelectorBootstrapStatus>(_ => Sender.Tell(_startup.Status()));
        Receive<SaveSelectorSnapshot>(_ => SaveSnapshot(Sender));
        Receive<SubscribeAck>(_ => { });

        // Start-up side protocol (snapshot + catch-up, or full wake); internal messages only.
        Receive<CheckpointLoaded>(OnCheckpointLoaded);
        Receive<ApplySnapshotChunk>(ApplyChunk);
        Receive<StartupWakeFinished>(OnStartupWakeFinished);
        Receive<SaveSelectorSnapshotAtMark>(_ => SaveSnapshotAtMark(Sender));
        Receive<CheckpointMarked>(m =>
        {
            if (m.SafeNowFor is not { } replyTo) _startup.OnMark(m.Offset);
            else if (_startup.OnMarkSafeNow(m.Offset)) SaveSnapshot(replyTo);
            else replyTo.Tell(new SelectorSnapshotSaved(0, 0, "the selector's start-up is not complete"));
        });
        Receive<CheckpointMarkUnread>(m => m.ReplyTo.Tell(new SelectorSnapshotSaved(0, 0, "the checkpoint mark could not be written or read back")));
        Receive<SnapshotTick>(_ =>
        {
            _startup.PromotePendingMark();
            SaveSnapshot(null);
            if (_startup.Complete) _checkpoint?.Tell(WriteCheckpointMark.Instance);
        });
        Receive<CheckpointSaved>(m =>
        {
            if (m.Error is null) _log.Debug("selector snapshot saved: {0} peers, offset {1}", m.Entries, m.Offset);
            // A failed save leaves the stored snapshot unknown: the next save goes ahead whatever changed.
            _stored = m.Error is null ? (m.Changes, m.Offset, m.Entries) : null;
            m.ReplyTo?.Tell(new SelectorSnapshotSaved(m.Error is null ? m.Entries : 0, m.Offset, m.Error));
        });
        Receive<Terminated>(t =>
        {
            if (_feed.Remove(t.ActorRef) || !t.ActorRef.Equals(_checkpoint)) return;
            _checkpoint = null;
            _log.Warning("selector checkpoint helper stopped (journal or snapshot store failure); running without snapshots");
            if (!_startup.Loaded) OnCheckpointLoaded(new CheckpointLoaded(null, null));
        });
    }

    /// <summary>Props of the selector.</summary>
    /// <param name="options">Settings.</param>
    /// <param name="time">Clock; null = <see cref="TimeProvider.System"/>.</param>
    /// <param name="peerRegion">Resolves the peer shard region (journal bootstrap); null = none.</param>
    /// <returns>The props.</returns>
    public static Props Props(SelectorOptions options, TimeProvider? time = null, Func<IActorRef?>? peerRegion = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Akka.Actor.Props.Create(() => new SelectorActor(options, time ?? TimeProvider.System, peerRegion ?? (() => null)));
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        // Local consumers (the limit actors' root) get the updates relayed from here instead of subscribing to the topic.
        Context.System.EventStream.Subscribe(Self, typeof(SubscribeSelectorFeed));
        Context.System.EventStream.Publish(new SelectorFeedAvailable(Self));
        if (((ExtendedActorSystem)Context.System).Provider is IClusterActorRefProvider)
        {
            DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(PeerScoreInputs.Topic, Self));
            if (_options.SyncOnStart)
            {
                _cluster = Cluster.Get(Context.System);
                _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));
            }
        }
        if (_options.SnapshotInterval is { } interval)
        {
            // The start-up continues when the helper has recovered the snapshot (CheckpointLoaded).
            _checkpoint = Context.Watch(Context.ActorOf(SelectorCheckpointActor.Props(SnapshotPersistenceId(), _options), "checkpoint"));
            Timers.StartPeriodicTimer("snapshot", SnapshotTick.Instance, interval);
            RegisterShutdownSave();
        }
        else if (_options.BootstrapFromJournal)
        {
            _startup.StartFullWake();
            RunStartupWake(journal => SelectorJournalWake.AllPeers((ICurrentPersistenceIdsQuery)journal, _options.PersistenceIdPrefix));
        }
    }

    /// <summary>Timer scheduler (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    private IMaterializer Materializer => _materializer ??= Context.Materializer();

    /// <inheritdoc />
    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        if (_alive is not null) _alive.Value = false;
        _cluster?.Unsubscribe(Self);
    }

    private string SnapshotPersistenceId()
    {
        if (_options.SnapshotPersistenceId is { } pid) return pid;
        var address = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress;
        return address.Host is { } host ? $"{_options.ActorName}@{host}:{address.Port}" : _options.ActorName;
    }

    /// <summary>Saves the snapshot when the node shuts down (the peers' hand-off flushes are in by then).</summary>
    private void RegisterShutdownSave()
    {
        var self = Self;
        var alive = _alive = new StrongBox<bool>(true);
        var shutdown = CoordinatedShutdown.Get(Context.System);
        var phase = CoordinatedShutdown.PhaseBeforeActorSystemTerminate;
        var timeout = shutdown.Timeout(phase) - TimeSpan.FromMilliseconds(500);
        if (timeout <= TimeSpan.Zero) timeout = TimeSpan.FromSeconds(1);
        shutdown.AddTask(phase, "peeractors-selector-snapshot", async () =>
        {
            if (!alive.Value) return Done.Instance;
            try
            {
                await self.Ask<SelectorSnapshotSaved>(SaveSelectorSnapshot.Instance, timeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                // Best effort: the previous snapshot plus a longer catch-up is still correct.
            }
            return Done.Instance;
        });
    }

    // ------------------------------------------------------------------ start-up: snapshot + catch-up, or full wake

    private void OnCheckpointLoaded(CheckpointLoaded m)
    {
        if (_startup.Loaded) return;
        _startup.OnLoaded(m.Snapshot, m.MarkOffset);
        if (m.MarkOffset is null && _checkpoint is not null)
            _log.Warning("selector: journal offsets cannot be read from '{0}'; snapshots are not saved", _options.ReadJournalPluginId);
        if (m.Snapshot is { } snapshot)
        {
            _log.Info("selector loaded its snapshot: {0} peers, {1} forgotten, offset {2} (saved {3:O})",
                snapshot.Entries.Count, snapshot.Forgotten.Count, snapshot.Offset, snapshot.SavedAt);
            Self.Tell(new ApplySnapshotChunk(snapshot, 0));
            return;
        }
        if (_options.BootstrapFromJournal)
        {
            _startup.StartFullWake();
            RunStartupWake(journal => SelectorJournalWake.AllPeers((ICurrentPersistenceIdsQuery)journal, _options.PersistenceIdPrefix));
        }
        else _startup.Finish(error: null);
    }

    /// <summary>Applies one chunk of the loaded snapshot (version rules as for live updates), then the next, then catches up.</summary>
    private void ApplyChunk(ApplySnapshotChunk m)
    {
        var s = m.Snapshot;
        if (m.From == 0)
        {
            foreach (var t in s.Forgotten)
            {
                if (!PeerId.TryParse(t.PeerId, out var id) || (KnownVersion(id) is { } known && t.Version < known)) continue;
                _index.Remove(id);
                _tombstones[id] = t.Version;
                _bans.Remove(id);
                _changes++;
            }
        }
        var end = Math.Min(s.Entries.Count, m.From + _options.SnapshotApplyChunkSize);
        for (var i = m.From; i < end; i++) Apply(s.Entries[i]);
        if (end < s.Entries.Count)
        {
            Self.Tell(m with { From = end });
            return;
        }
        if (!_options.BootstrapFromJournal)
        {
            _startup.Finish(error: null);
            return;
        }
        _startup.StartCatchUp();
        RunStartupWake(journal => SelectorJournalWake.ChangedSince((ICurrentAllEventsQuery)journal, s.Offset, _options.PersistenceIdPrefix));
    }

    private void RunStartupWake(Func<IReadJournal, Source<string, NotUsed>> peers)
    {
        var region = _peerRegion();
        if (region is null)
        {
            Self.Tell(new StartupWakeFinished("no peer shard region is registered (WithPeerActors)"));
            return;
        }
        Source<string, NotUsed> source;
        try
        {
            source = peers(PersistenceQuery.Get(Context.System).ReadJournalFor<IReadJournal>(_options.ReadJournalPluginId));
        }
        catch (Exception e)
        {
            Self.Tell(new StartupWakeFinished($"no usable read journal '{_options.ReadJournalPluginId}': {e.Message}"));
            return;
        }
        SelectorJournalWake.Run(source, region, _options, Materializer, _startup.Woken)
            .PipeTo(Self, success: () => new StartupWakeFinished(null), failure: e => new StartupWakeFinished(e.GetBaseException().Message));
    }

    private void OnStartupWakeFinished(StartupWakeFinished m)
    {
        if (m.Error is not null && _startup.Source == SelectorStartup.FromSnapshot && !_startup.CatchUpFailedOnce)
        {
            // E.g. an event after the offset that no longer deserializes: wake everything rather than miss changes.
            _log.Warning("selector catch-up from offset {0} failed ({1}); waking every peer of the journal", _startup.SnapshotOffset, m.Error);
            _startup.CatchUpFailed();
            RunStartupWake(journal => SelectorJournalWake.AllPeers((ICurrentPersistenceIdsQuery)journal, _options.PersistenceIdPrefix));
            return;
        }
        _startup.Finish(m.Error);
        if (m.Error is null)
            _log.Info("selector start-up ({0}) complete: {1} peers tracked, {2} peer actors woken", _startup.Source, _index.Count, _startup.Woken.Value);
        else
            _log.Warning("selector start-up ({0}) stopped: {1} ({2} peer actors woken)", _startup.Source, m.Error, _startup.Woken.Value);
    }

    /// <summary><see cref="SaveSelectorSnapshotAtMark"/>: a mark now, safe at once, then a snapshot up to it.</summary>
    private void SaveSnapshotAtMark(IActorRef replyTo)
    {
        string? why = _checkpoint is null ? "selector snapshots are off (or the checkpoint helper stopped)"
            : !_startup.Complete ? "the selector's start-up is not complete yet"
            : null;
        if (why is not null)
        {
            if (!replyTo.IsNobody()) replyTo.Tell(new SelectorSnapshotSaved(0, 0, why));
            return;
        }
        _checkpoint!.Tell(new WriteCheckpointMark(replyTo));
    }

    private void SaveSnapshot(IActorRef? replyTo)
    {
        string? why = _checkpoint is null ? "selector snapshots are off (or the checkpoint helper stopped)"
            : _startup.SafeOffset is null ? "the selector's start-up is not complete yet"
            : null;
        if (why is not null)
        {
            if (replyTo is not null && !replyTo.IsNobody()) replyTo.Tell(new SelectorSnapshotSaved(0, 0, why));
            return;
        }
        var offset = _startup.SafeOffset!.Value;
        if (_stored is { } stored && stored.Changes == _changes && stored.Offset == offset)
        {
            // The stored snapshot is current: the answer is the one its save gave.
            if (replyTo is not null && !replyTo.IsNobody()) replyTo.Tell(new SelectorSnapshotSaved(stored.Entries, stored.Offset, null));
            return;
        }
        _checkpoint!.Tell(new SaveCheckpoint(BuildSnapshot(offset), replyTo, _changes));
    }

    private void Subscribe(SubscribeSelectorFeed m)
    {
        if (_feed.Add(m)) Context.Watch(m.Subscriber);
        var inputs = new List<PeerScoreInputs>(m.BansOnly ? _bans.Count : _index.Count);
        foreach (var e in _index.Entries())
            if (!m.BansOnly || _bans.ContainsKey(e.State.PeerId))
                inputs.Add(CurrentInputs(e));
        m.Subscriber.Tell(new SelectorFeedSnapshot(inputs));
    }

    private SelectorSnapshot BuildSnapshot(long offset)
    {
        var entries = new List<PeerScoreInputs>(_index.Count);
        foreach (var e in _index.Entries()) entries.Add(CurrentInputs(e));
        var forgotten = new List<SelectorTombstone>(_tombstones.Count);
        foreach (var (id, version) in _tombstones) forgotten.Add(new SelectorTombstone(id.Value, version));
        return new SelectorSnapshot(offset, _time.GetUtcNow(), entries, forgotten);
    }

    private PeerScoreInputs CurrentInputs(PeerEntry e)
    {
        var ban = _bans.TryGetValue(e.State.PeerId, out var b) ? b : ((DateTimeOffset Until, string Reason)?)null;
        _index.TryGetVersion(e.State.PeerId, out var version);
        return new PeerScoreInputs(e.State, version,
            e.Tags.Protocols.Order(StringComparer.Ordinal).ToArray(), e.Tags.Services.Order(StringComparer.Ordinal).ToArray(),
            BannedUntil: ban?.Until, BanReason: ban?.Reason);
    }

    private void Apply(PeerScoreInputs m)
    {
        if (m?.Stats is null) return;
        var id = m.Stats.PeerId;
        if (KnownVersion(id) is { } known && m.Version < known) return;
        try
        {
            if (m.Forgotten)
            {
                _index.Remove(id);
                _tombstones[id] = m.Version;
            }
            else
            {
                _index.Upsert(m.Stats, PeerTags.Of(m.Protocols, m.Services), m.BannedUntil, m.Version);
                _tombstones.Remove(id);
            }
        }
        catch (InvalidInputException e)
        {
            _log.Warning("selector ignored invalid score inputs of {0}: {1}", id, e.Message);
            return;
        }
        _changes++;
        bool hadBan;
        if (m.BannedUntil is { } until && !m.Forgotten)
        {
            hadBan = _bans.ContainsKey(id);
            _bans[id] = (until, m.BanReason ?? "");
        }
        else hadBan = _bans.Remove(id);
        if (!_feed.IsEmpty) _feed.Relay(m, hadBan, Self);
        if (_options.PublishAppliedEvents)
            Context.System.EventStream.Publish(new ScoreInputsApplied(id.Value, m.Version, m.Forgotten));
        if (_options.Retention is { } retention) DropInactive(retention);
    }

    /// <summary>The version known for a peer: its tracked inputs', or its tombstone's; null when never seen (or dropped as inactive).</summary>
    private long? KnownVersion(PeerId id) =>
        _index.TryGetVersion(id, out var v) ? v : _tombstones.TryGetValue(id, out var t) ? t : null;

    /// <summary>
    /// <see cref="SelectorOptions.Retention"/>: drops the peers inactive for longer than the window, measured on the index's
    /// activity clock (the latest activity among all inputs, never later than the selector's wall clock). The sweep is
    /// O(n), so it runs only once that clock has moved by 1/16 of the window (a peer is dropped at most 1/16 of the window late).
    /// </summary>
    private void DropInactive(TimeSpan retention)
    {
        // Activity stamped in the future (a client's skewed clock) must not age every other peer out: the clock stops at now.
        var clock = Math.Min(_index.LatestActivityTicks, _time.GetUtcNow().UtcTicks);
        if (clock == long.MinValue) return;
        if (_lastRetentionSweep != long.MinValue && clock - _lastRetentionSweep < retention.Ticks / 16) return;
        _lastRetentionSweep = clock;
        var cutoff = clock - retention.Ticks;
        if (cutoff < DateTimeOffset.MinValue.UtcTicks) return;
        var dropped = _index.RemoveInactive(new DateTimeOffset(cutoff, TimeSpan.Zero));
        if (dropped.Count == 0) return;
        foreach (var id in dropped) _bans.Remove(id);
        _changes++;
        _log.Debug("selector dropped {0} peers inactive since before {1:u} (retention {2}); {3} tracked", dropped.Count,
            new DateTimeOffset(cutoff, TimeSpan.Zero), retention, _index.Count);
    }

    private void Select(SelectPeers m)
    {
        SelectionQuery q;
        try
        {
            q = m.ToQuery();
        }
        catch (InvalidInputException e)
        {
            Sender.Tell(new SelectorRejected(e.Field, e.Message));
            return;
        }
        var now = m.Now ?? _time.GetUtcNow();
        var result = _index.Select(q, now);
        Sender.Tell(SelectPeersReply.From(result, _index.Count, now));
    }

    private void AnswerSync(SelectorSyncRequest m)
    {
        if (Sender.Equals(Self) || Sender.IsNobody()) return;
        var chunk = new List<PeerScoreInputs>(_options.SyncChunkSize);
        var seq = 0;
        foreach (var e in _index.Entries())
        {
            chunk.Add(CurrentInputs(e));
            if (chunk.Count == _options.SyncChunkSize)
            {
                Sender.Tell(new SelectorSyncChunk(m.RequestId, seq++, chunk.ToArray(), false));
                chunk.Clear();
            }
        }
        Sender.Tell(new SelectorSyncChunk(m.RequestId, seq, chunk.ToArray(), true));
    }

    private void RequestSync(Member member)
    {
        if (_cluster is null || member.Address.Equals(_cluster.SelfAddress)) return;
        if (_options.Role is { } role && !member.HasRole(role)) return;
        if (!_syncRequested.Add(member.Address)) return;
        var path = new RootActorPath(member.Address) / "user" / _options.ActorName;
        Context.ActorSelection(path).Tell(new SelectorSyncRequest(Guid.NewGuid()), Self);
    }

    /// <summary>The on-demand journal bootstrap (<see cref="BootstrapFromJournal"/>): every peer of the journal, bounded as at start-up.</summary>
    private void RunJournalBootstrap(IActorRef replyTo)
    {
        var region = _peerRegion();
        if (region is null)
        {
            replyTo.Tell(new JournalBootstrapDone(0, "no peer shard region is registered (WithPeerActors)"));
            return;
        }
        ICurrentPersistenceIdsQuery journal;
        try
        {
            journal = PersistenceQuery.Get(Context.System).ReadJournalFor<ICurrentPersistenceIdsQuery>(_options.ReadJournalPluginId);
        }
        catch (Exception e)
        {
            replyTo.Tell(new JournalBootstrapDone(0, $"no read journal '{_options.ReadJournalPluginId}': {e.Message}"));
            return;
        }
        var woken = new WakeCounter();
        SelectorJournalWake.Run(SelectorJournalWake.AllPeers(journal, _options.PersistenceIdPrefix), region, _options, Materializer, woken)
            .PipeTo(replyTo,
                success: () => new JournalBootstrapDone(woken.Value, null),
                failure: e => new JournalBootstrapDone(woken.Value, e.GetBaseException().Message));
    }

    private sealed record ApplySnapshotChunk(SelectorSnapshot Snapshot, int From);

    private sealed record StartupWakeFinished(string? Error);

    private sealed class SnapshotTick
    {
        public static readonly SnapshotTick Instance = new();
    }
}
