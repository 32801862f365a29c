namespace PeerActors.Core.Tests.ResourceManager;

public class ResourceScopeTests
{
    private static ResourceScope Scope(string name, BaseLimit limit, params ResourceScope[] edges) =>
        new(name, ScopeClass.Service, limit, edges);

    [Theory]
    [InlineData(ReservationPriority.Low, 256_000L, 102_000L)]
    [InlineData(ReservationPriority.Medium, 256_000L, 153_000L)]
    [InlineData(ReservationPriority.High, 256_000L, 204_000L)]
    [InlineData(ReservationPriority.Always, 256_000L, 256_000L)]
    [InlineData(ReservationPriority.Low, 1000L, 398L)]   // ⌊1000·102/256⌋
    [InlineData(ReservationPriority.High, 1000L, 796L)]  // ⌊1000·204/256⌋
    [InlineData((byte)0, 1000L, 3L)]                     // ⌊1000·1/256⌋
    public void Memory_priority_threshold_is_exact(byte priority, long limit, long threshold)
    {
        var at = Scope("svc:a", new BaseLimit { Memory = limit });
        Assert.True(at.TryReserveMemory(threshold, priority, out var e1));
        Assert.Null(e1);
        Assert.Equal(threshold, at.Stat.Memory);

        var over = Scope("svc:b", new BaseLimit { Memory = limit });
        Assert.False(over.TryReserveMemory(threshold + 1, priority, out var e2));
        Assert.Equal(0, over.Stat.Memory);
        Assert.Equal(ResourceKind.Memory, e2!.Resource);
        Assert.Equal(limit, e2.Limit);
        Assert.Equal(threshold + 1, e2.Attempted);
        Assert.Equal(priority, e2.Priority);
        Assert.Equal("svc:b: resource limit exceeded", e2.Message);

        // incremental: at threshold, one more byte is refused
        Assert.False(at.TryReserveMemory(1, priority, out _));
        Assert.Equal(threshold, at.Stat.Memory);
    }

    [Fact]
    public void Negative_memory_is_rejected_and_nothing_changes()
    {
        var s = Scope("svc:a", new BaseLimit { Memory = 100 });
        s.ReserveMemory(10);
        var e = Assert.Throws<InvalidInputException>(() => s.ReserveMemory(-1));
        Assert.Equal("size", e.Field);
        Assert.Throws<InvalidInputException>(() => s.ReleaseMemory(-1));
        Assert.Equal(10, s.Stat.Memory);
    }

    [Fact]
    public void Edge_refusal_rolls_back_self_and_earlier_edges()
    {
        var sys = new ResourceScope("system", ScopeClass.System, new BaseLimit { Memory = 50 });
        var peer = new ResourceScope("peer:A", ScopeClass.Peer, BaseLimit.Infinite, [sys]);
        var stream = new ResourceScope("stream-1", ScopeClass.Stream, BaseLimit.Infinite, [peer, sys]);
        stream.ReserveMemory(40);
        var e = Assert.Throws<ResourceLimitExceededException>(() => stream.ReserveMemory(11));
        Assert.Equal("system", e.ScopeName);
        Assert.Equal("stream-1", e.RequestingScope);
        Assert.Equal(40, e.Current);
        Assert.Equal(40, stream.Stat.Memory);
        Assert.Equal(40, peer.Stat.Memory);
        Assert.Equal(40, sys.Stat.Memory);
        stream.ReleaseMemory(40);
        Assert.True(sys.Stat.IsZero && peer.Stat.IsZero && stream.Stat.IsZero);
    }

    [Fact]
    public void BlockAll_and_Unlimited()
    {
        var blocked = Scope("svc:x", new BaseLimit());
        Assert.False(blocked.TryAddStream(Direction.Inbound, out var e));
        Assert.Equal("svc:x: cannot reserve inbound stream: resource limit exceeded", e!.Message);
        Assert.False(blocked.TryReserveMemory(1, ReservationPriority.Always, out _));
        Assert.True(blocked.TryReserveMemory(0, ReservationPriority.Always, out _));

        var open = Scope("svc:y", BaseLimit.Infinite);
        open.ReserveMemory(long.MaxValue - 5);
        open.ReserveMemory(5);
        for (int i = 0; i < 1000; i++) open.AddConn(Direction.Outbound, usesFd: true);
        Assert.Equal(1000, open.Stat.NumFD);
    }

