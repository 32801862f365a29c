using static PeerActors.Tests.SelectionActor.SelectorTestData;

namespace PeerActors.Tests.SelectionActor;

/// <summary>The selector excludes banned peers (every strategy, from <see cref="PeerScoreInputs.BannedUntil"/>) and lists bans.</summary>
public class SelectorBanTests : TestKit
{
    private readonly IActorRef _selector;
    private readonly SelectorClient _client;

    public SelectorBanTests()
    {
        _selector = Sys.ActorOf(SelectorActor.Props(new SelectorOptions { SyncOnStart = false }, new FixedTime(T0)));
        _client = new SelectorClient(_selector, TimeSpan.FromSeconds(5));
        _selector.Tell(Inputs(Peer("good", 10, 10, 30)));
        _selector.Tell(Inputs(Peer("ok", 10, 8, 80)));
        _selector.Tell(Inputs(Peer("bad", 10, 10, 10)) with { Version = 2, BannedUntil = T0.AddHours(1), BanReason = "spam" });
    }

    public static TheoryData<SelectionStrategy> Strategies() => new(Enum.GetValues<SelectionStrategy>());

    [Theory]
    [MemberData(nameof(Strategies))]
    public async Task A_banned_peer_is_never_selected_while_the_ban_lasts(SelectionStrategy strategy)
    {
        var during = await _client.SelectAsync(new SelectPeers(strategy, Fairness: false, Seed: 3));
        Assert.Equal(["good", "ok"], during.Ids.Order());
        var after = await _client.SelectAsync(new SelectPeers(strategy, Fairness: false, Seed: 3, Now: T0.AddHours(1)));
        Assert.Contains("bad", after.Ids);
    }

    [Fact]
    public async Task Bans_are_listed_with_expiry_and_reason_and_an_unban_removes_them()
    {
        var reply = await _selector.Ask<BansReply>(new GetBans());
        var ban = Assert.Single(reply.Bans);
        Assert.Equal(new BanEntry("bad", T0.AddHours(1), "spam", true), ban);
        Assert.Empty((await _selector.Ask<BansReply>(new GetBans(T0.AddHours(2)))).Bans);
        Assert.Single((await _selector.Ask<BansReply>(new GetBans(T0.AddHours(2), IncludeExpired: true))).Bans);

        _selector.Tell(Inputs(Peer("bad", 10, 10, 10)) with { Version = 3 });
        Assert.Empty((await _selector.Ask<BansReply>(new GetBans())).Bans);
        Assert.Contains("bad", (await _client.SelectAsync(new SelectPeers(Fairness: false))).Ids);
    }
}
