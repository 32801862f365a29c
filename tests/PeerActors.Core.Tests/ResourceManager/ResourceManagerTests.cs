using Rm = PeerActors.Core.ResourceManager.ResourceManager;

namespace PeerActors.Core.Tests.ResourceManager;

public class ResourceManagerTests
{
    private static readonly IPAddress Ip = IPAddress.Parse("203.0.113.7");

    private static Rm Infinite(Func<ConcreteLimitConfig, ConcreteLimitConfig>? tweak = null, ResourceManagerOptions? o = null) =>
        new((tweak ?? (c => c))(ConcreteLimitConfig.Infinite), o);

    private static string[] EdgeNames(ResourceScope s) => s.Edges.Select(e => e.Name).ToArray();

    private static Dictionary<string, ScopeStat> Snapshot(Rm m) =>
        m.ScopeNames().ToDictionary(n => n, n => m.StatOf(n)!.Value);

    [Fact]
    public void Stream_lifecycle_moves_between_scopes()
    {
        var m = Infinite();
        var s = m.OpenStream("QmA", Direction.Inbound);
        Assert.Equal("stream-1", s.Name);
        Assert.Equal(["peer:QmA", "transient", "system"], EdgeNames(s));
        Assert.Equal(1, m.Transient.Stat.NumStreamsInbound);
        Assert.Equal(1, m.StatOf("peer:QmA")!.Value.NumStreamsInbound);
        Assert.Equal(1, m.System.Stat.NumStreamsInbound);
        s.ReserveMemory(1000);
        Assert.Equal(1000, m.Transient.Stat.Memory);

        s.SetProtocol("/ipfs/id/1.0.0");
        Assert.Equal(["peer:QmA", "protocol:/ipfs/id/1.0.0.peer:QmA", "protocol:/ipfs/id/1.0.0", "system"], EdgeNames(s));
        Assert.True(m.Transient.Stat.IsZero);
        Assert.Equal(new ScopeStat(1000, 1, 0, 0, 0, 0), m.StatOf("protocol:/ipfs/id/1.0.0")!.Value);
        Assert.Equal(new ScopeStat(1000, 1, 0, 0, 0, 0), m.StatOf("protocol:/ipfs/id/1.0.0.peer:QmA")!.Value);

        s.SetService("identify");
        Assert.Equal(
            ["peer:QmA", "protocol:/ipfs/id/1.0.0.peer:QmA", "svc:identify.peer:QmA", "protocol:/ipfs/id/1.0.0", "svc:identify", "system"],
            EdgeNames(s));
        Assert.Equal(new ScopeStat(1000, 1, 0, 0, 0, 0), m.StatOf("svc:identify")!.Value);
        Assert.Equal(new ScopeStat(1000, 1, 0, 0, 0, 0), m.StatOf("svc:identify.peer:QmA")!.Value);
        Assert.Equal(["identify"], m.ListServices());
        Assert.Equal(["/ipfs/id/1.0.0"], m.ListProtocols());
        Assert.Equal(["QmA"], m.ListPeers());

        s.ReserveMemory(24);
        Assert.Equal(1024, m.StatOf("svc:identify")!.Value.Memory);
        Assert.Equal(1024, m.System.Stat.Memory);

        s.Done();
        Assert.True(m.System.Stat.IsZero);
        Assert.Empty(m.ListServices());
        Assert.Empty(m.ListProtocols());
        Assert.Empty(m.ListPeers());
        Assert.Equal(["allowlistedSystem", "allowlistedTransient", "system", "transient"], m.ScopeNames());
        Assert.Equal(0, m.OpenScopeCount);
    }

    [Fact]
    public void Lifecycle_misuse_is_rejected()
    {
        var m = Infinite();
        var s = m.OpenStream("QmA", Direction.Outbound);
        Assert.Throws<InvalidOperationException>(() => s.SetService("svc"));
        s.SetProtocol("/p");
        Assert.Throws<InvalidOperationException>(() => s.SetProtocol("/q"));
        Assert.Equal("protocol", Assert.Throws<InvalidInputException>(() => m.OpenStream("QmB", Direction.Inbound).SetProtocol("")).Field);
        Assert.Equal("peerId", Assert.Throws<InvalidInputException>(() => m.OpenStream("", Direction.Inbound)).Field);
        var c = m.OpenConnection(Direction.Inbound, true, Ip);
        c.SetPeer("QmA");
        Assert.Throws<InvalidOperationException>(() => c.SetPeer("QmB"));
        c.Done();
        Assert.Throws<ResourceScopeClosedException>(() => c.ReserveMemory(1));
    }

