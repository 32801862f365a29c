namespace PeerActors.Tests.Limits;

/// <summary>
/// <c>CloseStream</c> (one-way close, rcmgr's <c>Done()</c>): no answer, one message to the peer actor and one to the
/// root, which releases system at once and holds the protocol / service releases until a chain goes there or
/// <c>HeldReleaseDelay</c> passes.
/// </summary>
public sealed class LimitsOneWayCloseTests : LimitsTestBase
{
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);

    public static TheoryData<string, string?, string?, bool> Streams => new()
    {
        // name, protocol, service, combined open
        { "combined open with a service", "/p", "svc", true },
        { "combined open without a service", "/p", null, true },
        { "open, SetProtocol, SetService", "/p", "svc", false },
        { "open only", null, null, false },
    };

    [Theory]
    [MemberData(nameof(Streams))]
    public async Task A_one_way_close_releases_every_scope_the_stream_held(string name, string? protocol, string? service, bool combined)
    {
        _ = name;
        var c = Start(Uniform(L()));
        StreamHandle s;
        if (combined)
        {
            s = (await c.OpenStreamAsync("QmA", Direction.Inbound, protocol!, service)).Unwrap();
        }
        else
        {
            s = (await c.OpenStreamAsync("QmA", Direction.Inbound)).Unwrap();
            if (protocol is not null) (await c.SetProtocolAsync(s, protocol)).Unwrap();
            if (service is not null) (await c.SetServiceAsync(s, service)).Unwrap();
        }

        var held = new List<string> { "system", "peer:QmA" };
        if (protocol is not null) held.AddRange(["protocol:" + protocol, $"protocol:{protocol}.peer:QmA"]);
        else held.Add("transient");
        if (service is not null) held.AddRange(["svc:" + service, $"svc:{service}.peer:QmA"]);
        foreach (var scope in held)
            Assert.Equal(InStreams(1), await Stat(c, scope));

        c.CloseStream(s);
        foreach (var scope in held)
            Assert.Equal(default, await StatEventually(c, scope, default));
        Assert.NotNull((await c.CloseAsync(s.Ref)).Failure); // closed: an answered close now fails
        c.CloseStream(s); // and a second one-way close is ignored
        await AssertNoLiveChildScopesEventually(c);
    }

    [Fact]
    public async Task Held_protocol_and_service_releases_ride_on_the_next_combined_open_through_them()
    {
        // Room for one stream in the protocol and the service, and the delay never fires: only the second open's chain
        // can bring the first stream's releases, and it applies them before it reserves.
        var c = Start(Uniform(L()) with { ProtocolDefault = L(streams: 1), ServiceDefault = L(streams: 1) }, heldReleaseDelay: Never);
        var first = (await c.OpenStreamAsync("QmA", Direction.Outbound, "/p", "svc")).Unwrap();
        c.CloseStream(first);
        Assert.Equal(default, await StatEventually(c, "system", default)); // the root has the close's releases

        var second = await c.OpenStreamAsync("QmB", Direction.Outbound, "/p", "svc");
        Assert.True(second.Ok, second.Refused?.Message);
        Assert.Equal(OutStreams(1), await Stat(c, "protocol:/p"));
        Assert.Equal(OutStreams(1), await Stat(c, "svc:svc"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_protocol_full_only_of_held_releases_takes_them_before_refusing_a_chain_from_a_peer_actor(bool oneWay)
    {
        // Room for one stream in the protocol, and the delay never fires. The second stream (same peer: its actor holds
        // the protocol actor's reference) sets its protocol with SetProtocol, a chain from the peer actor straight to the
        // protocol actor, which would refuse: it asks the root for the releases it holds, and reserves again.
        var c = Start(Uniform(L()) with { ProtocolDefault = L(streams: 1) }, heldReleaseDelay: Never);
        var first = (await c.OpenStreamAsync("QmA", Direction.Inbound, "/p", null)).Unwrap();
        if (oneWay)
        {
            c.CloseStream(first);
            Assert.Equal(default, await StatEventually(c, "system", default)); // the root has the close's releases
        }
        else
        {
            (await c.CloseAsync(first.Ref)).Unwrap(); // the answer promises that later requests see the release
        }

        var second = (await c.OpenStreamAsync("QmA", Direction.Inbound)).Unwrap();
        var set = await c.SetProtocolAsync(second, "/p");
        Assert.True(set.Ok, set.Refused?.Message);
        Assert.Equal(InStreams(1), await Stat(c, "protocol:/p"));

        // A refusal is still a refusal once nothing is held: the scope is full of a live stream.
        var third = (await c.OpenStreamAsync("QmA", Direction.Inbound)).Unwrap();
        Assert.Equal("protocol:/p", (await c.SetProtocolAsync(third, "/p")).Refused?.Scope);
    }

    [Fact]
    public async Task Every_leg_of_a_peer_actors_chain_takes_its_held_releases_before_refusing()
    {
        // The protocol and the service are both full of a closed stream's memory, held by the root (the delay never
        // fires). A memory reservation on a second stream chains protocol → service → root: each keyed leg would refuse
        // and asks the root for its held releases in turn.
        const long size = 4096;
        var c = Start(Uniform(L()) with { ProtocolDefault = L(memory: size), ServiceDefault = L(memory: size) }, heldReleaseDelay: Never);
        var first = (await c.OpenStreamAsync("QmA", Direction.Inbound, "/p", "svc")).Unwrap();
        (await c.ReserveMemoryAsync(first.Ref, size)).Unwrap();
        (await c.CloseAsync(first.Ref)).Unwrap();

        var second = (await c.OpenStreamAsync("QmA", Direction.Inbound)).Unwrap();
        (await c.SetProtocolAsync(second, "/p")).Unwrap();
        (await c.SetServiceAsync(second, "svc")).Unwrap();
        var reserved = await c.ReserveMemoryAsync(second.Ref, size);
        Assert.True(reserved.Ok, reserved.Refused?.Message);
        foreach (var scope in new[] { "protocol:/p", "svc:svc" })
            Assert.Equal(size, (await Stat(c, scope)).Memory);
    }

    [Fact]
    public async Task Held_releases_reach_a_protocol_no_request_goes_through_after_the_delay()
    {
        // No sweep and no request through the root: only the delay can send them. The protocol actor is asked directly
        // (through the root, a stat would send them first).
        var c = Start(Uniform(L()), idleSweep: Never, heldReleaseDelay: TimeSpan.FromMilliseconds(20));
        var s = (await c.OpenStreamAsync("QmA", Direction.Inbound, "/p", "svc")).Unwrap();
        c.CloseStream(s);
        var probe = CreateTestProbe();
        await AwaitAssertAsync(async () =>
        {
            Sys.ActorSelection(c.Root.Path / "protocol-*").Tell(new GetStat(ScopeRef.Named("protocol:/p")), probe.Ref);
            Assert.Equal(default, (await probe.ExpectMsgAsync<ScopeStatReply>()).Stat);
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Storms_of_one_way_and_answered_closes_with_actors_stopped_underneath_never_overcommit_and_return_to_zero(int seed)
    {
        // The sweep runs every millisecond, so peer actors (and their leases) come and go while the root holds
        // releases for the protocol and service actors.
        var cfg = CombinedOpenStormConfig();
        var c = Start(cfg, idleSweep: TimeSpan.FromMilliseconds(1), heldReleaseDelay: TimeSpan.FromMilliseconds(5));
        async Task Step(Random rnd, string peer)
        {
            var open = await OpenRandomStreamAsync(c, rnd, peer);
            if (!open.Ok) return;
            var s = open.Value!;
            if (rnd.Next(3) == 0 && (await c.SetProtocolAsync(s, StormProtocols[rnd.Next(StormProtocols.Length)])).Ok)
                await c.SetServiceAsync(s, StormServices[rnd.Next(StormServices.Length)]);
            if (rnd.Next(2) == 0) c.CloseStream(s);
            else await c.CloseAsync(s.Ref);
            if (rnd.Next(4) == 0) await Task.Delay(rnd.Next(1, 6));
        }

        await RunStormNeverOverCommitting(c, cfg, seed, Step);
    }
}

/// <summary>Message counts of stream cycles; alone (the counters are process-wide, so no other test may run meanwhile).</summary>
[CollectionDefinition(nameof(LimitsMessageCountCollection), DisableParallelization = true)]
public sealed class LimitsMessageCountCollection;

[Collection(nameof(LimitsMessageCountCollection))]
public sealed class LimitsMessageCountTests : LimitsTestBase
{
    public static TheoryData<string, bool, bool, int> Cycles => new()
    {
        // cycle, combined open, one-way close, messages per cycle (limit actors' deliveries + replies to the client)
        { "open, SetProtocol, SetService, Close: 3 + 5 + 4 + 3", false, false, 15 },
        { "open, SetProtocol, SetService, one-way close: 3 + 5 + 4 + 2", false, true, 14 },
        { "combined open + Close: 5 (client→root→protocol→service→peer→client) + 3 (client→peer, peer→root, answer)", true, false, 8 },
        { "combined open + one-way close: 5 + 2 (client→peer, peer→root; the held releases ride on the next open)", true, true, 7 },
    };

    [Theory]
    [MemberData(nameof(Cycles))]
    public async Task A_stream_cycle_costs(string cycle, bool combined, bool oneWay, int messages)
    {
        _ = cycle;
        // No sweep and no delayed release during the count: every message counted belongs to a cycle.
        var c = Start(Uniform(L()), idleSweep: TimeSpan.FromHours(1), heldReleaseDelay: TimeSpan.FromHours(1));
        async Task Cycle()
        {
            StreamHandle s;
            if (combined)
            {
                s = (await c.OpenStreamAsync("QmA", Direction.Outbound, "/p", "svc")).Unwrap();
            }
            else
            {
                s = (await c.OpenStreamAsync("QmA", Direction.Outbound)).Unwrap();
                (await c.SetProtocolAsync(s, "/p")).Unwrap();
                (await c.SetServiceAsync(s, "svc")).Unwrap();
            }

            if (oneWay) c.CloseStream(s);
            else (await c.CloseAsync(s.Ref)).Unwrap();
        }

        await Cycle(); // creates the actors and leases their references (messages counted in no cycle)
        await StatEventually(c, "system", default);
        const int cycles = 20;
        try
        {
            LimitsDiagnostics.Reset();
            LimitsDiagnostics.Enabled = true;
            for (int i = 0; i < cycles; i++) await Cycle();
            // The last close's messages may still be in flight: wait until none arrives for a while.
            for (int quiet = 0; quiet < 5;)
            {
                long before = Interlocked.Read(ref LimitsDiagnostics.ActorMessages);
                await Task.Delay(20);
                quiet = Interlocked.Read(ref LimitsDiagnostics.ActorMessages) == before ? quiet + 1 : 0;
            }
        }
        finally
        {
            LimitsDiagnostics.Enabled = false;
        }

        long total = Interlocked.Read(ref LimitsDiagnostics.ActorMessages) + Interlocked.Read(ref LimitsDiagnostics.Replies);
        Assert.Equal(messages * cycles, total);
    }
}
