using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using PeerActors.Delivery;
using PeerActors.Peers;

namespace PeerActors.Node.Replay;

/// <summary>
/// <see cref="IReplayPeers"/> over the peer actors: observations and critical commands through the reliable-delivery
/// producer (kept and resent until persisted, so a rebalance, a node leaving or a node crash loses nothing), queries to
/// the shard region (or proxy), asked again while a shard re-homes. With an
/// ActorSystem it is also an <see cref="IReplayJournalIndex"/>: one Akka.Persistence.Query <c>CurrentPersistenceIds</c>
/// on the read journal lists the peers with history, so the pre-replay check wakes only those peer actors.
/// </summary>
public sealed class ShardRegionReplayPeers : IReplayPeers, IReplayJournalIndex
{
    /// <summary>The SQL read journal (Akka.Persistence.Sql), as used by the selector's journal bootstrap.</summary>
    public const string DefaultReadJournalPluginId = "akka.persistence.query.journal.sql";

    /// <summary>Persistence-id prefix of the peer actors (<c>peer-&lt;id&gt;</c>, PeerActor).</summary>
    public const string PeerPersistenceIdPrefix = "peer-";

    private static readonly TimeSpan QueryAttempt = TimeSpan.FromSeconds(5);
    private readonly IActorRef _region;
    private readonly IActorRef _producer;
    private readonly TimeSpan _askTimeout;
    private readonly ActorSystem? _system;
    private readonly string _readJournalPluginId;

    /// <summary>Creates the target.</summary>
    /// <param name="region">The peer shard region.</param>
    /// <param name="producer">The reliable-delivery producer (<c>PeerDeliveryKey</c>); null = tell the region directly (no resend).</param>
    /// <param name="askTimeout">Deadline of every Ask (default 60 s: a barrier may wait behind a long mailbox).</param>
    /// <param name="system">The node's ActorSystem for the journal index, or null (then <see cref="PeersWithHistoryAsync"/> throws <see cref="NotSupportedException"/>).</param>
    /// <param name="readJournalPluginId">HOCON path of the read journal (default <see cref="DefaultReadJournalPluginId"/>).</param>
    public ShardRegionReplayPeers(IActorRef region, IActorRef? producer = null, TimeSpan? askTimeout = null, ActorSystem? system = null,
        string? readJournalPluginId = null)
    {
        _region = region ?? throw new ArgumentNullException(nameof(region));
        _producer = producer ?? region;
        _askTimeout = askTimeout ?? TimeSpan.FromSeconds(60);
        _system = system;
        _readJournalPluginId = readJournalPluginId ?? DefaultReadJournalPluginId;
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Created without an ActorSystem, or the read journal does not support <c>CurrentPersistenceIds</c>.</exception>
    public async Task<IReadOnlySet<string>> PeersWithHistoryAsync(CancellationToken ct)
    {
        if (_system is null) throw new NotSupportedException("no ActorSystem: the journal cannot be queried");
        var journal = PersistenceQuery.Get(_system).ReadJournalFor<ICurrentPersistenceIdsQuery>(_readJournalPluginId)
            ?? throw new NotSupportedException($"read journal '{_readJournalPluginId}' has no CurrentPersistenceIds query");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await journal.CurrentPersistenceIds()
            .Where(pid => pid.StartsWith(PeerPersistenceIdPrefix, StringComparison.Ordinal) && pid.Length > PeerPersistenceIdPrefix.Length)
            .RunForeach(pid => ids.Add(pid[PeerPersistenceIdPrefix.Length..]), _system.Materializer())
            .WaitAsync(ct).ConfigureAwait(false);
        return ids;
    }

    /// <inheritdoc/>
    public void AnnounceNewPeers(IReadOnlyCollection<string> peerIds)
    {
        // Only this process's peer actors read the registry; on other members these peers recover as usual.
        if (_system is not null) NewPeerRegistry.Get(_system).Announce(peerIds);
    }

    /// <inheritdoc/>
    public void Tell(IPeerMessage message) => (Reliable(message) ? _producer : _region).Tell(message, ActorRefs.NoSender);

    /// <inheritdoc/>
    public async Task<object> AskAsync(IPeerMessage message, CancellationToken ct)
    {
        if (Reliable(message)) return await _producer.Ask<object>(message, _askTimeout, ct).ConfigureAwait(false);
        // Queries are idempotent: one lost with a dying node is asked again until the deadline.
        var deadline = DateTime.UtcNow + _askTimeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            try
            {
                return await _region.Ask<object>(message, left < QueryAttempt ? left : QueryAttempt, ct).ConfigureAwait(false);
            }
            catch (AskTimeoutException) when (DateTime.UtcNow + TimeSpan.FromMilliseconds(50) < deadline)
            {
            }
        }
    }

    /// <inheritdoc/>
    public async Task DrainAsync(long maxUnconfirmed, CancellationToken ct)
    {
        if (ReferenceEquals(_producer, _region)) return;
        // No deadline of its own: the producer keeps resending until each peer has persisted its items.
        await _producer.Ask<DeliveryDrained>(new AwaitDrained(maxUnconfirmed), Timeout.InfiniteTimeSpan, ct).ConfigureAwait(false);
    }

    /// <summary>The reliable-delivery producer's counters, or null when messages go to the region directly.</summary>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The counters.</returns>
    public async Task<DeliveryStats?> DeliveryStatsAsync(CancellationToken ct)
    {
        if (ReferenceEquals(_producer, _region)) return null;
        return await _producer.Ask<DeliveryStats>(GetDeliveryStats.Instance, _askTimeout, ct).ConfigureAwait(false);
    }

    private bool Reliable(IPeerMessage message) => message is IPeerObservation and not Forget && !ReferenceEquals(_producer, _region);
}
