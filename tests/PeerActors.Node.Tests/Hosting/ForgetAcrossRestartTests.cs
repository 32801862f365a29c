using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PeerActors.Hosting;
using PeerActors.Node.Configuration;
using PeerActors.Node.Hosting;
using PeerActors.Peers;
using Xunit;

namespace PeerActors.Node.Tests.Hosting;

/// <summary>
/// Issue #12, finding 1, end to end on the full node composition: an acknowledged forget stays forgotten across a restart
/// of the node on the same data directory, and while the node runs no second process can open that directory.
/// </summary>
public sealed class ForgetAcrossRestartTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("peeractors-forget-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    private NodeSettings Settings() => NodeSettingsLoader.Load(
        new NodeOverrides { DataDir = _dataDir, Port = 0, Endpoint = "127.0.0.1:0" }, new Dictionary<string, string?>(), AppContext.BaseDirectory);

    private static async Task<IActorRef> StartAsync(IHost host)
    {
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(Timeout);
        return host.Services.GetRequiredService<ActorRegistry>().Get<PeerRegionKey>();
    }

    [Fact]
    public async Task An_acked_forget_stays_forgotten_after_a_restart()
    {
        const string peer = "peer-forget-12";
        using (var host = NodeComposition.BuildHost(Settings()))
        {
            var region = await StartAsync(host);
            Assert.True(DataDirectoryLock.IsHeldByThisProcess(_dataDir));
            Assert.IsType<CommandAck>(await region.Ask<object>(new RecordPayment(peer, 21, T0), Timeout));
            region.Tell(new RecordSuccess(peer, 40, 4096, T0.AddSeconds(1)));
            Assert.IsType<PeerStatsReply>(await region.Ask<object>(new GetPeerStats(peer), Timeout));
            Assert.IsType<CommandAck>(await region.Ask<object>(new Forget(peer, T0.AddSeconds(2)), Timeout));
            await host.StopAsync();
        }
        Assert.False(DataDirectoryLock.IsHeldByThisProcess(_dataDir));
        SqliteConnection.ClearAllPools();

        using (var host = NodeComposition.BuildHost(Settings()))
        {
            var region = await StartAsync(host);
            var reply = await region.Ask<object>(new GetPeerStats(peer), Timeout);
            Assert.Equal(PeerActors.Core.Errors.ErrorCodes.PeerNotFound, Assert.IsType<CommandRejected>(reply).Error);
            await host.StopAsync();
        }
    }
}
