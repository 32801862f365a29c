using PeerActors.Core.ResourceManager;

namespace PeerActors.Core.Bans;

/// <summary>
/// The bans known to one consumer (the limit actors' root of a node), fed by the peers' published score inputs:
/// peer id → latest <see cref="PeerBan"/> with the publisher's version, so a late, older update never undoes a newer
/// one. Expired bans are inert (<see cref="Check"/> compares with the caller's observation clock) and are dropped by
/// <see cref="Prune"/>. Not thread-safe: one actor owns it.
/// </summary>
public sealed class BanList
{
    private readonly Dictionary<string, (PeerBan? Ban, long Version)> _bans = new(StringComparer.Ordinal);
    private int _active;

    /// <summary>Peers with a ban record (active or expired, not yet pruned).</summary>
    public int Count => _active;

    /// <summary>
    /// Records the latest ban state of <paramref name="peerId"/> at <paramref name="version"/> (null = not banned).
    /// Ignored when an update with a higher version was already applied. Returns whether it was applied.
    /// </summary>
    public bool Update(string peerId, PeerBan? ban, long version)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        if (_bans.TryGetValue(peerId, out var known) && known.Version > version) return false;
        if (ban is null)
        {
            // A tombstone only where needed (a ban was known): unbanned peers cost nothing.
            if (known.Ban is not null) _active--;
            if (_bans.ContainsKey(peerId)) _bans[peerId] = (null, version);
            return true;
        }

        if (known.Ban is null) _active++;
        _bans[peerId] = (ban, version);
        return true;
    }

    /// <summary>The ban of <paramref name="peerId"/> in force at <paramref name="now"/> (observation clock), or null.</summary>
    public PeerBan? Active(string peerId, DateTimeOffset now) =>
        _active > 0 && _bans.TryGetValue(peerId, out var b) && b.Ban is { } ban && ban.IsActive(now) ? ban : null;

    /// <summary>
    /// The refusal of a reservation of <paramref name="resource"/> for a banned peer at its <c>peer:ID</c> scope
    /// (limit shown as 0, blockAll), or null when the peer is not banned at <paramref name="now"/>. The message names
    /// the ban and its expiry: <c>peer:QmX: cannot reserve inbound stream: peer banned until 2025-03-01T13:00:00Z (spam)</c>.
    /// </summary>
    public ResourceLimitExceededException? Check(string peerId, ResourceKind resource, Direction direction, DateTimeOffset now) =>
        Active(peerId, now) is { } ban ? ResourceLimitExceededException.Banned(peerId, resource, direction, ban) : null;

    /// <summary>Every ban in force at <paramref name="now"/>, by peer id (ordinal).</summary>
    public IReadOnlyList<(string PeerId, PeerBan Ban)> ActiveAt(DateTimeOffset now) =>
        _bans.Where(kv => kv.Value.Ban is { } b && b.IsActive(now))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (kv.Key, kv.Value.Ban!)).ToList();

    /// <summary>Drops bans expired at <paramref name="now"/> (their versions are kept as tombstones).</summary>
    public void Prune(DateTimeOffset now)
    {
        foreach (var (id, (ban, version)) in _bans.ToList())
            if (ban is not null && !ban.IsActive(now))
            {
                _bans[id] = (null, version);
                _active--;
            }
    }
}
