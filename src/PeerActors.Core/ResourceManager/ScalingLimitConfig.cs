namespace PeerActors.Core.ResourceManager;

/// <summary>A base limit and its increase per GiB (rcmgr <c>baseLimitConfig</c>).</summary>
/// <param name="BaseLimit">Limits of a minimal node (≤ 128 MiB for the stack).</param>
/// <param name="Increase">Additional limits per GiB of memory.</param>
public readonly record struct ScalingLimit(BaseLimit BaseLimit, BaseLimitIncrease Increase);

/// <summary>
/// Limits that scale with the memory and file descriptors given to the stack (rcmgr <c>ScalingLimitConfig</c>).
/// <c>*BaseLimit</c> applies to a minimal node (128 MiB, 256 FDs); <c>*LimitIncrease</c> is added per GiB.
/// Mutable settings object: get a fresh copy of the shipped defaults from <see cref="DefaultLimits"/>.
/// </summary>
public sealed class ScalingLimitConfig
{
    /// <summary>System base.</summary>
    public BaseLimit SystemBaseLimit { get; set; }

    /// <summary>System increase per GiB.</summary>
    public BaseLimitIncrease SystemLimitIncrease { get; set; }

    /// <summary>Transient base.</summary>
    public BaseLimit TransientBaseLimit { get; set; }

    /// <summary>Transient increase per GiB.</summary>
    public BaseLimitIncrease TransientLimitIncrease { get; set; }

    /// <summary>Allowlisted system base.</summary>
    public BaseLimit AllowlistedSystemBaseLimit { get; set; }

    /// <summary>Allowlisted system increase per GiB.</summary>
    public BaseLimitIncrease AllowlistedSystemLimitIncrease { get; set; }

    /// <summary>Allowlisted transient base.</summary>
    public BaseLimit AllowlistedTransientBaseLimit { get; set; }

    /// <summary>Allowlisted transient increase per GiB.</summary>
    public BaseLimitIncrease AllowlistedTransientLimitIncrease { get; set; }

    /// <summary>Default service base.</summary>
    public BaseLimit ServiceBaseLimit { get; set; }

    /// <summary>Default service increase per GiB.</summary>
    public BaseLimitIncrease ServiceLimitIncrease { get; set; }

    /// <summary>Per-service limits (rcmgr <c>AddServiceLimit</c>).</summary>
    public Dictionary<string, ScalingLimit> ServiceLimits { get; } = new(StringComparer.Ordinal);

    /// <summary>Default service-peer base.</summary>
    public BaseLimit ServicePeerBaseLimit { get; set; }

    /// <summary>Default service-peer increase per GiB.</summary>
    public BaseLimitIncrease ServicePeerLimitIncrease { get; set; }

    /// <summary>Per-service service-peer limits.</summary>
    public Dictionary<string, ScalingLimit> ServicePeerLimits { get; } = new(StringComparer.Ordinal);

    /// <summary>Default protocol base.</summary>
    public BaseLimit ProtocolBaseLimit { get; set; }

    /// <summary>Default protocol increase per GiB.</summary>
    public BaseLimitIncrease ProtocolLimitIncrease { get; set; }

    /// <summary>Per-protocol limits.</summary>
    public Dictionary<string, ScalingLimit> ProtocolLimits { get; } = new(StringComparer.Ordinal);

    /// <summary>Default protocol-peer base.</summary>
    public BaseLimit ProtocolPeerBaseLimit { get; set; }

    /// <summary>Default protocol-peer increase per GiB.</summary>
    public BaseLimitIncrease ProtocolPeerLimitIncrease { get; set; }

    /// <summary>Per-protocol protocol-peer limits.</summary>
    public Dictionary<string, ScalingLimit> ProtocolPeerLimits { get; } = new(StringComparer.Ordinal);

    /// <summary>Default peer base.</summary>
    public BaseLimit PeerBaseLimit { get; set; }

