namespace PeerActors.Core.Tests.ResourceManager;

/// <summary>The one reservation rule (rcmgr checkMemory and the count checks), shared by ResourceScope and the limit actors.</summary>
public class ReservationRuleTests
{
    private static readonly BaseLimit Limit = new()
    {
        Streams = 3, StreamsInbound = 2, StreamsOutbound = 2, Conns = 3, ConnsInbound = 2, ConnsOutbound = 2, FD = 1, Memory = 1024,
    };

    public static TheoryData<ScopeStat, ScopeStat, ResourceKind?, Direction?> Counts => new()
    {
        { new(0, 1, 0, 0, 0, 0), new(0, 1, 0, 0, 0, 0), null, null },
        { new(0, 2, 0, 0, 0, 0), new(0, 1, 0, 0, 0, 0), ResourceKind.Stream, Direction.Inbound },
        { new(0, 0, 2, 0, 0, 0), new(0, 0, 1, 0, 0, 0), ResourceKind.Stream, Direction.Outbound },
        { new(0, 1, 2, 0, 0, 0), new(0, 1, 0, 0, 0, 0), ResourceKind.Stream, null },          // total
        { new(0, 0, 0, 2, 0, 0), new(0, 0, 0, 1, 0, 0), ResourceKind.Connection, Direction.Inbound },
        { new(0, 0, 0, 2, 1, 0), new(0, 0, 0, 0, 1, 0), ResourceKind.Connection, null },      // total
        { new(0, 0, 0, 0, 0, 1), new(0, 0, 0, 0, 1, 1), ResourceKind.FileDescriptor, null },
        { new(0, 2, 0, 0, 0, 0), new(0, 0, 0, 1, 0, 0), null, null },                        // full streams do not block a connection
    };

    [Theory]
    [MemberData(nameof(Counts))]
    public void Counts_are_checked_in_rcmgr_order_only_for_what_the_delta_adds(ScopeStat current, ScopeStat delta, ResourceKind? refused, Direction? dir)
    {
        var e = ReservationRule.CheckCounts(current, delta, Limit, "peer:QmX", ScopeClass.Peer);
        Assert.Equal(refused, e?.Resource);
        Assert.Equal(dir, e?.Direction);
        if (e is not null) Assert.StartsWith("peer:QmX: cannot reserve", e.Message);
    }

    [Theory]
    [InlineData(0L, 1024L, ReservationPriority.Always, true)]   // 1024·256/256
    [InlineData(0L, 1025L, ReservationPriority.Always, false)]
    [InlineData(0L, 404L, ReservationPriority.Low, true)]       // 1024·102/256 = 408
    [InlineData(0L, 409L, ReservationPriority.Low, false)]
    [InlineData(1000L, 0L, ReservationPriority.Low, false)]    // already over the Low threshold: rcmgr refuses even 0 bytes
    [InlineData(long.MaxValue, 1L, ReservationPriority.Always, false)] // overflow
    public void Memory_fits_under_limit_times_one_plus_priority_over_256(long current, long size, byte priority, bool fits)
    {
        var e = ReservationRule.CheckMemory(current, size, Limit, priority, "system", ScopeClass.System);
        Assert.Equal(fits, e is null);
        Assert.Null(ReservationRule.CheckMemory(current, size, Limit with { Memory = long.MaxValue }, priority, "system", ScopeClass.System));
    }
}
