using Rm = PeerActors.Core.ResourceManager.ResourceManager;

namespace PeerActors.Core.Tests.ResourceManager;

public class ResourceManagerPropertyTests
{
    private static readonly string[] Peers = ["QmA", "QmB", "QmC"];
    private static readonly string[] Protocols = ["/p", "/q"];
    private static readonly string[] Services = ["s1", "s2"];
    private static readonly IPAddress?[] Ips =
    [
        null, IPAddress.Parse("198.51.100.1"), IPAddress.Parse("198.51.100.2"), IPAddress.Parse("203.0.113.9"),
        IPAddress.Loopback, IPAddress.Parse("2001:db8::1"),
    ];

    private static readonly byte[] Priorities = [ReservationPriority.Low, ReservationPriority.Medium, ReservationPriority.High, ReservationPriority.Always];

    // Tight limits so that random sequences hit refusals at every level.
    private static ConcreteLimitConfig TightLimits() => new()
    {
        System = new BaseLimit { Streams = 6, StreamsInbound = 4, StreamsOutbound = 4, Conns = 5, ConnsInbound = 3, ConnsOutbound = 3, FD = 4, Memory = 1000 },
        Transient = new BaseLimit { Streams = 3, StreamsInbound = 2, StreamsOutbound = 2, Conns = 3, ConnsInbound = 2, ConnsOutbound = 2, FD = 2, Memory = 500 },
        AllowlistedSystem = new BaseLimit { Streams = 2, StreamsInbound = 2, StreamsOutbound = 2, Conns = 2, ConnsInbound = 2, ConnsOutbound = 2, FD = 2, Memory = 300 },
        AllowlistedTransient = new BaseLimit { Streams = 1, StreamsInbound = 1, StreamsOutbound = 1, Conns = 1, ConnsInbound = 1, ConnsOutbound = 1, FD = 1, Memory = 200 },
        ServiceDefault = new BaseLimit { Streams = 2, StreamsInbound = 2, StreamsOutbound = 2, Memory = 400 },
        ServicePeerDefault = new BaseLimit { Streams = 1, StreamsInbound = 1, StreamsOutbound = 1, Memory = 300 },
        ProtocolDefault = new BaseLimit { Streams = 3, StreamsInbound = 2, StreamsOutbound = 2, Memory = 600 },
        ProtocolPeerDefault = new BaseLimit { Streams = 2, StreamsInbound = 2, StreamsOutbound = 1, Memory = 350 },
        PeerDefault = new BaseLimit { Streams = 3, StreamsInbound = 2, StreamsOutbound = 2, Conns = 2, ConnsInbound = 2, ConnsOutbound = 1, FD = 2, Memory = 400 },
        Conn = new BaseLimit { Conns = 1, ConnsInbound = 1, ConnsOutbound = 1, FD = 1, Memory = 300 },
        Stream = new BaseLimit { Streams = 1, StreamsInbound = 1, StreamsOutbound = 1, Memory = 200 },
    };

