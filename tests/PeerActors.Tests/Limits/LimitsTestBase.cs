namespace PeerActors.Tests.Limits;

public abstract class LimitsTestBase : TestKit
{
    protected static BaseLimit L(int streams = 100, int conns = 100, long memory = 1 << 20, int fd = 100) => new()
    {
        Streams = streams, StreamsInbound = streams, StreamsOutbound = streams,
        Conns = conns, ConnsInbound = conns, ConnsOutbound = conns, FD = fd, Memory = memory,
    };

    protected static ConcreteLimitConfig Uniform(BaseLimit l) => new()
    {
        System = l, Transient = l, AllowlistedSystem = l, AllowlistedTransient = l, ServiceDefault = l,
        ServicePeerDefault = l, ProtocolDefault = l, ProtocolPeerDefault = l, PeerDefault = l, Conn = l, Stream = l,
    };

    protected LimitsClient Start(ConcreteLimitConfig limits, IReadOnlyList<string>? allowlist = null, SubnetLimitSettings? subnets = null, TimeSpan? idleSweep = null,
        TimeSpan? heldReleaseDelay = null)
    {
        var root = Sys.StartPeerActorsLimits(new LimitsOptions
        {
            Limits = limits,
            Allowlist = allowlist ?? [],
            SubnetLimits = subnets ?? new SubnetLimitSettings(),
            IdleSweepInterval = idleSweep ?? TimeSpan.FromMilliseconds(100),
            HeldReleaseDelay = heldReleaseDelay ?? TimeSpan.FromMilliseconds(10),
            ActorName = "limits-" + Guid.NewGuid().ToString("N"),
        });
        return new LimitsClient(root);
    }

    protected static async Task<ScopeStat> Stat(LimitsClient c, string name) => (await c.StatAsync(name)).Unwrap().Stat;

    protected static async Task<ScopeStat> Stat(LimitsClient c, ScopeRef r) => (await c.StatAsync(r)).Unwrap().Stat;

    protected static ScopeStat InStreams(int n) => new(0, n, 0, 0, 0, 0);

    protected static ScopeStat OutStreams(int n) => new(0, 0, n, 0, 0, 0);

    /// <summary>Waits until the releases sent by a close have been applied (they are fire-and-forget).</summary>
    protected static async Task<ScopeStat> StatEventually(LimitsClient c, string name, ScopeStat expected)
    {
        ScopeStat s = default;
        for (int i = 0; i < 200; i++)
        {
            s = await Stat(c, name);
            if (s == expected) return s;
            await Task.Delay(10);
        }

        return s;
    }

    /// <summary>The peers, protocols and services the storm tests draw from.</summary>
    protected static readonly string[] StormPeers = ["QmA", "QmB", "QmC"], StormProtocols = ["/a", "/b"], StormServices = ["s1", "s2"];

    /// <summary>
    /// Tight limits for the combined-open storms: every shared scope (system, transient, protocol, service and their
    /// per-peer sub-scopes) is small enough that the storm keeps hitting it.
    /// </summary>
    protected static ConcreteLimitConfig CombinedOpenStormConfig() => Uniform(L(streams: 1000, memory: 1 << 30)) with
    {
        System = L(streams: 12), Transient = L(streams: 6), PeerDefault = L(streams: 4),
        ProtocolDefault = L(streams: 5), ProtocolPeerDefault = L(streams: 2),
        ServiceDefault = L(streams: 4), ServicePeerDefault = L(streams: 2),
    };

    /// <summary>One storm open of a random direction: half combined (a storm protocol, and a service half the time), half plain.</summary>
    protected static Task<LimitsResult<StreamHandle>> OpenRandomStreamAsync(LimitsClient c, Random rnd, string peer)
    {
        var dir = rnd.Next(2) == 0 ? Direction.Inbound : Direction.Outbound;
        return rnd.Next(2) == 0
            ? c.OpenStreamAsync(peer, dir, StormProtocols[rnd.Next(StormProtocols.Length)], rnd.Next(2) == 0 ? StormServices[rnd.Next(StormServices.Length)] : null)
            : c.OpenStreamAsync(peer, dir);
    }

