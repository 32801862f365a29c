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

    protected LimitsClient Start(ConcreteLimitConfig limits, IReadOnlyList<string>? allowlist = null, SubnetLimitSettings? subnets = null, TimeSpan? idleSweep = null)
    {
        var root = Sys.StartPeerActorsLimits(new LimitsOptions
        {
            Limits = limits,
            Allowlist = allowlist ?? [],
            SubnetLimits = subnets ?? new SubnetLimitSettings(),
            IdleSweepInterval = idleSweep ?? TimeSpan.FromMilliseconds(100),
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
}