    [Property(MaxTest = 300)]
    public void Random_sequences_never_exceed_limits_and_drain_to_zero(int[] ops)
    {
        var al = new Allowlist();
        al.Add("203.0.113.9");
        var m = new Rm(TightLimits(), new ResourceManagerOptions { Allowlist = al });
        var conns = new List<ConnectionScope>();
        var streams = new List<StreamScope>();
        var spans = new List<ResourceScope>();
        var reserved = new Dictionary<ResourceScope, long>();

        IReadOnlyList<ResourceScope> Live() => conns.Cast<ResourceScope>().Concat(streams).Concat(spans).ToList();

        foreach (int raw in ops ?? [])
        {
            uint op = unchecked((uint)raw);
            uint arg = op / 10;
            try
            {
                switch (op % 10)
                {
                    case 0:
                        if (m.TryOpenConnection((arg & 1) == 0 ? Direction.Inbound : Direction.Outbound, (arg & 2) != 0, Ips[(arg >> 2) % Ips.Length], out var c, out _))
                            conns.Add(c!);
                        break;
                    case 1:
                        if (m.TryOpenStream(Peers[arg % 3], (arg & 8) == 0 ? Direction.Inbound : Direction.Outbound, out var s, out _))
                            streams.Add(s!);
                        break;
                    case 2 when conns.Count > 0:
                        conns[(int)(arg % conns.Count)].TrySetPeer(Peers[(arg >> 4) % 3], out _);
                        break;
                    case 3 when streams.Count > 0:
                        streams[(int)(arg % streams.Count)].TrySetProtocol(Protocols[(arg >> 4) % 2], out _);
                        break;
                    case 4 when streams.Count > 0:
                        streams[(int)(arg % streams.Count)].TrySetService(Services[(arg >> 4) % 2], out _);
                        break;
                    case 5 or 6 when Live().Count > 0:
                    {
                        var live = Live();
                        var sc = live[(int)(arg % live.Count)];
                        long size = (arg >> 4) % 250;
                        if (sc.TryReserveMemory(size, Priorities[(arg >> 12) % 4], out _))
                            reserved[sc] = reserved.GetValueOrDefault(sc) + size;
                        break;
                    }

                    case 7 when reserved.Count > 0:
                    {
                        var (sc, amount) = reserved.ElementAt((int)(arg % reserved.Count));
                        long part = amount == 0 ? 0 : (arg >> 4) % (amount + 1);
                        sc.ReleaseMemory(part);
                        reserved[sc] = amount - part;
                        break;
                    }

                    case 8 when Live().Count > 0:
                    {
                        var live = Live();
                        var sc = live[(int)(arg % live.Count)];
                        sc.Done();
                        conns.Remove(sc as ConnectionScope ?? null!);
                        streams.Remove(sc as StreamScope ?? null!);
                        spans.Remove(sc);
                        reserved.Remove(sc);
                        break;
                    }

                    case 9 when Live().Count > 0:
                    {
                        var live = Live();
                        spans.Add(live[(int)(arg % live.Count)].BeginSpan());
                        break;
                    }
                }
            }
            catch (InvalidOperationException)
            {
                // lifecycle misuse (peer/protocol already set, service without protocol, closed owner): state unchanged
            }

            AssertWithinLimits(m);
            AssertConservation(m, conns, streams);
        }

        foreach (var sc in spans) sc.Done();
        foreach (var sc in streams) sc.Done();
        foreach (var sc in conns) sc.Done();

        Assert.Equal(["allowlistedSystem", "allowlistedTransient", "system", "transient"], m.ScopeNames());
        Assert.True(m.System.Stat.IsZero, m.System.ToString());
        Assert.True(m.Transient.Stat.IsZero, m.Transient.ToString());
        Assert.True(m.AllowlistedSystem.Stat.IsZero);
        Assert.True(m.AllowlistedTransient.Stat.IsZero);
        Assert.Equal(2, m.System.RefCount); // the manager's hold + the transient scope's edge
        foreach (var ip in Ips.Where(i => i is not null))
            Assert.Equal(0, m.SubnetLimiter.CountFor(ip!, ip!.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 56 : 32));
        Assert.Equal(0, m.OpenScopeCount);
    }

    private static void AssertWithinLimits(Rm m)
    {
        foreach (var name in m.ScopeNames())
        {
            m.TryGetScope(name, out var s);
            var st = s.Stat;
            var l = s.Limit;
            Assert.True(st.NumStreamsInbound <= l.StreamsInbound && st.NumStreamsOutbound <= l.StreamsOutbound &&
                        st.NumStreamsInbound + st.NumStreamsOutbound <= l.Streams &&
                        st.NumConnsInbound <= l.ConnsInbound && st.NumConnsOutbound <= l.ConnsOutbound &&
                        st.NumConnsInbound + st.NumConnsOutbound <= l.Conns && st.NumFD <= l.FD &&
                        st.Memory <= l.Memory && st.Memory >= 0,
                $"{name} {st} exceeds {l}");
        }
    }

    private static void AssertConservation(Rm m, List<ConnectionScope> conns, List<StreamScope> streams)
    {
        var normalConns = conns.Where(c => !c.IsAllowlisted).ToList();
        var sys = m.System.Stat;
        Assert.Equal(streams.Sum(s => s.Stat.Memory) + normalConns.Sum(c => c.Stat.Memory), sys.Memory);
        Assert.Equal(streams.Count(s => s.Direction == Direction.Inbound), sys.NumStreamsInbound);
        Assert.Equal(normalConns.Count(c => c.Direction == Direction.Outbound), sys.NumConnsOutbound);
        Assert.Equal(normalConns.Count(c => c.UsesFd), sys.NumFD);
        var allow = m.AllowlistedSystem.Stat;
        Assert.Equal(conns.Count(c => c.IsAllowlisted), allow.NumConnsInbound + allow.NumConnsOutbound);
        foreach (var peer in m.ListPeers())
        {
            var ps = m.StatOf("peer:" + peer)!.Value;
            Assert.Equal(streams.Count(s => s.PeerId == peer) + conns.Count(c => c.PeerId == peer),
                ps.NumStreamsInbound + ps.NumStreamsOutbound + ps.NumConnsInbound + ps.NumConnsOutbound);
        }
    }
}