    /// <summary>Default peer increase per GiB.</summary>
    public BaseLimitIncrease PeerLimitIncrease { get; set; }

    /// <summary>Per-peer limits.</summary>
    public Dictionary<string, ScalingLimit> PeerLimits { get; } = new(StringComparer.Ordinal);

    /// <summary>Connection base.</summary>
    public BaseLimit ConnBaseLimit { get; set; }

    /// <summary>Connection increase per GiB (also used for streams: rcmgr quirk).</summary>
    public BaseLimitIncrease ConnLimitIncrease { get; set; }

    /// <summary>Stream base.</summary>
    public BaseLimit StreamBaseLimit { get; set; }

    /// <summary>
    /// Stream increase per GiB. Kept for shape-compatibility with rcmgr, but, like rcmgr's <c>Scale</c>,
    /// <see cref="Scale"/> scales the stream scope with <see cref="ConnLimitIncrease"/> and ignores this.
    /// </summary>
    public BaseLimitIncrease StreamLimitIncrease { get; set; }

    /// <summary>
    /// Concrete limits for a stack allowed <paramref name="memoryBytes"/> of memory and <paramref name="fdCount"/>
    /// file descriptors (rcmgr <c>Scale</c>). With <c>mib = memory &gt; 128 MiB ? memory &gt;&gt; 20 : 0</c>,
    /// each count is <c>base + (increase·mib) &gt;&gt; 10</c>, memory likewise, and
    /// <c>FD = max(⌊FDFraction·fdCount⌋, base.FD)</c> when FDFraction &gt; 0 and fdCount &gt; 0, else base.FD.
    /// The stream scope is scaled with the connection increase, as rcmgr does.
    /// </summary>
    /// <exception cref="InvalidInputException">When <paramref name="memoryBytes"/> or <paramref name="fdCount"/> is negative.</exception>
    public ConcreteLimitConfig Scale(long memoryBytes, int fdCount)
    {
        Guard.NonNegative(memoryBytes, "memoryBytes");
        Guard.NonNegative(fdCount, "fdCount");
        static Dictionary<string, BaseLimit> Map(Dictionary<string, ScalingLimit> m, long mem, int fd) =>
            m.ToDictionary(kv => kv.Key, kv => ScaleOne(kv.Value.BaseLimit, kv.Value.Increase, mem, fd), StringComparer.Ordinal);
        return new ConcreteLimitConfig
        {
            System = ScaleOne(SystemBaseLimit, SystemLimitIncrease, memoryBytes, fdCount),
            Transient = ScaleOne(TransientBaseLimit, TransientLimitIncrease, memoryBytes, fdCount),
            AllowlistedSystem = ScaleOne(AllowlistedSystemBaseLimit, AllowlistedSystemLimitIncrease, memoryBytes, fdCount),
            AllowlistedTransient = ScaleOne(AllowlistedTransientBaseLimit, AllowlistedTransientLimitIncrease, memoryBytes, fdCount),
            ServiceDefault = ScaleOne(ServiceBaseLimit, ServiceLimitIncrease, memoryBytes, fdCount),
            ServicePeerDefault = ScaleOne(ServicePeerBaseLimit, ServicePeerLimitIncrease, memoryBytes, fdCount),
            ProtocolDefault = ScaleOne(ProtocolBaseLimit, ProtocolLimitIncrease, memoryBytes, fdCount),
            ProtocolPeerDefault = ScaleOne(ProtocolPeerBaseLimit, ProtocolPeerLimitIncrease, memoryBytes, fdCount),
            PeerDefault = ScaleOne(PeerBaseLimit, PeerLimitIncrease, memoryBytes, fdCount),
            Conn = ScaleOne(ConnBaseLimit, ConnLimitIncrease, memoryBytes, fdCount),
            // rcmgr quirk: the stream scope is scaled with the *connection* increase.
            Stream = ScaleOne(StreamBaseLimit, ConnLimitIncrease, memoryBytes, fdCount),
            Service = Map(ServiceLimits, memoryBytes, fdCount),
            ServicePeer = Map(ServicePeerLimits, memoryBytes, fdCount),
            Protocol = Map(ProtocolLimits, memoryBytes, fdCount),
            ProtocolPeer = Map(ProtocolPeerLimits, memoryBytes, fdCount),
            Peer = Map(PeerLimits, memoryBytes, fdCount),
        };
    }

