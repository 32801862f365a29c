namespace PeerActors.Core.ResourceManager;

/// <summary>
/// Concrete limits of one scope (rcmgr <c>BaseLimit</c>). Counts are numbers of streams / connections /
/// file descriptors; <see cref="Memory"/> is bytes. 0 blocks everything, <see cref="int.MaxValue"/> /
/// <see cref="long.MaxValue"/> is unlimited.
/// </summary>
public readonly record struct BaseLimit
{
    /// <summary>Total streams (inbound + outbound).</summary>
    public int Streams { get; init; }

    /// <summary>Inbound streams.</summary>
    public int StreamsInbound { get; init; }

    /// <summary>Outbound streams.</summary>
    public int StreamsOutbound { get; init; }

    /// <summary>Total connections (inbound + outbound).</summary>
    public int Conns { get; init; }

    /// <summary>Inbound connections.</summary>
    public int ConnsInbound { get; init; }

    /// <summary>Outbound connections.</summary>
    public int ConnsOutbound { get; init; }

    /// <summary>File descriptors.</summary>
    public int FD { get; init; }

    /// <summary>Memory, bytes.</summary>
    public long Memory { get; init; }

    /// <summary>Every value unlimited (rcmgr <c>infiniteBaseLimit</c>).</summary>
    public static BaseLimit Infinite { get; } = new()
    {
        Streams = int.MaxValue,
        StreamsInbound = int.MaxValue,
        StreamsOutbound = int.MaxValue,
        Conns = int.MaxValue,
        ConnsInbound = int.MaxValue,
        ConnsOutbound = int.MaxValue,
        FD = int.MaxValue,
        Memory = long.MaxValue,
    };

    /// <summary>Stream limit for one direction.</summary>
    public int GetStreamLimit(Direction dir) => dir == Direction.Inbound ? StreamsInbound : StreamsOutbound;

    /// <summary>Connection limit for one direction.</summary>
    public int GetConnLimit(Direction dir) => dir == Direction.Inbound ? ConnsInbound : ConnsOutbound;

    /// <summary>Returns a copy where every zero value is taken from <paramref name="other"/> (rcmgr <c>BaseLimit.Apply</c>).</summary>
    public BaseLimit Apply(BaseLimit other) => new()
    {
        Streams = Streams == 0 ? other.Streams : Streams,
        StreamsInbound = StreamsInbound == 0 ? other.StreamsInbound : StreamsInbound,
        StreamsOutbound = StreamsOutbound == 0 ? other.StreamsOutbound : StreamsOutbound,
        Conns = Conns == 0 ? other.Conns : Conns,
        ConnsInbound = ConnsInbound == 0 ? other.ConnsInbound : ConnsInbound,
        ConnsOutbound = ConnsOutbound == 0 ? other.ConnsOutbound : ConnsOutbound,
        FD = FD == 0 ? other.FD : FD,
        Memory = Memory == 0 ? other.Memory : Memory,
    };

    /// <summary>Converts to a partial form with no defaults (0 → blockAll, max → unlimited; rcmgr <c>ToResourceLimits</c>).</summary>
    public ResourceLimits ToResourceLimits() => new()
    {
        Streams = LimitVal.FromConcrete(Streams),
        StreamsInbound = LimitVal.FromConcrete(StreamsInbound),
        StreamsOutbound = LimitVal.FromConcrete(StreamsOutbound),
        Conns = LimitVal.FromConcrete(Conns),
        ConnsInbound = LimitVal.FromConcrete(ConnsInbound),
        ConnsOutbound = LimitVal.FromConcrete(ConnsOutbound),
        FD = LimitVal.FromConcrete(FD),
        Memory = LimitVal64.FromConcrete(Memory),
    };
}

