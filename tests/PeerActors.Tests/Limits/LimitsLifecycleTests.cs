using System.Net;

namespace PeerActors.Tests.Limits;

public sealed class LimitsLifecycleTests : LimitsTestBase
{
    [Fact]
    public async Task Stream_lifecycle_moves_usage_between_scopes_as_in_rcmgr()
    {
        var c = Start(Uniform(L()));
        var s = (await c.OpenStreamAsync("QmA", Direction.Inbound)).Unwrap();
        Assert.Equal(InStreams(1), await Stat(c, "system"));
        Assert.Equal(InStreams(1), await Stat(c, "transient"));
        Assert.Equal(InStreams(1), await Stat(c, "peer:QmA"));
        Assert.Equal(InStreams(1), await Stat(c, s.Ref));

        (await c.SetProtocolAsync(s, "/echo/1")).Unwrap();
        Assert.Equal(InStreams(1), await Stat(c, "system"));
        Assert.Equal(default, await Stat(c, "transient"));
        Assert.Equal(InStreams(1), await Stat(c, "protocol:/echo/1"));
        Assert.Equal(InStreams(1), await Stat(c, "protocol:/echo/1.peer:QmA"));
        Assert.Equal(InStreams(1), await Stat(c, "peer:QmA"));

        (await c.SetServiceAsync(s, "streaming")).Unwrap();
        Assert.Equal(InStreams(1), await Stat(c, "svc:streaming"));
        Assert.Equal(InStreams(1), await Stat(c, "svc:streaming.peer:QmA"));
        Assert.Equal(InStreams(1), await Stat(c, "protocol:/echo/1"));
        Assert.Equal(InStreams(1), await Stat(c, "system"));

        (await c.CloseAsync(s.Ref)).Unwrap();
        foreach (var name in new[] { "system", "transient", "peer:QmA", "protocol:/echo/1", "protocol:/echo/1.peer:QmA", "svc:streaming", "svc:streaming.peer:QmA" })
            Assert.Equal(default, await StatEventually(c, name, default));
        Assert.NotNull((await c.CloseAsync(s.Ref)).Failure);
    }

    [Fact]
    public async Task Connection_lifecycle_with_set_peer()
    {
        var c = Start(Uniform(L()));
        var conn = (await c.OpenConnectionAsync(Direction.Outbound, true, IPAddress.Parse("10.0.0.1"))).Unwrap();
        var one = new ScopeStat(0, 0, 0, 0, 1, 1);
        Assert.Equal(one, await Stat(c, "system"));
        Assert.Equal(one, await Stat(c, "transient"));
        (await c.SetPeerAsync(conn, "QmB")).Unwrap();
        Assert.Equal(one, await Stat(c, "system"));
        Assert.Equal(default, await Stat(c, "transient"));
        Assert.Equal(one, await Stat(c, "peer:QmB"));
        Assert.NotNull((await c.SetPeerAsync(conn, "QmC")).Failure);
        (await c.CloseAsync(conn.Ref)).Unwrap();
        Assert.Equal(default, await Stat(c, "system"));
        Assert.Equal(default, await StatEventually(c, "peer:QmB", default));
    }

    public static TheoryData<string, string> StreamLimitCases => new()
    {
        { "system", "system: cannot reserve inbound stream: resource limit exceeded" },
        { "transient", "transient: cannot reserve inbound stream: resource limit exceeded" },
        { "peer", "peer:QmP: cannot reserve inbound stream: resource limit exceeded" },
        { "stream", "stream-1: cannot reserve inbound stream: resource limit exceeded" },
        { "protocol", "protocol:/p: cannot reserve inbound stream: resource limit exceeded" },
        { "protocolPeer", "protocol:/p.peer:QmP: cannot reserve inbound stream: resource limit exceeded" },
        { "service", "svc:s: cannot reserve inbound stream: resource limit exceeded" },
        { "servicePeer", "svc:s.peer:QmP: cannot reserve inbound stream: resource limit exceeded" },
    };

