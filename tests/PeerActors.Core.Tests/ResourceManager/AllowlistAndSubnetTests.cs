using Rm = PeerActors.Core.ResourceManager.ResourceManager;

namespace PeerActors.Core.Tests.ResourceManager;

public class AllowlistAndSubnetTests
{
    [Theory]
    [InlineData("1.2.3.4", "1.2.3.4/32", null)]
    [InlineData("10.0.0.0/8", "10.0.0.0/8", null)]
    [InlineData("10.1.2.3/8", "10.0.0.0/8", null)] // host bits cleared, like Go ParseCIDR
    [InlineData("2001:db8::/32", "2001:db8::/32", null)]
    [InlineData("::1", "::1/128", null)]
    [InlineData("/ip4/1.2.3.4", "1.2.3.4/32", null)]
    [InlineData("/ip4/1.2.3.0/ipcidr/24", "1.2.3.0/24", null)]
    [InlineData("/ip4/2.2.3.4/p2p/QmPeer", "2.2.3.4/32", "QmPeer")]
    [InlineData("/ip4/1.2.3.4/ipcidr/24/p2p/PEER", "1.2.3.0/24", "PEER")]
    [InlineData("/ip6/2001:db8::1/ipcidr/48/ipfs/QmP", "2001:db8::/48", "QmP")]
    [InlineData("/ip4/1.2.3.4/tcp/4001/p2p/QmP", "1.2.3.4/32", "QmP")]
    [InlineData("/ip4/1.2.3.4/udp/4001/quic-v1", "1.2.3.4/32", null)]
    public void Parses_entries(string entry, string network, string? peer)
    {
        var e = AllowlistEntry.Parse(entry);
        Assert.Equal(IPNetwork.Parse(network), e.Network);
        Assert.Equal(peer, e.PeerId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("hello")]
    [InlineData("/p2p/QmFoo")]          // rcmgr: missing ip address
    [InlineData("/ip4/::1")]
    [InlineData("/ip4/1.2.3.4/ipcidr")]
    [InlineData("/ip4/1.2.3.4/bogus/1")]
    [InlineData("/ip4/1.2.3.4/p2p/")]
    public void Malformed_entries_name_the_entry(string entry)
    {
        var al = new Allowlist();
        var e = Assert.Throws<InvalidInputException>(() => al.Add(entry));
        Assert.Equal($"allowlist[\"{entry}\"]", e.Field);
        Assert.Empty(al.Entries);
    }

    [Fact]
    public void Allowed_and_allowed_peer()
    {
        var al = new Allowlist();
        al.Add("1.2.3.4");
        al.Add("/ip4/2.2.3.4/p2p/QmGood");
        al.Add("10.0.0.0/8", "QmNet");
        Assert.True(al.Allowed(IPAddress.Parse("1.2.3.4")));
        Assert.True(al.Allowed(IPAddress.Parse("2.2.3.4")));
        Assert.True(al.Allowed(IPAddress.Parse("::ffff:10.9.9.9"))); // v4-mapped normalised
        Assert.False(al.Allowed(IPAddress.Parse("1.2.3.5")));
        Assert.True(al.AllowedPeerAndAddress("anyone", IPAddress.Parse("1.2.3.4")));
        Assert.True(al.AllowedPeerAndAddress("QmGood", IPAddress.Parse("2.2.3.4")));
        Assert.False(al.AllowedPeerAndAddress("QmBad", IPAddress.Parse("2.2.3.4")));
        Assert.True(al.Remove("/ip4/2.2.3.4/p2p/QmGood"));
        Assert.False(al.Allowed(IPAddress.Parse("2.2.3.4")));
        Assert.False(al.Remove("9.9.9.9"));
    }

    /// <summary>Everything unlimited but the system scope, which holds one inbound connection.</summary>
    private static readonly ConcreteLimitConfig FullSystem = ConcreteLimitConfig.Infinite with { System = BaseLimit.Infinite with { ConnsInbound = 1 } };

    /// <summary>A manager over <paramref name="limits"/> whose allowlist holds <paramref name="entry"/> alone.</summary>
    private static Rm Allowlisting(string entry, ConcreteLimitConfig limits)
    {
        var al = new Allowlist();
        al.Add(entry);
        return new Rm(limits, new ResourceManagerOptions { Allowlist = al });
    }

    [Fact]
    public void Allowlisted_endpoint_is_admitted_when_system_is_full()
    {
        var m = Allowlisting("/ip4/1.2.3.0/ipcidr/24", FullSystem);
        m.OpenConnection(Direction.Inbound, true, IPAddress.Parse("9.9.9.9"));

        var stranger = Assert.Throws<ResourceLimitExceededException>(() => m.OpenConnection(Direction.Inbound, true, IPAddress.Parse("9.9.9.8")));
        Assert.Equal("system: cannot reserve inbound connection: resource limit exceeded", stranger.Message);

        var friend = m.OpenConnection(Direction.Inbound, true, IPAddress.Parse("1.2.3.77"));
        Assert.True(friend.IsAllowlisted);
        Assert.Equal(["allowlistedTransient", "allowlistedSystem"], friend.Edges.Select(e => e.Name));
        Assert.Equal(1, m.AllowlistedSystem.Stat.NumConnsInbound);
        Assert.Equal(1, m.System.Stat.NumConnsInbound);

        friend.SetPeer("QmAny"); // network allowlisted for any peer: stays allowlisted
        Assert.Equal(["peer:QmAny", "allowlistedSystem"], friend.Edges.Select(e => e.Name));
        Assert.True(m.AllowlistedTransient.Stat.IsZero);
        friend.Done();
        Assert.True(m.AllowlistedSystem.Stat.IsZero);
        Assert.Equal(1, m.System.Stat.NumConnsInbound);
    }

    [Fact]
    public void Allowlisted_ip_with_wrong_peer_moves_to_normal_scopes_or_is_refused()
    {
        var m = Allowlisting("/ip4/1.2.3.4/p2p/QmGood", FullSystem);
        m.OpenConnection(Direction.Inbound, false, IPAddress.Parse("9.9.9.9")); // fills system

        var c = m.OpenConnection(Direction.Inbound, false, IPAddress.Parse("1.2.3.4"));
        Assert.True(c.IsAllowlisted);
        var before = (m.System.Stat, m.AllowlistedSystem.Stat, m.AllowlistedTransient.Stat, m.Transient.Stat);
        // The real peer is not the allowlisted one: transfer to system would exceed it → refused, nothing changes.
        var e = Assert.Throws<ResourceLimitExceededException>(() => c.SetPeer("QmImpostor"));
        Assert.Equal("system", e.ScopeName);
        Assert.Equal(before, (m.System.Stat, m.AllowlistedSystem.Stat, m.AllowlistedTransient.Stat, m.Transient.Stat));
        Assert.True(c.IsAllowlisted);
        Assert.Null(c.PeerId);

        c.SetPeer("QmGood");
        Assert.Equal(["peer:QmGood", "allowlistedSystem"], c.Edges.Select(x => x.Name));
    }

    [Fact]
    public void Allowlisted_ip_with_wrong_peer_transfers_when_room()
    {
        var m = Allowlisting("/ip4/1.2.3.4/p2p/QmGood", ConcreteLimitConfig.Infinite with { Transient = BaseLimit.Infinite with { ConnsInbound = 0 } });
        var c = m.OpenConnection(Direction.Inbound, false, IPAddress.Parse("1.2.3.4"));
        Assert.True(c.IsAllowlisted);
        // transfer needs transient room: transient is blockAll → refused, restored
        Assert.Equal("transient", Assert.Throws<ResourceLimitExceededException>(() => c.SetPeer("QmOther")).ScopeName);
        Assert.Equal(1, m.AllowlistedTransient.Stat.NumConnsInbound);
        m.SetLimit("transient", BaseLimit.Infinite);
        m.Transient.Limit = BaseLimit.Infinite;
        c.SetPeer("QmOther");
        Assert.False(c.IsAllowlisted);
        Assert.Equal(["peer:QmOther", "system"], c.Edges.Select(x => x.Name));
        Assert.True(m.AllowlistedSystem.Stat.IsZero);
        Assert.True(m.Transient.Stat.IsZero);
        Assert.Equal(1, m.System.Stat.NumConnsInbound);
        c.Done();
        Assert.True(m.System.Stat.IsZero);
    }

    [Fact]
    public void Ipv4_subnet_limit_is_8_per_address()
    {
        var m = new Rm(ConcreteLimitConfig.Infinite);
        var ip = IPAddress.Parse("198.51.100.1");
        var conns = Enumerable.Range(0, 8).Select(_ => m.OpenConnection(Direction.Inbound, true, ip)).ToList();
        var e = Assert.Throws<ResourceLimitExceededException>(() => m.OpenConnection(Direction.Outbound, true, ip));
        Assert.Equal("connections per ip limit exceeded for 198.51.100.1", e.Message);
        Assert.Equal(ScopeClass.Subnet, e.ScopeClass);
        Assert.Equal("subnet:198.51.100.1/32", e.ScopeName);
        Assert.Equal(8, m.System.Stat.NumConnsInbound);
        Assert.Equal(1, m.Counters.Blocked(ResourceKind.Connection, ScopeClass.Subnet));
        m.OpenConnection(Direction.Inbound, true, IPAddress.Parse("198.51.100.2")); // neighbour address is fine
        conns[0].Done();
        m.OpenConnection(Direction.Inbound, true, ip);
    }

    [Fact]
    public void Ipv6_limits_56_and_48()
    {
        var m = new Rm(ConcreteLimitConfig.Infinite);
        for (int i = 0; i < 8; i++) m.OpenConnection(Direction.Inbound, false, IPAddress.Parse($"2001:db8:0:1::{i + 1}"));
        Assert.Equal("subnet:2001:db8::/56", Assert.Throws<ResourceLimitExceededException>(
            () => m.OpenConnection(Direction.Inbound, false, IPAddress.Parse("2001:db8:0:ff::9"))).ScopeName);
        // other /56s inside the same /48: up to 64 in total
        for (int s = 1; s < 8; s++)
            for (int i = 0; i < 8; i++)
                m.OpenConnection(Direction.Inbound, false, IPAddress.Parse($"2001:db8:0:{s:x}00::{i + 1}"));
        Assert.Equal(64, m.System.Stat.NumConnsInbound);
        Assert.Equal("subnet:2001:db8::/48", Assert.Throws<ResourceLimitExceededException>(
            () => m.OpenConnection(Direction.Inbound, false, IPAddress.Parse("2001:db8:0:900::1"))).ScopeName);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.5.6.7")]
    [InlineData("::1")]
    public void Loopback_is_unlimited(string ip)
    {
        var m = new Rm(ConcreteLimitConfig.Infinite);
        for (int i = 0; i < 100; i++) m.OpenConnection(Direction.Inbound, false, IPAddress.Parse(ip));
        Assert.Equal(100, m.System.Stat.NumConnsInbound);
    }

    [Fact]
    public void Subnet_limits_are_configurable_and_validated()
    {
        var m = new Rm(ConcreteLimitConfig.Infinite, new ResourceManagerOptions
        {
            SubnetLimits = new SubnetLimitSettings
            {
                IPv4 = [new ConnLimitPerSubnet(24, 2)],
                NetworkPrefixesV4 = [new NetworkPrefixLimit(IPNetwork.Parse("192.0.2.0/24"), 3)],
            },
        });
        m.OpenConnection(Direction.Inbound, false, IPAddress.Parse("198.51.100.1"));
        m.OpenConnection(Direction.Inbound, false, IPAddress.Parse("198.51.100.2"));
        Assert.Throws<ResourceLimitExceededException>(() => m.OpenConnection(Direction.Inbound, false, IPAddress.Parse("198.51.100.3")));
        for (int i = 0; i < 3; i++) m.OpenConnection(Direction.Inbound, false, IPAddress.Parse("192.0.2.9"));
        Assert.Equal("subnet:192.0.2.0/24", Assert.Throws<ResourceLimitExceededException>(
            () => m.OpenConnection(Direction.Inbound, false, IPAddress.Parse("192.0.2.10"))).ScopeName);
        // loopback default replaced: 127/8 is now an ordinary /24 subnet
        m.OpenConnection(Direction.Inbound, false, IPAddress.Loopback);
        m.OpenConnection(Direction.Inbound, false, IPAddress.Loopback);
        Assert.Throws<ResourceLimitExceededException>(() => m.OpenConnection(Direction.Inbound, false, IPAddress.Loopback));

        var bad = Assert.Throws<InvalidInputException>(() => new Rm(ConcreteLimitConfig.Infinite, new ResourceManagerOptions
        {
            SubnetLimits = new SubnetLimitSettings { IPv4 = [new ConnLimitPerSubnet(33, 1)] },
        }));
        Assert.Equal("SubnetLimits.IPv4[0].PrefixLength", bad.Field);
    }

    [Fact]
    public void Allowlisted_network_gets_its_own_prefix_limit()
    {
        var m = Allowlisting("203.0.113.0/24", ConcreteLimitConfig.Infinite with { AllowlistedSystem = BaseLimit.Infinite with { Conns = 20 } });
        var ip = IPAddress.Parse("203.0.113.5");
        for (int i = 0; i < 20; i++) m.OpenConnection(Direction.Inbound, false, ip); // > 8 per /32
        Assert.Equal("subnet:203.0.113.0/24", Assert.Throws<ResourceLimitExceededException>(
            () => m.OpenConnection(Direction.Inbound, false, ip)).ScopeName);
    }
}