/// <summary>
/// Increase of a <see cref="BaseLimit"/> per GiB of memory given to the stack (rcmgr <c>BaseLimitIncrease</c>).
/// <see cref="FDFraction"/> is the share (0–1) of the file descriptors given to the stack.
/// </summary>
public readonly record struct BaseLimitIncrease
{
    /// <summary>Total streams per GiB.</summary>
    public int Streams { get; init; }

    /// <summary>Inbound streams per GiB.</summary>
    public int StreamsInbound { get; init; }

    /// <summary>Outbound streams per GiB.</summary>
    public int StreamsOutbound { get; init; }

    /// <summary>Total connections per GiB.</summary>
    public int Conns { get; init; }

    /// <summary>Inbound connections per GiB.</summary>
    public int ConnsInbound { get; init; }

    /// <summary>Outbound connections per GiB.</summary>
    public int ConnsOutbound { get; init; }

    /// <summary>Memory bytes per GiB (values over 1 GiB make no sense).</summary>
    public long Memory { get; init; }

    /// <summary>Fraction (0–1) of the file descriptors allotted to this scope.</summary>
    public double FDFraction { get; init; }
}

/// <summary>
/// Partial limits of one scope as written in configuration (rcmgr <c>ResourceLimits</c>); each value may be
/// <see cref="LimitVal.Default"/> meaning "take it from the defaults".
/// </summary>
public readonly record struct ResourceLimits
{
    /// <summary>Total streams.</summary>
    public LimitVal Streams { get; init; }

    /// <summary>Inbound streams.</summary>
    public LimitVal StreamsInbound { get; init; }

    /// <summary>Outbound streams.</summary>
    public LimitVal StreamsOutbound { get; init; }

    /// <summary>Total connections.</summary>
    public LimitVal Conns { get; init; }

    /// <summary>Inbound connections.</summary>
    public LimitVal ConnsInbound { get; init; }

    /// <summary>Outbound connections.</summary>
    public LimitVal ConnsOutbound { get; init; }

    /// <summary>File descriptors.</summary>
    public LimitVal FD { get; init; }

    /// <summary>Memory, bytes.</summary>
    public LimitVal64 Memory { get; init; }

    /// <summary>True when every value is default (such limits are omitted from JSON).</summary>
    public bool IsDefault =>
        Streams.IsDefault && StreamsInbound.IsDefault && StreamsOutbound.IsDefault && Conns.IsDefault &&
        ConnsInbound.IsDefault && ConnsOutbound.IsDefault && FD.IsDefault && Memory.IsDefault;

    /// <summary>Resolves over <paramref name="defaults"/> (rcmgr <c>ResourceLimits.Build</c>).</summary>
    public BaseLimit Build(BaseLimit defaults) => new()
    {
        Streams = Streams.Build(defaults.Streams),
        StreamsInbound = StreamsInbound.Build(defaults.StreamsInbound),
        StreamsOutbound = StreamsOutbound.Build(defaults.StreamsOutbound),
        Conns = Conns.Build(defaults.Conns),
        ConnsInbound = ConnsInbound.Build(defaults.ConnsInbound),
        ConnsOutbound = ConnsOutbound.Build(defaults.ConnsOutbound),
        FD = FD.Build(defaults.FD),
        Memory = Memory.Build(defaults.Memory),
    };

    /// <summary>Returns a copy where every default value is taken from <paramref name="other"/> (rcmgr <c>ResourceLimits.Apply</c>).</summary>
    public ResourceLimits Apply(ResourceLimits other) => new()
    {
        Streams = Streams.IsDefault ? other.Streams : Streams,
        StreamsInbound = StreamsInbound.IsDefault ? other.StreamsInbound : StreamsInbound,
        StreamsOutbound = StreamsOutbound.IsDefault ? other.StreamsOutbound : StreamsOutbound,
        Conns = Conns.IsDefault ? other.Conns : Conns,
        ConnsInbound = ConnsInbound.IsDefault ? other.ConnsInbound : ConnsInbound,
        ConnsOutbound = ConnsOutbound.IsDefault ? other.ConnsOutbound : ConnsOutbound,
        FD = FD.IsDefault ? other.FD : FD,
        Memory = Memory.IsDefault ? other.Memory : Memory,
    };
}