    [Fact]
    public void Connection_lifecycle_with_set_peer()
    {
        var m = Infinite();
        var c = m.OpenConnection(Direction.Inbound, usesFd: true, Ip);
        Assert.Equal("conn-1", c.Name);
        Assert.Equal(["transient", "system"], EdgeNames(c));
        Assert.Equal(new ScopeStat(0, 0, 0, 1, 0, 1), m.Transient.Stat);
        Assert.Equal(new ScopeStat(0, 0, 0, 1, 0, 1), m.System.Stat);
        c.ReserveMemory(4096);

        c.SetPeer("QmA");
        Assert.Equal("QmA", c.PeerId);
        Assert.Equal(["peer:QmA", "system"], EdgeNames(c));
        Assert.True(m.Transient.Stat.IsZero);
        Assert.Equal(new ScopeStat(4096, 0, 0, 1, 0, 1), m.StatOf("peer:QmA")!.Value);
        Assert.Equal(new ScopeStat(4096, 0, 0, 1, 0, 1), m.System.Stat);
        Assert.Equal(1, m.SubnetLimiter.CountFor(Ip, 32));

        c.Done();
        Assert.True(m.System.Stat.IsZero);
        Assert.Empty(m.ListPeers());
        Assert.Equal(0, m.SubnetLimiter.CountFor(Ip, 32));
    }

    public static TheoryData<string> LimitCases => new()
    {
        "system", "transient", "conn", "stream", "peer-stream", "peer-conn", "protocol", "protocol-peer", "service", "service-peer", "system-memory",
    };

    [Theory]
    [MemberData(nameof(LimitCases))]
    public void Limit_hit_names_scope_and_changes_nothing(string @case)
    {
        var (tweak, prepare, act, message, cls) = @case switch
        {
            "system" => new LimitCase(c => c with { System = BaseLimit.Infinite with { ConnsInbound = 1 } },
                m => m.OpenConnection(Direction.Inbound, false, Ip),
                m => OpenConn(m, Direction.Inbound),
                "system: cannot reserve inbound connection: resource limit exceeded", ScopeClass.System),
            "transient" => new LimitCase(c => c with { Transient = BaseLimit.Infinite with { Conns = 1 } },
                m => m.OpenConnection(Direction.Outbound, false, Ip),
                m => OpenConn(m, Direction.Inbound),
                "transient: cannot reserve connection: resource limit exceeded", ScopeClass.Transient),
            "conn" => new LimitCase(c => c with { Conn = BaseLimit.Infinite with { FD = 0 } },
                _ => { },
                m => OpenConn(m, Direction.Inbound),
                "conn-1: cannot reserve file descriptor: resource limit exceeded", ScopeClass.Connection),
            "stream" => new LimitCase(c => c with { Stream = BaseLimit.Infinite with { StreamsOutbound = 0 } },
                _ => { },
                m => m.TryOpenStream("QmA", Direction.Outbound, out _, out var e) ? null : e,
                "stream-1: cannot reserve outbound stream: resource limit exceeded", ScopeClass.Stream),
            "peer-stream" => new LimitCase(c => c with { PeerDefault = BaseLimit.Infinite with { StreamsInbound = 1 } },
                m => m.OpenStream("QmA", Direction.Inbound).ReserveMemory(10),
                m => m.TryOpenStream("QmA", Direction.Inbound, out _, out var e) ? null : e,
                "peer:QmA: cannot reserve inbound stream: resource limit exceeded", ScopeClass.Peer),
            "peer-conn" => new LimitCase(c => c with { PeerDefault = BaseLimit.Infinite with { ConnsInbound = 1 } },
                m => { m.OpenConnection(Direction.Inbound, true, Ip).SetPeer("QmA"); m.OpenConnection(Direction.Inbound, true, Ip).ReserveMemory(5); },
                m => ((ConnectionScope)m.TryGetScopeOrThrow("conn-2")).TrySetPeer("QmA", out var e) ? null : e,
                "peer:QmA: cannot reserve inbound connection: resource limit exceeded", ScopeClass.Peer),
            "protocol" => new LimitCase(c => c with { ProtocolDefault = BaseLimit.Infinite with { StreamsInbound = 1 } },
                m => { m.OpenStream("QmA", Direction.Inbound).SetProtocol("/p"); m.OpenStream("QmB", Direction.Inbound).ReserveMemory(3); },
                m => Stream(m, "stream-2").TrySetProtocol("/p", out var e) ? null : e,
                "protocol:/p: cannot reserve inbound stream: resource limit exceeded", ScopeClass.Protocol),
            "protocol-peer" => new LimitCase(c => c with { ProtocolPeerDefault = BaseLimit.Infinite with { Streams = 1 } },
                m => { m.OpenStream("QmA", Direction.Inbound).SetProtocol("/p"); m.OpenStream("QmA", Direction.Outbound); },
                m => Stream(m, "stream-2").TrySetProtocol("/p", out var e) ? null : e,
                "protocol:/p.peer:QmA: cannot reserve stream: resource limit exceeded", ScopeClass.ProtocolPeer),
            "service" => new LimitCase(c => c with { ServiceDefault = BaseLimit.Infinite with { StreamsOutbound = 1 } },
                m => { var a = m.OpenStream("QmA", Direction.Outbound); a.SetProtocol("/p"); a.SetService("dht"); m.OpenStream("QmB", Direction.Outbound).SetProtocol("/p"); },
                m => Stream(m, "stream-2").TrySetService("dht", out var e) ? null : e,
                "svc:dht: cannot reserve outbound stream: resource limit exceeded", ScopeClass.Service),
            "service-peer" => new LimitCase(c => c with { ServicePeerDefault = BaseLimit.Infinite with { Streams = 1 } },
                m => { var a = m.OpenStream("QmA", Direction.Outbound); a.SetProtocol("/p"); a.SetService("dht"); m.OpenStream("QmA", Direction.Inbound).SetProtocol("/q"); },
                m => Stream(m, "stream-2").TrySetService("dht", out var e) ? null : e,
                "svc:dht.peer:QmA: cannot reserve stream: resource limit exceeded", ScopeClass.ServicePeer),
            "system-memory" => new LimitCase(c => c with { System = BaseLimit.Infinite with { Memory = 1000 } },
                m => { var a = m.OpenStream("QmA", Direction.Outbound); a.SetProtocol("/p"); a.ReserveMemory(600); },
                m => Stream(m, "stream-1").TryReserveMemory(401, ReservationPriority.Always, out var e) ? null : e,
                "system: resource limit exceeded", ScopeClass.System),
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };

        var m = Infinite(tweak);
        prepare(m);
        var before = Snapshot(m);
        var subnetBefore = m.SubnetLimiter.CountFor(Ip, 32);
        long blockedBefore = m.Counters.TotalBlocked;

        var error = act(m);

        Assert.NotNull(error);
        Assert.Equal(message, error!.Message);
        Assert.Equal(cls, error.ScopeClass);
        Assert.Equal(before, Snapshot(m));
        Assert.Equal(subnetBefore, m.SubnetLimiter.CountFor(Ip, 32));
        Assert.Equal(blockedBefore + 1, m.Counters.TotalBlocked);
        Assert.Equal(1, m.Counters.Blocked(error.Resource, cls));
    }

