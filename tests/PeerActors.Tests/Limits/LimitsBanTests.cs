using PeerActors.Tests.Peers;

namespace PeerActors.Tests.Limits;

/// <summary>Bans at the limit actors: learnt from the peers' score inputs, refused at <c>peer:ID</c>, expiring on the observation clock.</summary>
public sealed class LimitsBanTests : LimitsTestBase
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static PeerScoreInputs Inputs(string id, long version, DateTimeOffset? bannedUntil, string? reason = "spam") =>
        new(new PeerStatsState { PeerId = PeerId.Parse(id), ConnectedAt = T0, RtoMs = 1000 }, version, [], [],
            BannedUntil: bannedUntil, BanReason: bannedUntil is null ? null : reason);

    [Fact]
    public async Task A_banned_peer_is_refused_streams_and_connections_at_its_peer_scope_with_the_expiry_in_the_message()
    {
        var c = Start(Uniform(L()));
        c.Root.Tell(Inputs("QmBad", 1, T0.AddHours(1)));

        var stream = await c.SendAsync(new OpenStream("QmBad", Direction.Inbound, T0));
        var refused = Assert.IsType<LimitRefused>(stream);
        Assert.Equal("peer:QmBad: cannot reserve inbound stream: peer banned until 2025-03-01T13:00:00Z (spam)", refused.Message);
        Assert.Equal((ScopeClass.Peer, T0.AddHours(1)), (refused.ScopeClass, refused.BannedUntil));

        var conn = (await c.OpenConnectionAsync(Direction.Outbound, true, null)).Unwrap();
        var setPeer = await c.SendAsync(new SetPeer(conn, "QmBad", T0.AddMinutes(59)));
        Assert.Equal("peer:QmBad: cannot reserve outbound connection: peer banned until 2025-03-01T13:00:00Z (spam)",
            Assert.IsType<LimitRefused>(setPeer).Message);
        Assert.Equal(default, await Stat(c, "peer:QmBad")); // nothing reserved for the banned peer
        Assert.Equal(InStreams(0), await Stat(c, "transient") with { NumConnsOutbound = 0, NumFD = 0 }); // the refused stream was rolled back
        Assert.True((await c.SetPeerAsync(conn, "QmGood")).Ok); // the same connection may go to another peer
        Assert.True((await c.OpenStreamAsync("QmGood", Direction.Inbound)).Ok);
    }

    [Fact]
    public async Task A_ban_expires_on_the_observation_clock()
    {
        var c = Start(Uniform(L()));
        c.Root.Tell(Inputs("QmX", 1, T0.AddMinutes(30)));
        Assert.IsType<LimitRefused>(await c.SendAsync(new OpenStream("QmX", Direction.Outbound, T0.AddMinutes(30).AddTicks(-1))));
        Assert.IsType<StreamOpened>(await c.SendAsync(new OpenStream("QmX", Direction.Outbound, T0.AddMinutes(30))));
    }

    [Fact]
    public async Task An_unban_lifts_the_ban_and_a_late_older_update_does_not_restore_it()
    {
        var c = Start(Uniform(L()));
        c.Root.Tell(Inputs("QmX", 3, T0.AddHours(1)));
        c.Root.Tell(Inputs("QmX", 5, null));
        c.Root.Tell(Inputs("QmX", 4, T0.AddHours(1))); // late
        Assert.IsType<StreamOpened>(await c.SendAsync(new OpenStream("QmX", Direction.Inbound, T0)));
        var bans = Assert.IsType<BanListReply>(await c.SendAsync(new ListBans(T0)));
        Assert.Empty(bans.Bans);
    }

    [Fact]
    public async Task A_ban_sent_to_the_peer_actor_reaches_the_limits_through_its_published_inputs()
    {
        var c = Start(Uniform(L()));
        var id = PeerTestConfig.NewPeer();
        var peer = Sys.ActorOf(PeerActor.Props(id, PeerTestConfig.Fast(), new ActorRefScoreInputsPublisher(c.Root)));
        peer.Tell(new Ban(id, null, TimeSpan.FromMinutes(10), "payment defaults", T0), TestActor);
        ExpectMsg<CommandAck>();
        var r = Assert.IsType<LimitRefused>(await c.SendAsync(new OpenStream(id, Direction.Inbound, T0.AddMinutes(1))));
        Assert.Contains("peer banned until 2025-03-01T12:10:00Z (payment defaults)", r.Message);
        Assert.Throws<ResourceLimitExceededException>(() => new LimitsResult<StreamHandle>(null, r, null).Unwrap());
    }

    private IActorRef StartSelector() =>
        Sys.ActorOf(SelectorActor.Props(new SelectorOptions { ActorName = "selector-" + Guid.NewGuid().ToString("N") }));

    [Fact]
    public async Task A_limits_root_started_after_the_selector_enforces_the_bans_the_selector_already_holds()
    {
        var selector = StartSelector();
        selector.Tell(Inputs("QmOld", 2, T0.AddHours(1)));
        selector.Tell(Inputs("QmFine", 2, null));
        var c = Start(Uniform(L())); // a restarted node: the ban was published before this root existed

        await AwaitAssertAsync(async () =>
            Assert.IsType<LimitRefused>(await c.SendAsync(new OpenStream("QmOld", Direction.Inbound, T0))));
        Assert.IsType<StreamOpened>(await c.SendAsync(new OpenStream("QmFine", Direction.Inbound, T0)));
    }

    [Fact]
    public async Task A_limits_root_started_before_the_selector_gets_the_bans_and_unbans_it_applies_later()
    {
        var c = Start(Uniform(L()));
        var selector = StartSelector();
        selector.Tell(Inputs("QmX", 3, T0.AddHours(1)));
        await AwaitAssertAsync(async () =>
            Assert.IsType<LimitRefused>(await c.SendAsync(new OpenStream("QmX", Direction.Outbound, T0))));

        selector.Tell(Inputs("QmX", 4, null)); // lifted: relayed although the update carries no ban
        await AwaitAssertAsync(async () =>
            Assert.IsType<StreamOpened>(await c.SendAsync(new OpenStream("QmX", Direction.Outbound, T0))));
        Assert.Empty(Assert.IsType<BanListReply>(await c.SendAsync(new ListBans(T0))).Bans);
    }
}