    [Theory]
    [MemberData(nameof(StreamLimitCases))]
    public async Task Limit_hit_at_each_scope_class_names_it_and_leaves_counters_unchanged(string where, string message)
    {
        var big = L();
        var one = big with { StreamsInbound = 1 };
        var zero = big with { StreamsInbound = 0 };
        var cfg = Uniform(big);
        cfg = where switch
        {
            "system" => cfg with { System = one },
            "transient" => cfg with { Transient = one },
            "peer" => cfg with { PeerDefault = one },
            "stream" => cfg with { Stream = zero },
            "protocol" => cfg with { ProtocolDefault = one },
            "protocolPeer" => cfg with { ProtocolPeerDefault = one },
            "service" => cfg with { ServiceDefault = one },
            _ => cfg with { ServicePeerDefault = one },
        };
        var c = Start(cfg);
        StreamHandle? first = null;
        if (where != "stream")
        {
            first = (await c.OpenStreamAsync("QmP", Direction.Inbound)).Unwrap();
            if (where is "protocol" or "protocolPeer" or "service" or "servicePeer")
            {
                (await c.SetProtocolAsync(first, "/p")).Unwrap();
                if (where is "service" or "servicePeer") (await c.SetServiceAsync(first, "s")).Unwrap();
            }
        }

        var before = await Snapshot(c);
        LimitRefused? refused;
        var second = await c.OpenStreamAsync("QmP", Direction.Inbound);
        if (where is "protocol" or "protocolPeer" or "service" or "servicePeer")
        {
            var h = second.Unwrap();
            before = await Snapshot(c);
            refused = (await c.SetProtocolAsync(h, "/p")).Refused;
            if (where is "service" or "servicePeer")
            {
                Assert.Null(refused);
                before = await Snapshot(c);
                refused = (await c.SetServiceAsync(h, "s")).Refused;
            }
        }
        else
        {
            refused = second.Refused;
        }

        Assert.NotNull(refused);
        Assert.Equal(message, refused!.Message);
        Assert.Equal(ResourceKind.Stream, refused.Resource);
        Assert.Equal(Direction.Inbound, refused.Direction);
        Assert.Equal(await Snapshot(c), before);
    }

    private static async Task<string> Snapshot(LimitsClient c)
    {
        var parts = new List<string>();
        foreach (var n in new[] { "system", "transient", "peer:QmP", "protocol:/p", "protocol:/p.peer:QmP", "svc:s", "svc:s.peer:QmP" })
        {
            ScopeStat s = default;
            for (int i = 0; i < 20; i++) { s = await Stat(c, n); await Task.Yield(); }
            parts.Add($"{n}={s}");
        }

        return string.Join(";", parts);
    }

    [Theory]
    [InlineData(ReservationPriority.Low, 39)]
    [InlineData(ReservationPriority.Medium, 59)]
    [InlineData(ReservationPriority.High, 79)]
    [InlineData(ReservationPriority.Always, 100)]
    public async Task Memory_priorities_use_the_rcmgr_thresholds(byte priority, int maxPercentOf25600)
    {
        // limit 25600 bytes: threshold = 25600·(1+p)/256 = 100·(1+p)
        var c = Start(Uniform(L(memory: 1 << 30)) with { PeerDefault = L(memory: 25600) });
        var s = (await c.OpenStreamAsync("QmM", Direction.Outbound)).Unwrap();
        long threshold = 100L * (1 + priority);
        Assert.True((await c.ReserveMemoryAsync(s.Ref, threshold, priority)).Ok);
        var refused = (await c.ReserveMemoryAsync(s.Ref, 1, priority)).Refused;
        Assert.NotNull(refused);
        Assert.Equal("peer:QmM: resource limit exceeded", refused!.Message);
        Assert.Equal(ResourceKind.Memory, refused.Resource);
        Assert.InRange(threshold * 100 / 25600, maxPercentOf25600 - 1, maxPercentOf25600);
        Assert.Equal(threshold, (await Stat(c, "system")).Memory);
        Assert.Equal(threshold, (await Stat(c, "transient")).Memory);
        Assert.Equal(threshold, (await Stat(c, s.Ref)).Memory);
        (await c.ReleaseMemoryAsync(s.Ref, threshold)).Unwrap();
        Assert.Equal(0, (await StatEventually(c, "system", OutStreams(1))).Memory);
        Assert.NotNull((await c.ReserveMemoryAsync(s.Ref, -1)).Failure);
    }