    /// <summary>
    /// <see cref="Scale"/> with 1/8 of <paramref name="physicalMemoryBytes"/> and 1/2 of
    /// <paramref name="processFdLimit"/> (rcmgr <c>AutoScale</c>; the machine is not read here — pass its values).
    /// </summary>
    /// <exception cref="InvalidInputException">When an argument is negative.</exception>
    public ConcreteLimitConfig AutoScale(long physicalMemoryBytes, int processFdLimit)
    {
        Guard.NonNegative(physicalMemoryBytes, "physicalMemoryBytes");
        Guard.NonNegative(processFdLimit, "processFdLimit");
        return Scale(physicalMemoryBytes / 8, processFdLimit / 2);
    }

    /// <summary>rcmgr's <c>scale(base, inc, memory, numFD)</c> for one scope.</summary>
    public static BaseLimit ScaleOne(BaseLimit b, BaseLimitIncrease inc, long memoryBytes, int fdCount)
    {
        long mib = memoryBytes > 128L << 20 ? memoryBytes >> 20 : 0;
        var l = new BaseLimit
        {
            StreamsInbound = Count(b.StreamsInbound, inc.StreamsInbound, mib),
            StreamsOutbound = Count(b.StreamsOutbound, inc.StreamsOutbound, mib),
            Streams = Count(b.Streams, inc.Streams, mib),
            ConnsInbound = Count(b.ConnsInbound, inc.ConnsInbound, mib),
            ConnsOutbound = Count(b.ConnsOutbound, inc.ConnsOutbound, mib),
            Conns = Count(b.Conns, inc.Conns, mib),
            Memory = Mem(b.Memory, inc.Memory, mib),
            FD = b.FD,
        };
        if (inc.FDFraction > 0 && fdCount > 0)
        {
            double fd = Math.Floor(inc.FDFraction * fdCount);
            int scaled = fd >= int.MaxValue ? int.MaxValue : (int)fd;
            l = l with { FD = Math.Max(scaled, b.FD) };
        }
        return l;
    }

    private static int Count(int b, int inc, long mib)
    {
        Int128 v = b + (((Int128)inc * mib) >> 10);
        return v > int.MaxValue ? int.MaxValue : (int)v;
    }

    private static long Mem(long b, long inc, long mib)
    {
        Int128 v = b + (((Int128)inc * mib) >> 10);
        return v > long.MaxValue ? long.MaxValue : (long)v;
    }

