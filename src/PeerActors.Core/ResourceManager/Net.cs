using System.Net.Sockets;

namespace PeerActors.Core.ResourceManager;

/// <summary>IP helpers shared by the subnet limiter and the allowlist.</summary>
internal static class IpUtil
{
    /// <summary>Parses an IP strictly: IPv4 only in dotted-quad form (no "1.2.3" or hex forms), IPv6 without zone.</summary>
    public static bool TryParseStrict(string text, out IPAddress ip)
    {
        ip = IPAddress.None;
        if (text.Contains('%')) return false;
        if (text.Contains(':'))
            return IPAddress.TryParse(text, out ip!) && IsV6(ip);
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        foreach (var p in parts)
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) > 255)
                return false;
        return IPAddress.TryParse(text, out ip!);
    }

    public static IPAddress Normalize(IPAddress ip) => ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;

    public static bool IsV6(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetworkV6;

    public static int Bits(IPAddress ip) => IsV6(ip) ? 128 : 32;

    public static UInt128 ToNumber(IPAddress ip)
    {
        Span<byte> b = stackalloc byte[16];
        ip.TryWriteBytes(b, out int n);
        UInt128 v = 0;
        for (int i = 0; i < n; i++)
            v = (v << 8) | b[i];
        return v;
    }

    /// <summary>The address with every bit after <paramref name="prefix"/> cleared, as a number.</summary>
    public static UInt128 MaskedNumber(IPAddress ip, int prefix)
    {
        int bits = Bits(ip);
        UInt128 v = ToNumber(ip);
        if (prefix >= bits) return v;
        if (prefix <= 0) return 0;
        UInt128 mask = UInt128.MaxValue << (128 - prefix);
        if (bits == 32) mask = (mask >> 96) & uint.MaxValue;
        return v & mask;
    }

    /// <summary>Builds a network from any address in it (host bits are cleared, like Go's <c>ParseCIDR</c>).</summary>
    public static IPNetwork MakeNetwork(IPAddress ip, int prefix)
    {
        ip = Normalize(ip);
        UInt128 v = MaskedNumber(ip, prefix);
        int len = IsV6(ip) ? 16 : 4;
        var bytes = new byte[len];
        for (int i = len - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(v & 0xFF);
            v >>= 8;
        }

        return new IPNetwork(new IPAddress(bytes), prefix);
    }
}

/// <summary>
/// Per-subnet connection limit (rcmgr <c>ConnLimitPerSubnet</c>): at most <paramref name="ConnCount"/>
/// connections from each subnet of <paramref name="PrefixLength"/> bits.
/// </summary>
/// <param name="PrefixLength">Subnet size in bits (IPv4 0–32, IPv6 0–128).</param>
/// <param name="ConnCount">Maximum connections per subnet.</param>
public sealed record ConnLimitPerSubnet(int PrefixLength, int ConnCount);

/// <summary>
/// Limit for one specific network (rcmgr <c>NetworkPrefixLimit</c>); a matching prefix takes precedence over
/// the per-subnet limits. The most specific matching prefix wins.
/// </summary>
/// <param name="Network">The network.</param>
/// <param name="ConnCount">Maximum connections from it (<see cref="int.MaxValue"/> = unlimited).</param>
public sealed record NetworkPrefixLimit(IPNetwork Network, int ConnCount);

/// <summary>
/// Settings of the per-subnet connection limiter. Defaults are rcmgr v0.35's: IPv4 /32 → 8; IPv6 /56 → 8 and
/// /48 → 64; loopback (127.0.0.0/8, ::1/128) unlimited.
/// </summary>
public sealed record SubnetLimitSettings
{
    /// <summary>IPv4 per-subnet limits (default: /32 → 8).</summary>
    public IReadOnlyList<ConnLimitPerSubnet> IPv4 { get; init; } = [new(32, 8)];

    /// <summary>IPv6 per-subnet limits (default: /56 → 8, /48 → 64).</summary>
    public IReadOnlyList<ConnLimitPerSubnet> IPv6 { get; init; } = [new(56, 8), new(48, 64)];