    [Fact]
    public async Task Memory_refused_by_a_remote_edge_rolls_back_every_leg()
    {
        var c = Start(Uniform(L(memory: 1 << 20)) with { ServiceDefault = L(memory: 1000) });
        var s = (await c.OpenStreamAsync("QmR", Direction.Outbound)).Unwrap();
        (await c.SetProtocolAsync(s, "/r")).Unwrap();
        (await c.SetServiceAsync(s, "svc")).Unwrap();
        var refused = (await c.ReserveMemoryAsync(s.Ref, 2000)).Refused;
        Assert.Equal("svc:svc: resource limit exceeded", refused!.Message);
        foreach (var n in new[] { "system", "peer:QmR", "protocol:/r", "protocol:/r.peer:QmR", "svc:svc", "svc:svc.peer:QmR" })
            Assert.Equal(0, (await StatEventually(c, n, OutStreams(1))).Memory);
        Assert.True((await c.ReserveMemoryAsync(s.Ref, 500)).Ok);
        Assert.Equal(500, (await Stat(c, "svc:svc.peer:QmR")).Memory);
        Assert.Equal(500, (await Stat(c, "system")).Memory);
    }

    [Fact]
    public async Task Allowlisted_endpoint_is_admitted_when_system_is_full()
    {
        var cfg = Uniform(L()) with { System = L(conns: 1) };
        var c = Start(cfg, allowlist: ["10.1.0.0/16"]);
        Assert.True((await c.OpenConnectionAsync(Direction.Inbound, false, IPAddress.Parse("192.168.1.1"))).Ok);
        var refused = (await c.OpenConnectionAsync(Direction.Inbound, false, IPAddress.Parse("192.168.1.2"))).Refused;
        Assert.Equal("system: cannot reserve inbound connection: resource limit exceeded", refused!.Message);
        var ok = await c.OpenConnectionAsync(Direction.Inbound, false, IPAddress.Parse("10.1.2.3"));
        Assert.True(ok.Ok);
        Assert.Equal(1, (await Stat(c, "allowlistedSystem")).NumConnsInbound);
        Assert.Equal(1, (await Stat(c, "system")).NumConnsInbound);
    }

    [Fact]
    public async Task Subnet_limit_refuses_the_ninth_connection_from_one_ipv4_address()
    {
        var c = Start(Uniform(L()));
        for (int i = 0; i < 8; i++)
            Assert.True((await c.OpenConnectionAsync(Direction.Inbound, false, IPAddress.Parse("203.0.113.9"))).Ok);
        var r = (await c.OpenConnectionAsync(Direction.Inbound, false, IPAddress.Parse("203.0.113.9"))).Refused;
        Assert.NotNull(r);
        Assert.Equal(ScopeClass.Subnet, r!.ScopeClass);
        Assert.Equal(8, (await Stat(c, "system")).NumConnsInbound);
    }

    [Fact]
    public async Task Idle_scope_actors_are_stopped_when_empty()
    {
        var c = Start(Uniform(L()));
        var s = (await c.OpenStreamAsync("QmIdle", Direction.Inbound)).Unwrap();
        (await c.SetProtocolAsync(s, "/idle")).Unwrap();
        (await c.SetServiceAsync(s, "idle")).Unwrap();
        Assert.Single((await c.ListPeersAsync()).Unwrap().Scopes);
        var peerActor = s.Owner;
        Watch(peerActor);
        (await c.CloseAsync(s.Ref)).Unwrap();
        ExpectTerminated(peerActor);
        await AssertNoLiveChildScopesEventually(c);
        // a new stream to the same peer gets a new actor
        var s2 = (await c.OpenStreamAsync("QmIdle", Direction.Inbound)).Unwrap();
        Assert.NotEqual(peerActor, s2.Owner);
    }