    /// <summary>
    /// A fresh copy of rcmgr's shipped <c>DefaultLimits</c> (go-libp2p v0.35 <c>limit_defaults.go</c>).
    /// </summary>
    public static ScalingLimitConfig DefaultLimits => new()
    {
        SystemBaseLimit = new BaseLimit
        {
            ConnsInbound = 64, ConnsOutbound = 128, Conns = 128,
            StreamsInbound = 64 * 16, StreamsOutbound = 128 * 16, Streams = 128 * 16,
            Memory = 128L << 20, FD = 256,
        },
        SystemLimitIncrease = new BaseLimitIncrease
        {
            ConnsInbound = 64, ConnsOutbound = 128, Conns = 128,
            StreamsInbound = 64 * 16, StreamsOutbound = 128 * 16, Streams = 128 * 16,
            Memory = 1L << 30, FDFraction = 1,
        },
        TransientBaseLimit = new BaseLimit
        {
            ConnsInbound = 32, ConnsOutbound = 64, Conns = 64,
            StreamsInbound = 128, StreamsOutbound = 256, Streams = 256,
            Memory = 32L << 20, FD = 64,
        },
        TransientLimitIncrease = new BaseLimitIncrease
        {
            ConnsInbound = 16, ConnsOutbound = 32, Conns = 32,
            StreamsInbound = 128, StreamsOutbound = 256, Streams = 256,
            Memory = 128L << 20, FDFraction = 0.25,
        },
        AllowlistedSystemBaseLimit = new BaseLimit
        {
            ConnsInbound = 64, ConnsOutbound = 128, Conns = 128,
            StreamsInbound = 64 * 16, StreamsOutbound = 128 * 16, Streams = 128 * 16,
            Memory = 128L << 20, FD = 256,
        },
        AllowlistedSystemLimitIncrease = new BaseLimitIncrease
        {
            ConnsInbound = 64, ConnsOutbound = 128, Conns = 128,
            StreamsInbound = 64 * 16, StreamsOutbound = 128 * 16, Streams = 128 * 16,
            Memory = 1L << 30, FDFraction = 1,
        },
        AllowlistedTransientBaseLimit = new BaseLimit
        {
            ConnsInbound = 32, ConnsOutbound = 64, Conns = 64,
            StreamsInbound = 128, StreamsOutbound = 256, Streams = 256,
            Memory = 32L << 20, FD = 64,
        },
        AllowlistedTransientLimitIncrease = new BaseLimitIncrease
        {
            ConnsInbound = 16, ConnsOutbound = 32, Conns = 32,
            StreamsInbound = 128, StreamsOutbound = 256, Streams = 256,
            Memory = 128L << 20, FDFraction = 0.25,
        },
        ServiceBaseLimit = new BaseLimit { StreamsInbound = 1024, StreamsOutbound = 4096, Streams = 4096, Memory = 64L << 20 },
        ServiceLimitIncrease = new BaseLimitIncrease { StreamsInbound = 512, StreamsOutbound = 2048, Streams = 2048, Memory = 128L << 20 },
        ServicePeerBaseLimit = new BaseLimit { StreamsInbound = 128, StreamsOutbound = 256, Streams = 256, Memory = 16L << 20 },
        ServicePeerLimitIncrease = new BaseLimitIncrease { StreamsInbound = 4, StreamsOutbound = 8, Streams = 8, Memory = 4L << 20 },
        ProtocolBaseLimit = new BaseLimit { StreamsInbound = 512, StreamsOutbound = 2048, Streams = 2048, Memory = 64L << 20 },
        ProtocolLimitIncrease = new BaseLimitIncrease { StreamsInbound = 256, StreamsOutbound = 512, Streams = 512, Memory = 164L << 20 },
        ProtocolPeerBaseLimit = new BaseLimit { StreamsInbound = 64, StreamsOutbound = 128, Streams = 256, Memory = 16L << 20 },
        // Memory = 4 bytes per GiB is rcmgr's value verbatim.
        ProtocolPeerLimitIncrease = new BaseLimitIncrease { StreamsInbound = 4, StreamsOutbound = 8, Streams = 16, Memory = 4 },
        PeerBaseLimit = new BaseLimit
        {
            ConnsInbound = 8, ConnsOutbound = 8, Conns = 8,
            StreamsInbound = 256, StreamsOutbound = 512, Streams = 512,
            Memory = 64L << 20, FD = 4,
        },
        PeerLimitIncrease = new BaseLimitIncrease
        {
            StreamsInbound = 128, StreamsOutbound = 256, Streams = 256,
            Memory = 128L << 20, FDFraction = 1.0 / 64,
        },
        ConnBaseLimit = new BaseLimit { ConnsInbound = 1, ConnsOutbound = 1, Conns = 1, FD = 1, Memory = 32L << 20 },
        StreamBaseLimit = new BaseLimit { StreamsInbound = 1, StreamsOutbound = 1, Streams = 1, Memory = 16L << 20 },
    };
}