    [Theory]
    [InlineData(Direction.Inbound, 1, 5, 5, "cannot reserve inbound stream")]
    [InlineData(Direction.Outbound, 5, 1, 5, "cannot reserve outbound stream")]
    [InlineData(Direction.Inbound, 5, 5, 1, "cannot reserve stream")]
    public void Stream_limits_by_direction_then_total(Direction second, int inLimit, int outLimit, int total, string text)
    {
        var s = Scope("svc:s", new BaseLimit { StreamsInbound = inLimit, StreamsOutbound = outLimit, Streams = total });
        s.AddStream(second);
        var e = Assert.Throws<ResourceLimitExceededException>(() => s.AddStream(second));
        Assert.Equal($"svc:s: {text}: resource limit exceeded", e.Message);
        Assert.Equal(text == "cannot reserve stream" ? null : second, e.Direction);
        Assert.Equal(1, e.Current);
        Assert.Equal(1, e.Limit);
    }

    [Theory]
    [InlineData(1, 5, 5, 5, "cannot reserve inbound connection", ResourceKind.Connection)]
    [InlineData(5, 5, 1, 5, "cannot reserve connection", ResourceKind.Connection)]
    [InlineData(5, 5, 5, 1, "cannot reserve file descriptor", ResourceKind.FileDescriptor)]
    public void Connection_and_fd_limits(int inLimit, int outLimit, int total, int fd, string text, ResourceKind kind)
    {
        var s = Scope("system", new BaseLimit { ConnsInbound = inLimit, ConnsOutbound = outLimit, Conns = total, FD = fd });
        s.AddConn(Direction.Inbound, true);
        var e = Assert.Throws<ResourceLimitExceededException>(() => s.AddConn(Direction.Inbound, true));
        Assert.Equal($"system: {text}: resource limit exceeded", e.Message);
        Assert.Equal(kind, e.Resource);
        Assert.Equal(new ScopeStat(0, 0, 0, 1, 0, 1), s.Stat);
    }

    [Fact]
    public void Span_reserves_through_owner_and_releases_on_done()
    {
        var sys = new ResourceScope("system", ScopeClass.System, new BaseLimit { Memory = 100 });
        var svc = new ResourceScope("svc:a", ScopeClass.Service, BaseLimit.Infinite, [sys]);
        var span = svc.BeginSpan();
        Assert.Equal("svc:a.span-1", span.Name);
        Assert.Equal(ScopeClass.Span, span.Class);
        Assert.Equal("svc:a.span-2", svc.BeginSpan().Name);
        var child = span.BeginSpan();
        Assert.Equal("svc:a.span-1.span-1", child.Name);

        child.ReserveMemory(30);
        span.ReserveMemory(20);
        Assert.Equal((50L, 50L, 50L, 30L), (sys.Stat.Memory, svc.Stat.Memory, span.Stat.Memory, child.Stat.Memory));
        var e = Assert.Throws<ResourceLimitExceededException>(() => child.ReserveMemory(51));
        Assert.Equal("system", e.ScopeName);
        Assert.Equal(30, child.Stat.Memory);

        child.Done();
        Assert.Equal((20L, 20L, 20L), (sys.Stat.Memory, svc.Stat.Memory, span.Stat.Memory));
        span.Done();
        Assert.True(sys.Stat.IsZero && svc.Stat.IsZero);
        Assert.Throws<ResourceScopeClosedException>(() => span.ReserveMemory(1));
        span.Done(); // idempotent
    }

    [Fact]
    public void Done_releases_everything_from_edges_and_refs()
    {
        var sys = new ResourceScope("system", ScopeClass.System, BaseLimit.Infinite);
        var s = new ResourceScope("conn-1", ScopeClass.Connection, BaseLimit.Infinite, [sys]);
        Assert.Equal(1, sys.RefCount);
        s.AddConn(Direction.Outbound, true);
        s.ReserveMemory(77);
        s.Done();
        Assert.True(sys.Stat.IsZero);
        Assert.Equal(0, sys.RefCount);
        var e = Assert.Throws<ResourceScopeClosedException>(() => s.AddStream(Direction.Inbound));
        Assert.Equal("conn-1: resource scope closed", e.Message);
    }
}
