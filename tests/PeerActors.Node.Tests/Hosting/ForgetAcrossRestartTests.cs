using PeerActors.Peers;

namespace PeerActors.Node.Tests.Hosting;

/// <summary>
/// Issue #12, finding 1, end to end on the full node composition: an acknowledged forget stays forgotten across a restart
/// of the node on the same data directory, and while the node runs no second process can open that directory.
/// </summary>
public sealed class ForgetAcrossRestartTests() : TempDataDirNode("peeractors-forget-")
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_acked_forget_stays_forgotten_after_a_restart()
    {
        const string peer = "peer-forget-12";
        using (var host = NodeComposition.BuildHost(Settings()))
        {
            var region = (await StartAsync(host)).Get<PeerRegionKey>();
            Assert.True(DataDirectoryLock.IsHeldByThisProcess(DataDir));
            Assert.IsType<CommandAck>(await region.Ask<object>(new RecordPayment(peer, 21, T0), Timeout));
            region.Tell(new RecordSuccess(peer, 40, 4096, T0.AddSeconds(1)));
            Assert.IsType<PeerStatsReply>(await region.Ask<object>(new GetPeerStats(peer), Timeout));
            Assert.IsType<CommandAck>(await region.Ask<object>(new Forget(peer, T0.AddSeconds(2)), Timeout));
            await host.StopAsync();
        }
        Assert.False(DataDirectoryLock.IsHeldByThisProcess(DataDir));
        SqliteConnection.ClearAllPools();

        using (var host = NodeComposition.BuildHost(Settings()))
        {
            var region = (await StartAsync(host)).Get<PeerRegionKey>();
            var reply = await region.Ask<object>(new GetPeerStats(peer), Timeout);
            Assert.Equal(PeerActors.Core.Errors.ErrorCodes.PeerNotFound, Assert.IsType<CommandRejected>(reply).Error);
            await host.StopAsync();
        }
    }
}
