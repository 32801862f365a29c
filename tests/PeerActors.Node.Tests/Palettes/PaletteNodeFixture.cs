namespace PeerActors.Node.Tests.Palettes;

/// <summary>
/// One real node (NodeComposition: peer shard region, selector, limit actors, management endpoint on
/// 127.0.0.1 port 0, SQLite in a temp dir) fed with three peers and one open stream:
/// <list type="bullet">
/// <item><c>fast-peer</c>: 10 successes at 20 ms, egress 9000 bytes, ingress 1000.</item>
/// <item><c>slow-peer</c>: 3 successes at 400 ms and 3 timeouts, ingress 50000 bytes (the most), egress 10.</item>
/// <item><c>stream-peer</c>: 2 successes at 100 ms, ingress 700 bytes in two epochs; holds one inbound stream.</item>
/// </list>
/// </summary>
public sealed class PaletteNodeFixture : IAsyncLifetime
{
    public const string Fast = "fast-peer";
    public const string Slow = "slow-peer";
    public const string StreamPeer = "stream-peer";
    public static readonly string[] AllPeers = [Fast, Slow, StreamPeer];

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("peeractors-palettes-").FullName;

    public IHost Host { get; private set; } = null!;
    public ActorSystem System { get; private set; } = null!;
    public string Endpoint { get; private set; } = null!;
    public StreamHandle Stream { get; private set; } = null!;

    /// <summary>Observation instant: the middle of an hour, so the +1 h bytes land in the next epoch.</summary>
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 30, 0, TimeSpan.Zero);

    public async Task InitializeAsync()
    {
        var settings = NodeSettingsLoader.Load(
            new NodeOverrides
            {
                DataDir = _dataDir, Port = 0, Endpoint = "127.0.0.1:0",
                Set = ["peeractors.persistence.flush-interval=200ms"],
            },
            new Dictionary<string, string?>(),
            AppContext.BaseDirectory);
        Host = NodeComposition.BuildHost(settings);
        await Host.StartAsync();
        System = Host.Services.GetRequiredService<ActorSystem>();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.Get(System).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(Timeout);
        Endpoint = (await Host.Services.GetRequiredService<ManagementEndpoint>().WhenBound.WaitAsync(Timeout)).ToString();

        var registry = ActorRegistry.For(System);
        var peers = new PeerActorsClient(await registry.GetAsync<PeerRegionKey>(), await registry.GetAsync<PeerDeliveryKey>(), Timeout);
        var t = T0;
        for (var i = 0; i < 10; i++)
        {
            await peers.RecordRequestAsync(Fast, 100, t);
            await peers.RecordSuccessAsync(Fast, 20, 100, t);
        }
        for (var i = 0; i < 3; i++)
        {
            await peers.RecordRequestAsync(Slow, 100, t);
            await peers.RecordSuccessAsync(Slow, 400, 100, t);
            await peers.RecordRequestAsync(Slow, 100, t);
            await peers.RecordTimeoutAsync(Slow, t);
        }
        for (var i = 0; i < 2; i++)
        {
            await peers.RecordRequestAsync(StreamPeer, 100, t);
            await peers.RecordSuccessAsync(StreamPeer, 100, 100, t);
        }
        await peers.RecordBytesAsync(Fast, null, TrafficDirection.Ingress, 1000, t);
        await peers.RecordBytesAsync(Fast, null, TrafficDirection.Egress, 9000, t);
        await peers.RecordBytesAsync(Slow, null, TrafficDirection.Ingress, 50_000, t);
        await peers.RecordBytesAsync(Slow, null, TrafficDirection.Egress, 10, t);
        await peers.RecordBytesAsync(StreamPeer, null, TrafficDirection.Ingress, 300, t);
        await peers.RecordBytesAsync(StreamPeer, null, TrafficDirection.Ingress, 400, t.AddHours(1));
        // Critical observations: acknowledged once persisted, and published to the selector at once.
        foreach (var id in AllPeers) await peers.RecordPaymentAsync(id, 1, t);

        // High-rate observations reach the selector after a flush: wait (bounded) until it tracks every peer
        // with its latest request count.
        var selector = SelectorClient.For(System, Timeout);
        await PalettePoll.UntilAsync(async () =>
        {
            var r = await selector.SelectAsync(new SelectPeers(Count: 10, Fairness: false));
            return r.Peers.Count == 3 && r.Peers.Sum(p => (long)p.Inputs.RequestsSent) == 10 + 6 + 2;
        }, Timeout, "the selector to see the three peers' requests");

        var limits = new LimitsClient(await registry.GetAsync<LimitsKey>());
        Stream = (await limits.OpenStreamAsync(StreamPeer, Direction.Inbound)).Unwrap();
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.StopAsync();
            Host.Dispose();
        }
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Runs peeractl in-process against the node.</summary>
    public async Task<PaletteRun> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await PeerCtl.RunAsync(["--host", Endpoint, .. args], output, error, _ => null, null);
        return new PaletteRun(code, output.ToString(), error.ToString());
    }
}

public sealed record PaletteRun(int ExitCode, string Out, string Err)
{
    /// <summary>The <c>--json</c> output as a document.</summary>
    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Out).RootElement;

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Err}";
}

internal static class PalettePoll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PaletteCollection : ICollectionFixture<PaletteNodeFixture>
{
    public const string Name = "palettes-node";
}
