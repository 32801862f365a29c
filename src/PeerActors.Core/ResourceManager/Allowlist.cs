namespace PeerActors.Core.ResourceManager;

/// <summary>One allowlist entry: a network (a single IP is a /32 or /128) optionally restricted to one peer.</summary>
/// <param name="Network">Allowed network.</param>
/// <param name="PeerId">If set, only this peer is allowlisted from <paramref name="Network"/>.</param>
public sealed record AllowlistEntry(IPNetwork Network, string? PeerId)
{
    private static readonly HashSet<string> ValuelessProtocols = new(StringComparer.Ordinal)
    {
        "quic", "quic-v1", "webtransport", "ws", "wss", "tls", "noise", "p2p-circuit", "webrtc", "webrtc-direct",
        "http", "https", "utp", "udt",
    };

    private static readonly HashSet<string> ValuedProtocols = new(StringComparer.Ordinal)
    {
        "tcp", "udp", "dccp", "sctp", "dns", "dns4", "dns6", "dnsaddr", "sni", "certhash", "ip6zone", "http-path",
    };

    /// <summary>
    /// Parses <c>1.2.3.4</c>, <c>10.0.0.0/8</c>, <c>2001:db8::/32</c> (host bits are cleared, like Go's
    /// ParseCIDR), or rcmgr multiaddr forms <c>/ip4/1.2.3.4</c>, <c>/ip4/1.2.3.0/ipcidr/24</c>,
    /// <c>/ip6/2001:db8::/ipcidr/32/p2p/PEER</c> (<c>/ipfs/</c> is accepted for <c>/p2p/</c>; transport parts such
    /// as <c>/tcp/4001</c> are skipped).
    /// </summary>
    /// <exception cref="InvalidInputException">Field <c>allowlist["ENTRY"]</c> when the entry is malformed.</exception>
    public static AllowlistEntry Parse(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        string field = $"allowlist[\"{entry}\"]";
        string s = entry.Trim();
        if (s.Length == 0)
            throw new InvalidInputException(field, "entry is empty");
        return s.StartsWith('/') ? ParseMultiaddr(s, field) : ParsePlain(s, field);
    }

    private static AllowlistEntry ParsePlain(string s, string field)
    {
        int slash = s.IndexOf('/');
        string ipText = slash < 0 ? s : s[..slash];
        if (!IpUtil.TryParseStrict(ipText, out var ip))
            throw new InvalidInputException(field, $"'{ipText}' is not an IP address; expected an IP, a CIDR like 10.0.0.0/8, or a multiaddr like /ip4/1.2.3.4/p2p/PEER");
        ip = IpUtil.Normalize(ip);
        int prefix = slash < 0 ? IpUtil.Bits(ip) : ParsePrefix(s[(slash + 1)..], ip, field);
        return new AllowlistEntry(IpUtil.MakeNetwork(ip, prefix), null);
    }

    private static int ParsePrefix(string text, IPAddress ip, string field)
    {
        int bits = IpUtil.Bits(ip);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p > bits)
            throw new InvalidInputException(field, $"prefix length '{text}' must be a whole number 0–{bits}");
        return p;
    }

    private static AllowlistEntry ParseMultiaddr(string s, string field)
    {
        var parts = s[1..].Split('/');
        IPAddress? ip = null;
        string? cidr = null;
        string? peer = null;
        for (int i = 0; i < parts.Length; i++)
        {
            string proto = parts[i];
            string? Next() => i + 1 < parts.Length && parts[i + 1].Length > 0
                ? parts[++i]
                : throw new InvalidInputException(field, $"multiaddr component /{proto} needs a value");
            switch (proto)
            {
                case "ip4":
                case "ip6":
                {
                    string v = Next()!;
                    if (!IpUtil.TryParseStrict(v, out var a) || IpUtil.IsV6(a) != (proto == "ip6"))
                        throw new InvalidInputException(field, $"'{v}' is not a valid /{proto} address");
                    ip = a;
                    break;
                }

                case "ipcidr": cidr = Next(); break;
                case "p2p":
                case "ipfs":
                    peer = PeerIds.Check(Next()!, field);
                    break;
                default:
                    if (ValuedProtocols.Contains(proto)) Next();
                    else if (!ValuelessProtocols.Contains(proto))
                        throw new InvalidInputException(field, $"unknown multiaddr component '/{proto}'");
                    break;
            }
        }

        if (ip is null)
            throw new InvalidInputException(field, "missing ip address (/ip4/… or /ip6/…)");
        int prefix = cidr is null ? IpUtil.Bits(ip) : ParsePrefix(cidr, ip, field);
        return new AllowlistEntry(IpUtil.MakeNetwork(ip, prefix), peer);
    }

    /// <inheritdoc />
    public override string ToString() => PeerId is null ? Network.ToString() : $"{Network} (peer {PeerId})";
}

