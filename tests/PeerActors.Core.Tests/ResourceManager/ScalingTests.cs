namespace PeerActors.Core.Tests.ResourceManager;

public class ScalingTests
{
    private const long GiB = 1L << 30;
    private const long MiB = 1L << 20;

    private static ScalingLimitConfig ReadmeExample() => new()
    {
        SystemBaseLimit = new BaseLimit
        {
            ConnsInbound = 64, ConnsOutbound = 128, Conns = 128,
            StreamsInbound = 512, StreamsOutbound = 1024, Streams = 1024,
            Memory = 128 * MiB, FD = 256,
        },
        SystemLimitIncrease = new BaseLimitIncrease
        {
            ConnsInbound = 32, ConnsOutbound = 64, Conns = 64,
            StreamsInbound = 256, StreamsOutbound = 512, Streams = 512,
            Memory = 256 * MiB, FDFraction = 1,
        },
    };

    [Fact]
    public void Readme_example_scales_to_384_conns_and_1000_fds() // rcmgr TestReadmeExample
    {
        var c = ReadmeExample().Scale(4 * GiB, 1000);
        Assert.Equal(384, c.System.Conns);
        Assert.Equal(1000, c.System.FD);
        Assert.Equal(64 + 128, c.System.ConnsInbound);
        Assert.Equal(128 * MiB + GiB, c.System.Memory);
    }

    [Fact]
    public void DefaultLimits_at_4GiB_and_1000_fds()
    {
        var c = ScalingLimitConfig.DefaultLimits.Scale(4 * GiB, 1000);
        Assert.Equal(640, c.System.Conns);
        Assert.Equal(320, c.System.ConnsInbound);
        Assert.Equal(640, c.System.ConnsOutbound);
        Assert.Equal(5120, c.System.StreamsInbound);
        Assert.Equal(10240, c.System.Streams);
        Assert.Equal(1000, c.System.FD);
        Assert.Equal(4_429_185_024L, c.System.Memory);

        // transient: FDFraction 0.25 → 250; memory 32 MiB + 4·128 MiB
        Assert.Equal(250, c.Transient.FD);
        Assert.Equal(32 * MiB + 512 * MiB, c.Transient.Memory);
        Assert.Equal(32 + 64, c.Transient.ConnsInbound);
        // peer: FD = max(1000/64 = 15, 4) = 15; conns have no increase
        Assert.Equal(15, c.PeerDefault.FD);
        Assert.Equal(8, c.PeerDefault.Conns);
        Assert.Equal(256 + 512, c.PeerDefault.StreamsInbound);
        // protocol-peer memory increase is 4 bytes per GiB (rcmgr value)
        Assert.Equal(16 * MiB + 16, c.ProtocolPeerDefault.Memory);
        Assert.Equal(c.System, c.AllowlistedSystem);
        Assert.Equal(new BaseLimit { ConnsInbound = 1, ConnsOutbound = 1, Conns = 1, FD = 1, Memory = 32 * MiB }, c.Conn);
    }

    [Fact]
    public void Stream_scope_is_scaled_with_the_connection_increase() // rcmgr quirk
    {
        var cfg = new ScalingLimitConfig
        {
            StreamBaseLimit = new BaseLimit { Streams = 1, Memory = 100 },
            StreamLimitIncrease = new BaseLimitIncrease { Streams = 1000, Memory = 1000 },
            ConnLimitIncrease = new BaseLimitIncrease { Streams = 2, Memory = 3 },
        };
        var c = cfg.Scale(128 * MiB + 4 * GiB, 1000);
        Assert.Equal(1 + 4 * 2, c.Stream.Streams);
        Assert.Equal(100 + 4 * 3, c.Stream.Memory);
    }

    [Fact]
    public void Scaling_matches_rcmgr_TestScaling()
    {
        var b = new BaseLimit { Streams = 100, StreamsInbound = 200, StreamsOutbound = 400, Conns = 10, ConnsInbound = 20, ConnsOutbound = 40, FD = 1, Memory = MiB };
        var inc = new BaseLimitIncrease { Streams = 1, StreamsInbound = 2, StreamsOutbound = 3, Conns = 4, ConnsInbound = 5, ConnsOutbound = 6, Memory = 7, FDFraction = 0.5 };

        Assert.Equal(b, new ScalingLimitConfig { ServiceBaseLimit = b }.Scale(8 * GiB, 100).ServiceDefault);

        var s = new ScalingLimitConfig { TransientBaseLimit = b, TransientLimitIncrease = inc }.Scale(128 * MiB + 4 * GiB, 1000).Transient;
        Assert.Equal(500, s.FD);
        Assert.Equal(new BaseLimit { Streams = 104, StreamsInbound = 208, StreamsOutbound = 412, Conns = 26, ConnsInbound = 40, ConnsOutbound = 64, FD = 500, Memory = MiB + 28 }, s);

        var small = new ScalingLimitConfig { TransientBaseLimit = b, TransientLimitIncrease = inc with { FDFraction = 0.01 } }.Scale(1, 10).Transient;
        Assert.Equal(b, small); // below 128 MiB: base; FD max(0, 1) = 1

        var maps = new ScalingLimitConfig();
        maps.ServiceLimits["A"] = new ScalingLimit(new BaseLimit { Streams = 10, Memory = 100, FD = 9 }, default);
        maps.ServiceLimits["B"] = new ScalingLimit(new BaseLimit { Streams = 20, Memory = 200, FD = 10 }, new BaseLimitIncrease { Streams = 2, Memory = 3, FDFraction = 0.4 });
        var m = maps.Scale(128 * MiB + 4 * GiB, 1000);
        Assert.Equal(2, m.Service.Count);
        Assert.Equal(10, m.Service["A"].Streams);
        Assert.Equal(9, m.Service["A"].FD);
        Assert.Equal(28, m.Service["B"].Streams);
        Assert.Equal(212, m.Service["B"].Memory);
        Assert.Equal(400, m.Service["B"].FD);
    }

    [Theory]
    [InlineData(128L << 20, 0)]            // exactly 128 MiB: not above → base only
    [InlineData((128L << 20) + 1, 128)]    // just above: mib = 128 → +128·128>>10 = +16 conns
    public void Threshold_of_128MiB(long memory, int extraConnsTimes8)
    {
        var cfg = new ScalingLimitConfig { SystemBaseLimit = new BaseLimit { Conns = 10 }, SystemLimitIncrease = new BaseLimitIncrease { Conns = 128 } };
        Assert.Equal(10 + extraConnsTimes8 / 8, cfg.Scale(memory, 0).System.Conns);
    }

    [Fact]
    public void AutoScale_uses_an_eighth_of_memory_and_half_of_fds()
    {
        var d = ScalingLimitConfig.DefaultLimits;
        Assert.Equal(d.Scale(4 * GiB, 1000), d.AutoScale(32 * GiB, 2000));
    }

    [Theory]
    [InlineData(-1L, 10, "memoryBytes")]
    [InlineData(10L, -1, "fdCount")]
    public void Negative_scale_arguments_are_rejected(long mem, int fd, string field)
    {
        var e = Assert.Throws<InvalidInputException>(() => ScalingLimitConfig.DefaultLimits.Scale(mem, fd));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void DefaultLimits_returns_independent_copies()
    {
        var a = ScalingLimitConfig.DefaultLimits;
        a.SystemBaseLimit = a.SystemBaseLimit with { Conns = 1 };
        Assert.Equal(128, ScalingLimitConfig.DefaultLimits.SystemBaseLimit.Conns);
    }
}