    /// <summary>IPv4 network prefix limits (default: 127.0.0.0/8 unlimited).</summary>
    public IReadOnlyList<NetworkPrefixLimit> NetworkPrefixesV4 { get; init; } =
        [new(IPNetwork.Parse("127.0.0.0/8"), int.MaxValue)];

    /// <summary>IPv6 network prefix limits (default: ::1/128 unlimited).</summary>
    public IReadOnlyList<NetworkPrefixLimit> NetworkPrefixesV6 { get; init; } =
        [new(IPNetwork.Parse("::1/128"), int.MaxValue)];

    /// <summary>Checks ranges.</summary>
    /// <exception cref="InvalidInputException">On a prefix length out of range, a negative count, or a prefix of the wrong family.</exception>
    public void Validate()
    {
        for (int i = 0; i < IPv4.Count; i++) Check(IPv4[i], 32, $"SubnetLimits.IPv4[{i}]");
        for (int i = 0; i < IPv6.Count; i++) Check(IPv6[i], 128, $"SubnetLimits.IPv6[{i}]");
        for (int i = 0; i < NetworkPrefixesV4.Count; i++) Check(NetworkPrefixesV4[i], false, $"SubnetLimits.NetworkPrefixesV4[{i}]");
        for (int i = 0; i < NetworkPrefixesV6.Count; i++) Check(NetworkPrefixesV6[i], true, $"SubnetLimits.NetworkPrefixesV6[{i}]");
    }

    private static void Check(ConnLimitPerSubnet l, int bits, string field)
    {
        if (l.PrefixLength < 0 || l.PrefixLength > bits)
            throw new InvalidInputException(field + ".PrefixLength", $"must be 0–{bits}, got {l.PrefixLength}");
        if (l.ConnCount < 0)
            throw new InvalidInputException(field + ".ConnCount", $"must not be negative, got {l.ConnCount}");
    }

    private static void Check(NetworkPrefixLimit l, bool v6, string field)
    {
        if (IpUtil.IsV6(l.Network.BaseAddress) != v6)
            throw new InvalidInputException(field + ".Network", $"must be an IPv{(v6 ? 6 : 4)} network, got {l.Network}");
        if (l.ConnCount < 0)
            throw new InvalidInputException(field + ".ConnCount", $"must not be negative, got {l.ConnCount}");
    }
}

/// <summary>
/// Counts open connections per IP subnet and refuses ones over the limit (rcmgr <c>connLimiter</c>). A matching
/// network prefix limit is used instead of the per-subnet limits. Not thread-safe (single owner).
/// </summary>
public sealed class SubnetConnLimiter
{
    private readonly Family _v4;
    private readonly Family _v6;

    /// <summary>Creates a limiter from validated <paramref name="settings"/>.</summary>
    /// <exception cref="InvalidInputException">When the settings are invalid.</exception>
    public SubnetConnLimiter(SubnetLimitSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _v4 = new Family(settings.NetworkPrefixesV4, settings.IPv4);
        _v6 = new Family(settings.NetworkPrefixesV6, settings.IPv6);
    }

    /// <summary>True if a prefix limit for exactly <paramref name="network"/> exists.</summary>
    public bool HasNetworkPrefix(IPNetwork network) =>
        (IpUtil.IsV6(network.BaseAddress) ? _v6 : _v4).Prefixes.Any(p => p.Limit.Network.Equals(network));

    /// <summary>Adds a prefix limit (kept sorted most specific first).</summary>
    public void AddNetworkPrefixLimit(NetworkPrefixLimit limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        (IpUtil.IsV6(limit.Network.BaseAddress) ? _v6 : _v4).AddPrefix(limit);
    }

    /// <summary>Counts a connection from <paramref name="ip"/>; returns the refusal (and counts nothing) when over a limit.</summary>
    public ResourceLimitExceededException? TryAddConn(IPAddress ip)
    {
        ip = IpUtil.Normalize(ip);
        return (IpUtil.IsV6(ip) ? _v6 : _v4).Add(ip);
    }

