using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using PeerActors.Core.Identity;
using PeerActors.Core.Selection;
using PeerActors.Core.Validation;

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
/// (<c>/user/{ActorName}</c>) and merges the <see cref="SelectorSyncChunk"/>s by version. (b)
/// <see cref="SelectorOptions.BootstrapFromJournal"/>: lists persistence ids with Akka.Persistence.Query
/// <c>CurrentPersistenceIds</c> and sends <see cref="PublishScoreInputs"/> to each peer through the peer
/// shard region (throttled), so peers that are not awake publish too.</para>
/// <para><b>Time.</b> A query without <c>now</c> uses the injected <see cref="TimeProvider"/>.</para>
/// </remarks>
public sealed class SelectorActor : ReceiveActor
{
    private readonly SelectorOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<IActorRef?> _peerRegion;
    private readonly PeerRankingIndex _index;
    private readonly Dictionary<PeerId, long> _versions = new();
    private readonly Dictionary<PeerId, (DateTimeOffset Until, string Reason)> _bans = new();
    private readonly HashSet<Address> _syncRequested = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private Cluster? _cluster;

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
        Receive<SubscribeAck>(_ => { });
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
        if (((ExtendedActorSystem)Context.System).Provider is IClusterActorRefProvider)
        {
            DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(PeerScoreInputs.Topic, Self));
            if (_options.SyncOnStart)
            {
                _cluster = Cluster.Get(Context.System);
                _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));
            }
        }
        if (_options.BootstrapFromJournal) Self.Tell(BootstrapFromJournal.Instance, Self);
    }

    /// <inheritdoc />
    protected override void PostStop() => _cluster?.Unsubscribe(Self);

    private void Apply(PeerScoreInputs m)
    {
        if (m?.Stats is null) return;
        var id = m.Stats.PeerId;
        if (_versions.TryGetValue(id, out var known) && m.Version < known) return;
        try
        {
            if (m.Forgotten) _index.Remove(id);
            else _index.Upsert(m.Stats, PeerTags.Of(m.Protocols, m.Services), m.BannedUntil);
        }
        catch (InvalidInputException e)
        {
            _log.Warning("selector ignored invalid score inputs of {0}: {1}", id, e.Message);
            return;
        }
        _versions[id] = m.Version;
        if (m.BannedUntil is { } until && !m.Forgotten) _bans[id] = (until, m.BanReason ?? "");
        else _bans.Remove(id);
        if (_options.PublishAppliedEvents)
            Context.System.EventStream.Publish(new ScoreInputsApplied(id.Value, m.Version, m.Forgotten));
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
            var ban = _bans.TryGetValue(e.State.PeerId, out var b) ? b : ((DateTimeOffset Until, string Reason)?)null;
            chunk.Add(new PeerScoreInputs(e.State, _versions.GetValueOrDefault(e.State.PeerId),
                e.Tags.Protocols.Order(StringComparer.Ordinal).ToArray(), e.Tags.Services.Order(StringComparer.Ordinal).ToArray(),
                BannedUntil: ban?.Until, BanReason: ban?.Reason));
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
        var woken = 0;
        var prefix = _options.PersistenceIdPrefix;
        var rate = _options.BootstrapWakeRate;
        journal.CurrentPersistenceIds()
            .Where(pid => pid.StartsWith(prefix, StringComparison.Ordinal) && pid.Length > prefix.Length)
            .Select(pid => pid[prefix.Length..])
            .Where(id => PeerId.TryParse(id, out _))
            .Throttle(rate, TimeSpan.FromSeconds(1), rate, ThrottleMode.Shaping)
            .RunForeach(id =>
            {
                region.Tell(new PublishScoreInputs(id), ActorRefs.NoSender);
                Interlocked.Increment(ref woken);
            }, Context.Materializer())
            .PipeTo(replyTo,
                success: () => new JournalBootstrapDone(Volatile.Read(ref woken), null),
                failure: e => new JournalBootstrapDone(Volatile.Read(ref woken), e.Message));
    }
}
