namespace PeerActors.Core.Selection;

/// <summary>
/// One shared <see cref="PeerTags"/> instance per distinct content (protocols and services, compared ordinally as sets),
/// counted by its users. The selector receives a new tags object with every update of every peer, while the distinct
/// tag sets are few (a replay: one protocol and one service for every peer); keeping each peer's own copy cost about
/// 430 bytes per peer (two hash sets) for every peer the index ever saw. Not thread-safe: its index owns it.
/// </summary>
internal sealed class PeerTagsPool
{
    private sealed class Shared(PeerTags tags)
    {
        public readonly PeerTags Tags = tags;
        public int Users;
    }

    private readonly Dictionary<PeerTags, Shared> _pool = new(ContentComparer.Instance);

    /// <summary>Distinct non-empty tag sets in use.</summary>
    public int Count => _pool.Count;

    /// <summary>
    /// The shared instance equal in content to <paramref name="tags"/> (a private copy when first seen, so a caller
    /// mutating its own sets later cannot change another peer's tags); <see cref="PeerTags.Empty"/> for empty tags
    /// (not counted). Pair every call with one <see cref="Release"/> of the returned instance.
    /// </summary>
    public PeerTags Acquire(PeerTags tags)
    {
        if (tags.Protocols.Count == 0 && tags.Services.Count == 0) return PeerTags.Empty;
        if (!_pool.TryGetValue(tags, out var shared))
        {
            var copy = PeerTags.Of(tags.Protocols, tags.Services);
            _pool.Add(copy, shared = new Shared(copy));
        }
        shared.Users++;
        return shared.Tags;
    }

    /// <summary>Gives back an instance returned by <see cref="Acquire"/>; forgets it with its last user.</summary>
    public void Release(PeerTags tags)
    {
        if (!_pool.TryGetValue(tags, out var shared) || !ReferenceEquals(shared.Tags, tags)) return;
        if (--shared.Users == 0) _pool.Remove(tags);
    }

    /// <summary>Set equality of both sets; the hash is order-independent (a sum of ordinal string hashes).</summary>
    private sealed class ContentComparer : IEqualityComparer<PeerTags>
    {
        public static readonly ContentComparer Instance = new();

        public bool Equals(PeerTags? a, PeerTags? b) =>
            ReferenceEquals(a, b) || (a is not null && b is not null
                && a.Protocols.Count == b.Protocols.Count && a.Services.Count == b.Services.Count
                && a.Protocols.SetEquals(b.Protocols) && a.Services.SetEquals(b.Services));

        public int GetHashCode(PeerTags t)
        {
            int p = 0, s = 0;
            foreach (var x in t.Protocols) p += StringComparer.Ordinal.GetHashCode(x);
            foreach (var x in t.Services) s += StringComparer.Ordinal.GetHashCode(x);
            return HashCode.Combine(p, s, t.Protocols.Count, t.Services.Count);
        }
    }
}
