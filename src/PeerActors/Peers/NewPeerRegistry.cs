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
    private readonly ConcurrentDictionary<string, byte> _announced = new(StringComparer.Ordinal);

    /// <summary>The registry of <paramref name="system"/>.</summary>
    /// <param name="system">The ActorSystem.</param>
    /// <returns>Its registry (created on first use).</returns>
    public static NewPeerRegistry Get(ActorSystem system) => system.WithExtension<NewPeerRegistry, NewPeerRegistryProvider>();

    /// <summary>Announces peers (entity ids = peer ids) that have no persistence id in the journal.</summary>
    /// <param name="peerIds">The peer ids.</param>
    public void Announce(IEnumerable<string> peerIds)
    {
        ArgumentNullException.ThrowIfNull(peerIds);
        foreach (var id in peerIds) _announced.TryAdd(id, 0);
    }

    /// <summary>Removes <paramref name="peerId"/>'s announcement.</summary>
    /// <param name="peerId">The peer id.</param>
    /// <returns>Whether it was announced (and not taken yet).</returns>
    public bool TryTake(string peerId) => _announced.TryRemove(peerId, out _);

    /// <summary>Announcements not taken yet.</summary>
    public int Pending => _announced.Count;

    private sealed class NewPeerRegistryProvider : ExtensionIdProvider<NewPeerRegistry>
    {
        public override NewPeerRegistry CreateExtension(ExtendedActorSystem system) => new();
    }
}