/// <summary>
/// Allowlisted endpoints (rcmgr <c>Allowlist</c>): networks any peer may use, and networks only a given peer may
/// use. An allowlisted connection that the normal system/transient scopes refuse is retried against the
/// allowlisted-system/transient scopes. Not thread-safe (single owner).
/// </summary>
public sealed class Allowlist
{
    private readonly List<IPNetwork> _networks = [];
    private readonly Dictionary<string, List<IPNetwork>> _byPeer = new(StringComparer.Ordinal);

    /// <summary>All entries (any-peer networks first).</summary>
    public IReadOnlyList<AllowlistEntry> Entries =>
        _networks.Select(n => new AllowlistEntry(n, null))
            .Concat(_byPeer.SelectMany(kv => kv.Value.Select(n => new AllowlistEntry(n, kv.Key))))
            .ToList();

    /// <summary>Parses and adds an entry; see <see cref="AllowlistEntry.Parse"/>.</summary>
    /// <exception cref="InvalidInputException">When the entry is malformed (nothing is added).</exception>
    public void Add(string entry) => Add(AllowlistEntry.Parse(entry));

    /// <summary>Adds a network, optionally for one peer only.</summary>
    /// <exception cref="InvalidInputException">When <paramref name="peerId"/> is not a valid peer id.</exception>
    public void Add(string ipOrCidr, string? peerId)
    {
        var e = AllowlistEntry.Parse(ipOrCidr);
        Add(e with { PeerId = peerId is null ? null : PeerIds.Check(peerId, "peerId") });
    }

    /// <summary>Adds a parsed entry.</summary>
    public void Add(AllowlistEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.PeerId is null)
        {
            _networks.Add(entry.Network);
            return;
        }

        if (!_byPeer.TryGetValue(entry.PeerId, out var list))
            _byPeer[entry.PeerId] = list = [];
        list.Add(entry.Network);
    }

    /// <summary>Removes one matching entry; returns whether one was found.</summary>
    /// <exception cref="InvalidInputException">When the entry is malformed.</exception>
    public bool Remove(string entry) => Remove(AllowlistEntry.Parse(entry));

    /// <summary>Removes one matching entry; returns whether one was found.</summary>
    public bool Remove(AllowlistEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.PeerId is null) return _networks.Remove(entry.Network);
        return _byPeer.TryGetValue(entry.PeerId, out var list) && list.Remove(entry.Network);
    }

    /// <summary>True if <paramref name="ip"/> is in any allowlisted network (peer-restricted ones included), as rcmgr's <c>Allowed</c>.</summary>
    public bool Allowed(IPAddress ip)
    {
        ip = IpUtil.Normalize(ip);
        foreach (var n in _networks)
            if (n.Contains(ip)) return true;
        foreach (var list in _byPeer.Values)
            foreach (var n in list)
                if (n.Contains(ip)) return true;
        return false;
    }

    /// <summary>True if <paramref name="ip"/> is in an any-peer network, or in a network allowlisted for <paramref name="peerId"/>.</summary>
    public bool AllowedPeerAndAddress(string peerId, IPAddress ip)
    {
        ip = IpUtil.Normalize(ip);
        foreach (var n in _networks)
            if (n.Contains(ip)) return true;
        if (_byPeer.TryGetValue(peerId, out var list))
            foreach (var n in list)
                if (n.Contains(ip)) return true;
        return false;
    }
}

/// <summary>
/// The id rule of the resource manager and the limit actors alike (SPEC §1): peer ids, protocol ids and service names
/// are 1–256 printable, non-space characters.
/// </summary>
public static class PeerIds
{
    /// <summary>Returns <paramref name="id"/> when it follows the rule.</summary>
    /// <param name="id">The id text.</param>
    /// <param name="field">The field named in the error.</param>
    /// <returns><paramref name="id"/>, unchanged.</returns>
    /// <exception cref="InvalidInputException">Naming <paramref name="field"/>: null or empty, over 256 characters, or a
    /// control or white-space character.</exception>
    public static string Check(string? id, string field)
    {
        if (string.IsNullOrEmpty(id))
            throw new InvalidInputException(field, "must be a non-empty id");
        if (id.Length > 256)
            throw new InvalidInputException(field, $"must be at most 256 characters, got {id.Length}");
        foreach (char c in id)
            if (char.IsControl(c) || char.IsWhiteSpace(c))
                throw new InvalidInputException(field, "must contain only printable, non-space characters");
        return id;
    }
}
