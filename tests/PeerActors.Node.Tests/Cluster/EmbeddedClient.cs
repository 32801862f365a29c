using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Remote.Hosting;
using PeerActors.Peers;

namespace PeerActors.Node.Tests.ClusterNodes;

/// <summary>
/// A service embedding PeerActors the way SPEC §7 describes: its own ActorSystem joins the cluster with
/// role "client" (hosts no peers) and sends to peer actors through a shard-region proxy.
/// </summary>
public sealed class EmbeddedClient : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedClient(IHost host, ActorSystem system, IActorRef proxy, IActorRef producer)
    {
        _host = host;
        System = system;
        Proxy = proxy;
        Producer = producer;
        Client = new PeerActorsClient(proxy, producer, TimeSpan.FromSeconds(20));
    }

    public ActorSystem System { get; }

    public IActorRef Proxy { get; }

    /// <summary>The reliable-delivery producer of this client's ActorSystem.</summary>
    public IActorRef Producer { get; }

    public PeerActorsClient Client { get; }

    /// <summary>Starts the client and waits until it is Up; <paramref name="port"/> 0 = any free port.</summary>
    public static async Task<EmbeddedClient> StartAsync(IReadOnlyList<string> seeds, TimeSpan timeout, int port = 0)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("peeractors", (akka, _) =>
        {
            akka.AddHocon("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\nakka.log-dead-letters = 0", HoconAddMode.Prepend)
                .WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = port })
                .WithClustering(new ClusterOptions { SeedNodes = seeds.ToArray(), Roles = ["client"] })
                .WithPeerActorsProxy(new PeerActorsOptions());
        });
        var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(timeout);
        var proxy = await ActorRegistry.For(system).GetAsync<PeerRegionKey>();
        var producer = await ActorRegistry.For(system).GetAsync<PeerDeliveryKey>();
        return new EmbeddedClient(host, system, proxy, producer);
    }

    /// <summary>Shards per node address (the cluster-wide view of the coordinator).</summary>
    public async Task<IReadOnlyDictionary<string, int>> ShardsPerNodeAsync(TimeSpan timeout)
    {
        var stats = await Proxy.Ask<ClusterShardingStats>(new GetClusterShardingStats(timeout), timeout + TimeSpan.FromSeconds(5));
        return stats.Regions.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value.Stats.Count);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(20));
        }
        catch (OperationCanceledException) { }
        _host.Dispose();
    }
}
