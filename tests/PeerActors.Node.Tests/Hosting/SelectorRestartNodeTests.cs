using PeerActors.Peers;

namespace PeerActors.Node.Tests.Hosting;

/// <summary>
/// Issue 11, "the selector needs no wake-up", on the full node composition (SQLite, hocon.conf keys): a restarted node's
/// selector answers with every peer from its own snapshot without waking a peer actor.
/// </summary>
public sealed class SelectorRestartNodeTests() : TempDataDirNode("peeractors-selector-restart-")
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    // Port 0 on both runs (TempDataDirNode): each start gets another port, and the node still finds its snapshot
    // (on SQLite the selector's snapshot id is fixed).
    private static async Task<(IActorRef Region, IActorRef Selector)> StartNodeAsync(IHost host)
    {
        var registry = await StartAsync(host);
        return (registry.Get<PeerRegionKey>(), registry.Get<SelectorKey>());
    }

    private static async Task<SelectorBootstrapStatus> AwaitStartup(IActorRef selector)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var s = await selector.Ask<SelectorBootstrapStatus>(GetSelectorBootstrapStatus.Instance, Timeout);
            if (s.Complete) return s;
            Assert.True(DateTime.UtcNow < deadline, $"selector start-up not complete: {s}");
            await Task.Delay(50);
        }
    }

    private static async Task<IReadOnlyList<string>> Tracked(IActorRef selector) =>
        await new SelectorClient(selector, Timeout).TrackedPeersAsync(Timeout);

    [Fact]
    public async Task A_restarted_node_selector_tracks_its_peers_from_its_snapshot_without_waking_them()
    {
        string[] peers = ["peer-restart-a", "peer-restart-b", "peer-restart-c"];
        using (var host = NodeComposition.BuildHost(Settings("peeractors.selector.snapshot-interval=300ms")))
        {
            var (region, selector) = await StartNodeAsync(host);
            await AwaitStartup(selector);
            foreach (var p in peers) Assert.IsType<CommandAck>(await region.Ask<object>(new RecordPayment(p, 21, T0), Timeout));
            var deadline = DateTime.UtcNow + Timeout;
            while ((await Tracked(selector)).Count < peers.Length && DateTime.UtcNow < deadline) await Task.Delay(50);
            await Task.Delay(1500); // a few snapshot ticks: a checkpoint mark after the payments becomes the snapshot's offset
            await host.StopAsync(); // coordinated shutdown saves the snapshot
        }
        SqliteConnection.ClearAllPools();

        using (var host = NodeComposition.BuildHost(Settings("peeractors.selector.snapshot-interval=300ms")))
        {
            var (_, selector) = await StartNodeAsync(host);
            var status = await AwaitStartup(selector);
            Assert.Equal("snapshot", status.Source);
            Assert.Equal(0, status.PeersWoken);
            Assert.Equal(peers, await Tracked(selector));
            await host.StopAsync();
        }
    }
}