    private sealed record LimitCase(
        Func<ConcreteLimitConfig, ConcreteLimitConfig> Tweak,
        Action<Rm> Prepare,
        Func<Rm, ResourceLimitExceededException?> Act,
        string Message,
        ScopeClass Class);

    private static ResourceLimitExceededException? OpenConn(Rm m, Direction d) =>
        m.TryOpenConnection(d, true, Ip, out _, out var e) ? null : e;

    private static StreamScope Stream(Rm m, string name) => (StreamScope)m.TryGetScopeOrThrow(name);

    [Fact]
    public void Observer_and_counters_see_allowed_and_blocked()
    {
        var seen = new RecordingObserver();
        var m = Infinite(c => c with { ProtocolDefault = BaseLimit.Infinite with { Streams = 1 } }, new ResourceManagerOptions { Observer = seen });
        var a = m.OpenStream("QmA", Direction.Inbound);
        a.SetProtocol("/p");
        a.SetService("svc");
        a.ReserveMemory(5);
        Assert.False(m.OpenStream("QmB", Direction.Inbound).TrySetProtocol("/p", out _));
        m.OpenConnection(Direction.Outbound, false, null).SetPeer("QmA");

        Assert.Equal(2, m.Counters.Allowed(ResourceKind.Stream, ScopeClass.Stream));
        Assert.Equal(1, m.Counters.Allowed(ResourceKind.Stream, ScopeClass.Protocol));
        Assert.Equal(1, m.Counters.Allowed(ResourceKind.Stream, ScopeClass.Service));
        Assert.Equal(1, m.Counters.Allowed(ResourceKind.Memory, ScopeClass.Stream));
        Assert.Equal(1, m.Counters.Allowed(ResourceKind.Connection, ScopeClass.Connection));
        Assert.Equal(1, m.Counters.Allowed(ResourceKind.Connection, ScopeClass.Peer));
        Assert.Equal(1, m.Counters.Blocked(ResourceKind.Stream, ScopeClass.Protocol));
        Assert.Equal(7, seen.Allowed);
        Assert.Equal(["protocol:/p"], seen.Blocked);
    }

