using System.Net;

namespace PeerActors.Tests.Limits;

/// <summary>
/// SetProtocol, SetService and Close go from the client straight to the stream's peer actor, which reaches the
/// protocol / service actors through references leased from the root. These tests drive the idle sweep hard (1 ms) so
/// that actors are stopped and re-created between and during cycles.
/// </summary>
public sealed class LimitsDirectPathTests : LimitsTestBase
{
    private static readonly TimeSpan FastSweep = TimeSpan.FromMilliseconds(1);

    /// <summary>A bound on a call that would otherwise wait forever if its message were lost (a failure, not a timing assertion).</summary>
    private static CancellationToken NoHang() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Fact]
    public async Task A_protocol_actor_idle_between_streams_is_not_stopped_while_a_peer_actor_holds_its_reference()
    {
        // The connection keeps QmA's actor (and the protocol / service references it caches) alive, while the
        // protocol and service actors are idle after every close and probed every millisecond. Were one stopped, the
        // next SetProtocol / SetService chain sent to the cached reference would be lost and the call never answered.
        var c = Start(Uniform(L()), idleSweep: FastSweep);
        var conn = (await c.OpenConnectionAsync(Direction.Inbound, false, IPAddress.Parse("198.51.100.7"))).Unwrap();
        (await c.SetPeerAsync(conn, "QmA")).Unwrap();
        var rnd = new Random(15);
        for (int i = 0; i < 150; i++)
        {
            var s = (await c.OpenStreamAsync("QmA", Direction.Inbound, NoHang())).Unwrap();
            (await c.SetProtocolAsync(s, "/race", NoHang())).Unwrap();
            Assert.Equal(InStreams(1), await Stat(c, "protocol:/race.peer:QmA"));
            (await c.SetServiceAsync(s, "race", NoHang())).Unwrap();
            Assert.Equal(InStreams(1), await Stat(c, "svc:race.peer:QmA"));
            (await c.CloseAsync(s.Ref, NoHang())).Unwrap();
            if (rnd.Next(3) == 0) await Task.Delay(rnd.Next(1, 8)); // several sweeps while the keyed actors are idle
        }

        foreach (var name in new[] { "transient", "protocol:/race", "protocol:/race.peer:QmA", "svc:race", "svc:race.peer:QmA" })
            Assert.Equal(default, await StatEventually(c, name, default));
        var oneConnection = new ScopeStat(0, 0, 0, 1, 0, 0);
        Assert.Equal(oneConnection, await StatEventually(c, "system", oneConnection));
        Assert.Equal(oneConnection, await Stat(c, "peer:QmA"));

        // Once the peer actor goes (its connection closed), nothing holds the references: every actor is stopped.
        (await c.CloseAsync(conn.Ref)).Unwrap();
        await AssertNoLiveChildScopesEventually(c);
    }

    [Fact]
    public async Task Requests_for_a_closed_stream_whose_peer_actor_was_stopped_answer_closed()
    {
        var c = Start(Uniform(L()));
        var s = (await c.OpenStreamAsync("QmGone", Direction.Outbound)).Unwrap();
        (await c.SetProtocolAsync(s, "/p")).Unwrap();
        (await c.CloseAsync(s.Ref)).Unwrap();
        Watch(s.Owner);
        ExpectTerminated(s.Owner);

        // Sent straight to the stopped owner: answered from dead letters as the root answers.
        var close = await c.CloseAsync(s.Ref, NoHang());
        Assert.Equal($"{s.Name}: resource scope closed", close.Failure?.Message);
        var set = await c.SetServiceAsync(s, "svc", NoHang());
        Assert.Equal("stream", set.Failure?.Field);
        Assert.Equal($"{s.Name}: resource scope closed", set.Failure?.Message);
        Assert.Equal("protocol", (await c.SetProtocolAsync(s, "bad id", NoHang())).Failure?.Field);
        Assert.True((await c.ReleaseMemoryAsync(s.Ref, 10, NoHang())).Ok); // rcmgr: ignored once closed
        Assert.NotNull((await c.StatAsync(s.Ref, NoHang())).Failure);

        // The same requests sent to the root give the same answers.
        Assert.Equal(close.Failure, Assert.IsType<LimitsFailure>(await c.SendAsync(new Close(s.Ref))));
        Assert.Equal(set.Failure, Assert.IsType<LimitsFailure>(await c.SendAsync(new SetService(s, "svc"))));
    }

    [Fact]
    public async Task SetProtocol_and_SetService_sent_to_the_root_are_routed_to_the_stream_owner()
    {
        var c = Start(Uniform(L()));
        var s = (await c.OpenStreamAsync("QmR", Direction.Inbound)).Unwrap();
        Assert.IsType<LimitsAck>(await c.SendAsync(new SetProtocol(s, "/r")));
        Assert.IsType<LimitsAck>(await c.SendAsync(new SetService(s, "r")));
        Assert.Equal(InStreams(1), await Stat(c, "svc:r.peer:QmR"));
        Assert.Equal(default, await StatEventually(c, "transient", default));
        Assert.IsType<LimitsAck>(await c.SendAsync(new Close(s.Ref)));
        foreach (var name in new[] { "system", "protocol:/r", "svc:r" })
            Assert.Equal(default, await StatEventually(c, name, default));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Storms_with_actors_stopped_and_recreated_underneath_never_overcommit_and_return_to_zero(int seed)
    {
        // Peers come and go with their connections, so peer actors (and with them the leases of the protocol and
        // service actors) are stopped and re-created during the storm, while the sweep runs every millisecond.
        var cfg = Uniform(L(streams: 1000, conns: 1000, memory: 1 << 30)) with
        {
            System = L(streams: 12, conns: 1000), Transient = L(streams: 6, conns: 1000), PeerDefault = L(streams: 4),
            ProtocolDefault = L(streams: 5), ProtocolPeerDefault = L(streams: 2),
            ServiceDefault = L(streams: 4), ServicePeerDefault = L(streams: 2),
        };
        var c = Start(cfg, idleSweep: FastSweep);

        async Task Step(Random rnd, string peer)
        {
            ConnectionHandle? conn = null;
            if (rnd.Next(4) == 0)
            {
                conn = (await c.OpenConnectionAsync(Direction.Outbound, false, null, NoHang())).Unwrap();
                if (!(await c.SetPeerAsync(conn, peer, NoHang())).Ok) conn = null;
            }

            var open = rnd.Next(3) == 0
                ? await c.OpenStreamAsync(peer, Direction.Outbound, StormProtocols[rnd.Next(StormProtocols.Length)], StormServices[rnd.Next(StormServices.Length)], null, NoHang())
                : await c.OpenStreamAsync(peer, Direction.Inbound, NoHang());
            if (open.Ok)
            {
                var s = open.Value!;
                if (rnd.Next(3) > 0 && (await c.SetProtocolAsync(s, StormProtocols[rnd.Next(StormProtocols.Length)], NoHang())).Ok)
                    await c.SetServiceAsync(s, StormServices[rnd.Next(StormServices.Length)], NoHang());
                if (rnd.Next(3) == 0) await Task.Delay(rnd.Next(1, 4));
                Assert.True((await c.CloseAsync(s.Ref, NoHang())).Ok);
            }

            if (conn is not null) Assert.True((await c.CloseAsync(conn.Ref, NoHang())).Ok);
            if (rnd.Next(4) == 0) await Task.Delay(rnd.Next(1, 6)); // let the sweep stop idle actors
        }

        await RunStormNeverOverCommitting(c, cfg, seed, Step);
    }
}