    /// <summary>The limit of every scope a storm over <see cref="StormPeers"/>, <see cref="StormProtocols"/> and <see cref="StormServices"/> can touch, by scope name.</summary>
    protected static Dictionary<string, BaseLimit> StormScopes(ConcreteLimitConfig cfg)
    {
        var limits = new Dictionary<string, BaseLimit> { ["system"] = cfg.System, ["transient"] = cfg.Transient };
        foreach (var p in StormPeers) limits["peer:" + p] = cfg.PeerDefault;
        foreach (var p in StormProtocols) limits["protocol:" + p] = cfg.ProtocolDefault;
        foreach (var s in StormServices) limits["svc:" + s] = cfg.ServiceDefault;
        foreach (var p in StormProtocols) foreach (var q in StormPeers) limits[$"protocol:{p}.peer:{q}"] = cfg.ProtocolPeerDefault;
        foreach (var s in StormServices) foreach (var q in StormPeers) limits[$"svc:{s}.peer:{q}"] = cfg.ServicePeerDefault;
        return limits;
    }

    /// <summary>
    /// Runs <paramref name="clients"/> concurrent clients, each doing 60 <paramref name="step"/>s on a peer drawn from
    /// <see cref="StormPeers"/> with its own random source (seeded from <paramref name="seed"/> and the client's index, so
    /// a run repeats), while sampling the usage of every scope the storm can touch (<see cref="StormScopes"/> of
    /// <paramref name="cfg"/>, the limits <paramref name="c"/> was started with); asserts that no sample ever exceeded
    /// its limit (streams in, out and total, memory), that every sampled scope returns to zero, and that no peer,
    /// protocol or service actor is left once idle.
    /// </summary>
    protected async Task RunStormNeverOverCommitting(LimitsClient c, ConcreteLimitConfig cfg, int seed, Func<Random, string, Task> step, int clients = 6)
    {
        var limits = StormScopes(cfg);
        async Task Client(int id)
        {
            var rnd = new Random(seed * 1000 + id);
            for (int i = 0; i < 60; i++)
                await step(rnd, StormPeers[rnd.Next(StormPeers.Length)]);
        }

        var violations = new List<string>();
        async Task Sampler(CancellationToken ct)
        {
            while (!ct.IsCancellationRequested)
                foreach (var (name, l) in limits)
                {
                    if ((await c.StatAsync(name)).Value is not { } st) continue;
                    var s = st.Stat;
                    if (s.NumStreamsInbound > l.StreamsInbound || s.NumStreamsOutbound > l.StreamsOutbound ||
                        s.NumStreamsInbound + s.NumStreamsOutbound > l.Streams || s.Memory > l.Memory)
                        lock (violations) violations.Add($"{name} {s}");
                }
        }

        using var cts = new CancellationTokenSource();
        var sampler = Sampler(cts.Token);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() => Client(i))));
        cts.Cancel();
        await sampler;
        Assert.Empty(violations);
        foreach (var name in limits.Keys)
            Assert.Equal(default, await StatEventually(c, name, default));
        await AssertNoLiveChildScopesEventually(c);
    }

    /// <summary>Waits until the idle sweep has stopped every peer, protocol and service actor (no live child scope is listed).</summary>
    protected async Task AssertNoLiveChildScopesEventually(LimitsClient c) =>
        await AwaitAssertAsync(async () =>
        {
            Assert.Empty((await c.ListPeersAsync()).Unwrap().Scopes);
            Assert.Empty((await c.ListProtocolsAsync()).Unwrap().Scopes);
            Assert.Empty((await c.ListServicesAsync()).Unwrap().Scopes);
        });
}
