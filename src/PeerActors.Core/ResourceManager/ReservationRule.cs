namespace PeerActors.Core.ResourceManager;

/// <summary>
/// rcmgr's reservation check (<c>resources.checkMemory</c> and the stream/connection/FD checks of
/// <c>resources.addStreams</c> / <c>addConns</c>), written once: the in-process <see cref="ResourceScope"/> and the limit
/// actors' counters both call it, so the two cannot drift apart.
/// <list type="bullet">
/// <item>Memory (bytes): refused when <c>current + size &gt; limit·(1+priority)/256</c> (or the sum overflows); an
/// unlimited limit (<see cref="long.MaxValue"/>) never refuses.</item>
/// <item>Counts, in rcmgr's order: inbound streams, outbound streams, total streams, inbound connections, outbound
/// connections, total connections, file descriptors; each only when the delta adds to it.</item>
/// </list>
/// </summary>
public static class ReservationRule
{
    /// <summary>The memory check; null when <paramref name="size"/> bytes fit.</summary>
    /// <param name="current">Bytes in use.</param>
    /// <param name="size">Bytes requested (≥ 0).</param>
    /// <param name="limit">The scope's limit.</param>
    /// <param name="priority">0–255 (see <see cref="ReservationPriority"/>).</param>
    /// <param name="scope">Scope name (for the error).</param>
    /// <param name="cls">Scope class (for the error).</param>
    public static ResourceLimitExceededException? CheckMemory(long current, long size, BaseLimit limit, byte priority, string scope, ScopeClass cls)
    {
        long l = limit.Memory;
        if (l == long.MaxValue) return null;
        long threshold = l <= 0 ? 0 : (long)(((Int128)l * (1 + priority)) >> 8);
        if (size > long.MaxValue - current || current + size > threshold)
            return new ResourceLimitExceededException(scope, cls, ResourceKind.Memory, null, current, size, l, priority);
        return null;
    }

    /// <summary>The stream, connection and FD checks of <paramref name="delta"/> over <paramref name="current"/>; null when it fits.</summary>
    /// <param name="current">Usage.</param>
    /// <param name="delta">Requested counts (memory ignored).</param>
    /// <param name="limit">The scope's limit.</param>
    /// <param name="scope">Scope name (for the error).</param>
    /// <param name="cls">Scope class (for the error).</param>
    public static ResourceLimitExceededException? CheckCounts(in ScopeStat current, in ScopeStat delta, BaseLimit limit, string scope, ScopeClass cls)
    {
        var l = limit;
        var c = current;
        var d = delta;
        if (d.NumStreamsInbound > 0 && (long)c.NumStreamsInbound + d.NumStreamsInbound > l.StreamsInbound)
            return new(scope, cls, ResourceKind.Stream, Direction.Inbound, c.NumStreamsInbound, d.NumStreamsInbound, l.StreamsInbound);
        if (d.NumStreamsOutbound > 0 && (long)c.NumStreamsOutbound + d.NumStreamsOutbound > l.StreamsOutbound)
            return new(scope, cls, ResourceKind.Stream, Direction.Outbound, c.NumStreamsOutbound, d.NumStreamsOutbound, l.StreamsOutbound);
        int streams = d.NumStreamsInbound + d.NumStreamsOutbound;
        if (streams > 0 && (long)c.NumStreamsInbound + c.NumStreamsOutbound + streams > l.Streams)
            return new(scope, cls, ResourceKind.Stream, null, (long)c.NumStreamsInbound + c.NumStreamsOutbound, streams, l.Streams);
        if (d.NumConnsInbound > 0 && (long)c.NumConnsInbound + d.NumConnsInbound > l.ConnsInbound)
            return new(scope, cls, ResourceKind.Connection, Direction.Inbound, c.NumConnsInbound, d.NumConnsInbound, l.ConnsInbound);
        if (d.NumConnsOutbound > 0 && (long)c.NumConnsOutbound + d.NumConnsOutbound > l.ConnsOutbound)
            return new(scope, cls, ResourceKind.Connection, Direction.Outbound, c.NumConnsOutbound, d.NumConnsOutbound, l.ConnsOutbound);
        int conns = d.NumConnsInbound + d.NumConnsOutbound;
        if (conns > 0 && (long)c.NumConnsInbound + c.NumConnsOutbound + conns > l.Conns)
            return new(scope, cls, ResourceKind.Connection, null, (long)c.NumConnsInbound + c.NumConnsOutbound, conns, l.Conns);
        if (d.NumFD > 0 && (long)c.NumFD + d.NumFD > l.FD)
            return new(scope, cls, ResourceKind.FileDescriptor, null, c.NumFD, d.NumFD, l.FD);
        return null;
    }
}