    /// <summary>Uncounts a connection from <paramref name="ip"/>.</summary>
    public void RemoveConn(IPAddress ip)
    {
        ip = IpUtil.Normalize(ip);
        (IpUtil.IsV6(ip) ? _v6 : _v4).Remove(ip);
    }

    /// <summary>Number of counted connections in the subnet of <paramref name="ip"/> at <paramref name="prefixLength"/> bits (0 if that length is not configured).</summary>
    public int CountFor(IPAddress ip, int prefixLength)
    {
        ip = IpUtil.Normalize(ip);
        var f = IpUtil.IsV6(ip) ? _v6 : _v4;
        foreach (var s in f.Subnets)
            if (s.Limit.PrefixLength == prefixLength)
                return s.Counts.GetValueOrDefault(IpUtil.MaskedNumber(ip, prefixLength));
        return 0;
    }

    private sealed class PrefixState(NetworkPrefixLimit limit)
    {
        public NetworkPrefixLimit Limit { get; } = limit;

        public int Count { get; set; }
    }

    private sealed class SubnetState(ConnLimitPerSubnet limit)
    {
        public ConnLimitPerSubnet Limit { get; } = limit;

        public Dictionary<UInt128, int> Counts { get; } = new();
    }

    private sealed class Family
    {
        public Family(IEnumerable<NetworkPrefixLimit> prefixes, IEnumerable<ConnLimitPerSubnet> subnets)
        {
            Prefixes = prefixes.Select(p => new PrefixState(p)).OrderByDescending(p => p.Limit.Network.PrefixLength).ToList();
            Subnets = subnets.Select(s => new SubnetState(s)).ToList();
        }

        public List<PrefixState> Prefixes { get; }

        public List<SubnetState> Subnets { get; }

        public void AddPrefix(NetworkPrefixLimit l)
        {
            Prefixes.Add(new PrefixState(l));
            var sorted = Prefixes.OrderByDescending(p => p.Limit.Network.PrefixLength).ToList(); // stable
            Prefixes.Clear();
            Prefixes.AddRange(sorted);
        }

        public ResourceLimitExceededException? Add(IPAddress ip)
        {
            foreach (var p in Prefixes)
            {
                if (!p.Limit.Network.Contains(ip)) continue;
                if ((long)p.Count + 1 > p.Limit.ConnCount)
                    return Refusal(ip, p.Limit.Network.ToString(), p.Count, p.Limit.ConnCount);
                p.Count++;
                return null;
            }

            foreach (var s in Subnets)
            {
                int c = s.Counts.GetValueOrDefault(IpUtil.MaskedNumber(ip, s.Limit.PrefixLength));
                if ((long)c + 1 > s.Limit.ConnCount)
                    return Refusal(ip, IpUtil.MakeNetwork(ip, s.Limit.PrefixLength).ToString(), c, s.Limit.ConnCount);
            }

            foreach (var s in Subnets)
            {
                var key = IpUtil.MaskedNumber(ip, s.Limit.PrefixLength);
                s.Counts[key] = s.Counts.GetValueOrDefault(key) + 1;
            }

            return null;
        }

        public void Remove(IPAddress ip)
        {
            foreach (var p in Prefixes)
            {
                if (!p.Limit.Network.Contains(ip)) continue;
                if (p.Count > 0) p.Count--;
                return;
            }

            foreach (var s in Subnets)
            {
                var key = IpUtil.MaskedNumber(ip, s.Limit.PrefixLength);
                if (!s.Counts.TryGetValue(key, out int c)) continue;
                if (c <= 1) s.Counts.Remove(key);
                else s.Counts[key] = c - 1;
            }
        }

        private static ResourceLimitExceededException Refusal(IPAddress ip, string subnet, long current, long limit) =>
            new($"subnet:{subnet}", ScopeClass.Subnet, ResourceKind.Connection, null, current, 1, limit)
            {
                CustomMessage = $"connections per ip limit exceeded for {ip}",
            };
    }
}