    private sealed class RecordingObserver : IResourceManagerObserver
    {
        public int Allowed { get; private set; }

        public List<string> Blocked { get; } = [];

        public void OnAllowed(ResourceKind resource, ScopeClass scopeClass) => Allowed++;

        public void OnBlocked(ResourceLimitExceededException refusal) => Blocked.Add(refusal.ScopeName);
    }

    [Fact]
    public void Idle_scopes_are_removed_but_used_ones_kept()
    {
        var m = Infinite();
        m.ViewPeer("QmA", p => { p.ReserveMemory(10); return 0; });
        Assert.Equal(["QmA"], m.ListPeers()); // holds memory: kept
        m.ViewPeer("QmA", p => { p.ReleaseMemory(10); return 0; });
        Assert.Empty(m.ListPeers());
        Assert.Equal(0, m.ViewService("s", s => s.Stat.NumStreamsInbound));
        Assert.Empty(m.ListServices());
    }

    [Fact]
    public void Stats_and_views()
    {
        var m = Infinite();
        var s = m.OpenStream("QmA", Direction.Outbound);
        s.SetProtocol("/p");
        s.ReserveMemory(7);
        var st = m.Stat();
        Assert.Equal(new ScopeStat(7, 0, 1, 0, 0, 0), st.System);
        Assert.True(st.Transient.IsZero);
        Assert.Equal(new ScopeStat(7, 0, 1, 0, 0, 0), st.Protocols["/p"]);
        Assert.Equal(new ScopeStat(7, 0, 1, 0, 0, 0), st.Peers["QmA"]);
        Assert.Empty(st.Services);
        Assert.Equal(7, m.ViewSystem(x => x.Stat.Memory));
        Assert.Equal(0, m.ViewTransient(x => x.Stat.Memory));
        Assert.Equal(7, m.ViewProtocol("/p", x => x.Stat.Memory));
    }

    [Fact]
    public void SetLimit_at_run_time()
    {
        var m = Infinite();
        var a = m.OpenStream("QmA", Direction.Inbound);
        m.SetLimit("peer:QmA", BaseLimit.Infinite with { StreamsInbound = 1 });
        var e = Assert.Throws<ResourceLimitExceededException>(() => m.OpenStream("QmA", Direction.Inbound));
        Assert.Equal("peer:QmA", e.ScopeName);
        a.Done();
        // the peer scope was dropped when idle, but its limit persists in Limits
        Assert.Equal(1, m.Limits.GetPeerLimits("QmA").StreamsInbound);
        var b = m.OpenStream("QmA", Direction.Inbound);
        Assert.Throws<ResourceLimitExceededException>(() => m.OpenStream("QmA", Direction.Inbound));

        m.SetLimit("system", BaseLimit.Infinite with { StreamsOutbound = 0 });
        Assert.Equal("system", Assert.Throws<ResourceLimitExceededException>(() => m.OpenStream("QmZ", Direction.Outbound)).ScopeName);
        m.SetLimit("svc:future", new BaseLimit());
        Assert.Equal(new BaseLimit(), m.Limits.GetServiceLimits("future"));
        m.SetLimit(b.Name, new BaseLimit());
        Assert.Equal(new BaseLimit(), b.Limit);
        Assert.Equal("scopeName", Assert.Throws<InvalidInputException>(() => m.SetLimit("stream-999", new BaseLimit())).Field);
        Assert.Throws<InvalidInputException>(() => m.SetLimit("svc:x.peer:QmA", new BaseLimit()));
    }

    [Fact]
    public void Default_limits_manager_admits_a_normal_workload()
    {
        var limits = ScalingLimitConfig.DefaultLimits.Scale(4L << 30, 1000);
        var m = new Rm(limits);
        var conns = Enumerable.Range(0, 8).Select(i => m.OpenConnection(Direction.Inbound, true, IPAddress.Parse($"198.51.100.{i}"))).ToList();
        foreach (var (c, i) in conns.Select((c, i) => (c, i))) c.SetPeer($"Qm{i}");
        Assert.Equal(8, m.System.Stat.NumConnsInbound);
        foreach (var c in conns) c.Done();
        Assert.True(m.System.Stat.IsZero);
    }
}

internal static class RmTestExtensions
{
    public static ResourceScope TryGetScopeOrThrow(this PeerActors.Core.ResourceManager.ResourceManager m, string name) =>
        m.TryGetScope(name, out var s) ? s : throw new InvalidOperationException($"no scope {name}");
}
