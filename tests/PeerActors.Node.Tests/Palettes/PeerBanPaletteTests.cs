namespace PeerActors.Node.Tests.Palettes;

/// <summary><c>peeractl peer ban / bans / unban</c> on a real node: the ban reaches the selector and the limit actors over pubsub.</summary>
[Collection(PaletteCollection.Name)]
public sealed class PeerBanPaletteTests(PaletteNodeFixture node)
{
    private const string Banned = "banned-peer";

    [Fact]
    public async Task A_ban_is_listed_refused_by_the_limits_and_lifted_by_unban()
    {
        try
        {
            var ban = await node.RunAsync("peer", "ban", Banned, "spam", "--for", "1h"); // required arguments are positional
            Assert.True(ban.ExitCode == 0, ban.ToString());

            await PalettePoll.UntilAsync(async () => (await node.RunAsync("peer", "bans")).Out.Contains(Banned),
                TimeSpan.FromSeconds(10), "peer bans to list the ban");
            var json = (await node.RunAsync("--json", "peer", "bans")).Json.GetProperty("data").GetProperty("bans")[0];
            Assert.Equal((Banned, "spam"), (json.GetProperty("peerId").GetString(), json.GetProperty("reason").GetString()));

            var limits = new LimitsClient(await ActorRegistry.For(node.System).GetAsync<LimitsKey>());
            LimitRefused? refused = null;
            await PalettePoll.UntilAsync(async () => (refused = (await limits.OpenStreamAsync(Banned, Direction.Inbound)).Refused) is not null,
                TimeSpan.FromSeconds(10), "the limit actors to refuse the banned peer");
            Assert.StartsWith($"peer:{Banned}: cannot reserve inbound stream: peer banned until ", refused!.Message);
            Assert.EndsWith("(spam)", refused.Message);

            var stat = await node.RunAsync("limits", "stat", $"peer:{Banned}");
            Assert.Contains(stat.Out.Split('\n'), l => l.Contains(" why ") && l.Contains("peer banned until ") && l.Contains("(spam)"));
            Assert.Contains("(spam)", (await node.RunAsync("peer", "show", Banned)).Out);

            var bad = await node.RunAsync("peer", "ban", Banned, "spam");
            Assert.Equal(2, bad.ExitCode); // invalid-input: neither --for nor --until
            Assert.Contains("until", bad.Err + bad.Out);

            Assert.Equal(0, (await node.RunAsync("peer", "unban", Banned)).ExitCode);
            await PalettePoll.UntilAsync(async () => !(await node.RunAsync("peer", "bans")).Out.Contains(Banned),
                TimeSpan.FromSeconds(10), "the unban to reach the selector");
            await PalettePoll.UntilAsync(async () => (await limits.OpenStreamAsync(Banned, Direction.Inbound)) is { Value: { } s }
                    && (await limits.CloseAsync(s.Ref)).Ok,
                TimeSpan.FromSeconds(10), "the limit actors to admit the unbanned peer");
        }
        finally
        {
            // Keep the shared node's peer set as the other tests expect: forgotten, and gone from the selector too
            // (score inputs reach it batched, up to one publish interval later).
            await node.RunAsync("peer", "forget", Banned);
            var selector = await ActorRegistry.For(node.System).GetAsync<SelectorKey>();
            await PalettePoll.UntilAsync(async () =>
                    !(await Akka.Actor.Futures.Ask<Selection.TrackedPeersReply>(selector, Selection.GetTrackedPeers.Instance, TimeSpan.FromSeconds(5))).PeerIds.Contains(Banned),
                TimeSpan.FromSeconds(10), "the selector to forget the peer");
        }
    }
}