    [Fact]
    public async Task Lists_report_live_scopes_with_stats()
    {
        var c = Start(Uniform(L()));
        var a = (await c.OpenStreamAsync("QmL1", Direction.Inbound)).Unwrap();
        var b = (await c.OpenStreamAsync("QmL2", Direction.Outbound)).Unwrap();
        (await c.SetProtocolAsync(a, "/x")).Unwrap();
        (await c.SetServiceAsync(a, "sx")).Unwrap();
        var peers = (await c.ListPeersAsync()).Unwrap().Scopes;
        Assert.Equal(InStreams(1), peers["QmL1"]);
        Assert.Equal(OutStreams(1), peers["QmL2"]);
        Assert.Equal(InStreams(1), (await c.ListProtocolsAsync()).Unwrap().Scopes["/x"]);
        Assert.Equal(InStreams(1), (await c.ListServicesAsync()).Unwrap().Scopes["sx"]);
        _ = b;
    }

    [Fact]
    public async Task SetLimit_at_run_time_applies_to_new_reservations()
    {
        var c = Start(Uniform(L()));
        var s1 = (await c.OpenStreamAsync("QmS", Direction.Inbound)).Unwrap();
        (await c.SetLimitAsync("peer:QmS", L() with { StreamsInbound = 1 })).Unwrap();
        Assert.Equal("peer:QmS: cannot reserve inbound stream: resource limit exceeded",
            (await c.OpenStreamAsync("QmS", Direction.Inbound)).Refused!.Message);
        (await c.SetLimitAsync("system", L() with { Streams = 1 })).Unwrap();
        Assert.Equal("system: cannot reserve stream: resource limit exceeded",
            (await c.OpenStreamAsync("QmOther", Direction.Outbound)).Refused!.Message);
        Assert.Equal(1, (await c.StatAsync("system")).Unwrap().Limit.Streams);
        // config-recorded: a peer created later gets it
        (await c.SetLimitAsync("peer:QmLater", L() with { StreamsOutbound = 0 })).Unwrap();
        (await c.SetLimitAsync("system", L())).Unwrap();
        Assert.Equal(ScopeClass.Peer, (await c.OpenStreamAsync("QmLater", Direction.Outbound)).Refused!.ScopeClass);
        Assert.Equal(0, (await c.GetLimitsAsync()).Unwrap().Limits.Peer["QmLater"].StreamsOutbound);
        Assert.NotNull((await c.SetLimitAsync("svc:nope.peer:QmX", L())).Failure);
        _ = s1;
    }

    [Fact]
    public async Task Spans_reserve_through_their_parent_and_release_on_done()
    {
        var c = Start(Uniform(L()));
        var s = (await c.OpenStreamAsync("QmSp", Direction.Inbound)).Unwrap();
        var span = (await c.BeginSpanAsync(s.Ref)).Unwrap();
        (await c.ReserveMemoryAsync(span.Ref, 100)).Unwrap();
        Assert.Equal(100, (await Stat(c, s.Ref)).Memory);
        Assert.Equal(100, (await Stat(c, "system")).Memory);
        (await c.DoneAsync(span)).Unwrap();
        Assert.Equal(0, (await Stat(c, s.Ref)).Memory);
        Assert.Equal(0, (await StatEventually(c, "system", InStreams(1))).Memory);
        var peerSpan = (await c.BeginSpanAsync(ScopeRef.Named("peer:QmSp"))).Unwrap();
        (await c.ReserveMemoryAsync(peerSpan.Ref, 7)).Unwrap();
        Assert.Equal(7, (await Stat(c, "peer:QmSp")).Memory);
        (await c.DoneAsync(peerSpan)).Unwrap();
        Assert.Equal(0, (await StatEventually(c, "system", InStreams(1))).Memory);
    }

    [Fact]
    public async Task Invalid_requests_are_typed_failures_not_timeouts()
    {
        var c = Start(Uniform(L()));
        Assert.Equal("peerId", (await c.OpenStreamAsync("", Direction.Inbound)).Failure!.Field);
        var s = (await c.OpenStreamAsync("QmI", Direction.Inbound)).Unwrap();
        Assert.NotNull((await c.SetServiceAsync(s, "svc")).Failure); // no protocol yet
        Assert.NotNull((await c.StatAsync("stream-999")).Failure);
        Assert.Equal(default, (await c.StatAsync("peer:QmNever")).Unwrap().Stat);
    }
}
