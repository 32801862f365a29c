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
        var error = CheckDirections(ResourceKind.Stream, c.NumStreamsInbound, c.NumStreamsOutbound, d.NumStreamsInbound, d.NumStreamsOutbound,
                        l.StreamsInbound, l.StreamsOutbound, l.Streams, scope, cls)
                    ?? CheckDirections(ResourceKind.Connection, c.NumConnsInbound, c.NumConnsOutbound, d.NumConnsInbound, d.NumConnsOutbound,
                        l.ConnsInbound, l.ConnsOutbound, l.Conns, scope, cls);
        if (error is not null) return error;
        if (d.NumFD > 0 && (long)c.NumFD + d.NumFD > l.FD)
            return new(scope, cls, ResourceKind.FileDescriptor, null, c.NumFD, d.NumFD, l.FD);
        return null;
    }

    /// <summary>
    /// The checks of one directional resource (streams or connections), in rcmgr's order: inbound, outbound, then
    /// their total; each only when the delta adds to it. Sums are taken in <see cref="long"/> so they cannot overflow.
    /// </summary>
    private static ResourceLimitExceededException? CheckDirections(ResourceKind kind, int currentIn, int currentOut, int addIn, int addOut,
        int limitIn, int limitOut, int limitTotal, string scope, ScopeClass cls)
    {
        if (addIn > 0 && (long)currentIn + addIn > limitIn)
            return new(scope, cls, kind, Direction.Inbound, currentIn, addIn, limitIn);
        if (addOut > 0 && (long)currentOut + addOut > limitOut)
            return new(scope, cls, kind, Direction.Outbound, currentOut, addOut, limitOut);
        int total = addIn + addOut;
        if (total > 0 && (long)currentIn + currentOut + total > limitTotal)
            return new(scope, cls, kind, null, (long)currentIn + currentOut, total, limitTotal);
        return null;
    }
}
