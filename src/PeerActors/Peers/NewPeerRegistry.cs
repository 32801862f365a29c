using Akka.Persistence;
using System.Collections.Concurrent;

namespace PeerActors.Peers;

/// <summary>
/// Peers known to have nothing in the journal, announced by whoever checked (a replay, against its one
/// <c>CurrentPersistenceIds</c> query), so that their first <see cref="PeerActor"/> skips the snapshot load of its
/// recovery. One per ActorSystem (<see cref="Get"/>); each announcement is taken by the first incarnation of that peer in
/// this process, so a peer passivated and started again recovers as usual.
/// </summary>
/// <remarks>
/// <para>Why: a replay of real traffic meets about 10,000 new peers a day, and each recovery asked the snapshot store for a
/// snapshot that did not exist. Akka.Persistence.Sql runs every snapshot query inside the snapshot store's one actor
/// (Microsoft.Data.Sqlite does no asynchronous I/O), so these loads queued in front of the snapshot saves of stopping
/// peers. With <see cref="SnapshotSelectionCriteria.None"/> Akka's snapshot store answers without a query; the journal
/// still reads the highest sequence number, so a wrong announcement cannot reuse a sequence number.</para>
/// <para>Announce only peers whose persistence id is absent from the journal: a peer with stored events and its
/// snapshot skipped would recover without the history the snapshot covers. <see cref="PeerActor"/> fails such a recovery
/// (an event replayed while announced as new) instead of running on a partial state.</para>
/// </remarks>
public sealed class NewPeerRegistry : IExtension
{
    // Replaced by a fresh (small) dictionary once every announcement is taken: a ConcurrentDictionary never shrinks its
    // bucket array, and a replay's announcements (every new peer of its input, 2.6 MB at 160,000 peers) would otherwise be
    // held for the rest of the process.
    private volatile ConcurrentDictionary<string, byte> _announced = new(StringComparer.Ordinal);
    // Announcements not taken yet, counted here because the dictionary's own IsEmpty and Count take every lock when the
    // dictionary is empty (and Count always): asking them on each peer start would serialize the starts. Never below the
    // dictionary's count: Announce counts before adding, TryTake after removing.
    private int _pending;
    // Held by Announce and by the swap, so that no announcement is added to a dictionary that is being replaced.
    private readonly object _swap = new();

    /// <summary>The registry of <paramref name="system"/>.</summary>
    /// <param name="system">The ActorSystem.</param>
    /// <returns>Its registry (created on first use).</returns>
    public static NewPeerRegistry Get(ActorSystem system) => system.WithExtension<NewPeerRegistry, NewPeerRegistryProvider>();

    /// <summary>Announces peers (entity ids = peer ids) that have no persistence id in the journal.</summary>
    /// <param name="peerIds">The peer ids.</param>
    public void Announce(IEnumerable<string> peerIds)
    {
        ArgumentNullException.ThrowIfNull(peerIds);
        lock (_swap)
        {
            var announced = _announced;
            foreach (var id in peerIds)
            {
                Interlocked.Increment(ref _pending);
                if (!announced.TryAdd(id, 0)) Interlocked.Decrement(ref _pending);
            }
        }
    }

    /// <summary>Removes <paramref name="peerId"/>'s announcement.</summary>
    /// <param name="peerId">The peer id.</param>
    /// <returns>Whether it was announced (and not taken yet).</returns>
    public bool TryTake(string peerId)
    {
        if (!_announced.TryRemove(peerId, out _)) return false;
        if (Interlocked.Decrement(ref _pending) == 0) ReleaseIfEmpty();
        return true;
    }

    /// <summary>Swaps in a fresh dictionary when no announcement is pending (checked again under the lock: one may have come since).</summary>
    private void ReleaseIfEmpty()
    {
        lock (_swap)
        {
            // No Announce runs now, and the count is never below the dictionary's: 0 means it is empty.
            if (Volatile.Read(ref _pending) == 0) _announced = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        }
    }

    /// <summary>Announcements not taken yet.</summary>
    public int Pending => _announced.Count;

    /// <summary>The dictionary now in use (tests: it is replaced once emptied).</summary>
    internal object Store => _announced;

    private sealed class NewPeerRegistryProvider : ExtensionIdProvider<NewPeerRegistry>
    {
        public override NewPeerRegistry CreateExtension(ExtendedActorSystem system) => new();
    }
}
