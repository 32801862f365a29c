namespace PeerActors.Core.Selection;

/// <summary>Protocols and services a peer is known to serve (used by the query filters).</summary>
public sealed record PeerTags
{
    /// <summary>No known protocol or service.</summary>
    public static PeerTags Empty { get; } = new();

    /// <summary>Protocol ids (e.g. <c>/ipfs/bitswap/1.2.0</c>), compared ordinally.</summary>
    public IReadOnlySet<string> Protocols { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Service names, compared ordinally.</summary>
    public IReadOnlySet<string> Services { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Builds tags from protocol and service lists.</summary>
    public static PeerTags Of(IEnumerable<string>? protocols = null, IEnumerable<string>? services = null) => new()
    {
        Protocols = new HashSet<string>(protocols ?? [], StringComparer.Ordinal),
        Services = new HashSet<string>(services ?? [], StringComparer.Ordinal),
    };
}

/// <summary>One tracked peer as the selector sees it: its latest stats, its tags and its ban.</summary>
/// <param name="State">Latest score inputs.</param>
/// <param name="Tags">Protocols/services it serves; <see cref="PeerTags.Empty"/> when unknown.</param>
/// <param name="BannedUntil">End of an explicit ban (see <c>Bans.PeerBan</c>): the peer is excluded from every strategy,
/// including the backed-off fallback, at any <c>now</c> before it; null = not banned.</param>
public sealed record PeerEntry(PeerStatsState State, PeerTags Tags, DateTimeOffset? BannedUntil = null)
{
    /// <summary>An entry with no tags.</summary>
    public PeerEntry(PeerStatsState state) : this(state, PeerTags.Empty) { }
}
