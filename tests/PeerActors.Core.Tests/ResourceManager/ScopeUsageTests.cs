namespace PeerActors.Core.Tests.ResourceManager;

/// <summary>The accounting core shared by <see cref="ResourceScope"/> and the limit actors' scopes.</summary>
public sealed class ScopeUsageTests
{
    private static readonly BaseLimit Limit = BaseLimit.Infinite with { Memory = 1024, StreamsInbound = 1 };

    [Fact]
    public void Releasing_more_than_reserved_clamps_every_counter_at_zero()
    {
        var u = new ScopeUsage();
        u.Add(new ScopeStat(100, 1, 0, 0, 0, 0));
        u.Release(new ScopeStat(500, 3, 2, 1, 1, 1));
        Assert.True(u.IsZero);
    }

    [Theory]
    // memory threshold = limit·(1+priority)/256: 1024·128/256 = 512 at priority 127
    [InlineData(512, 127, 0, null)]
    [InlineData(513, 127, 0, ResourceKind.Memory)]
    [InlineData(1024, 255, 0, null)]
    [InlineData(0, 255, 1, null)]
    [InlineData(0, 255, 2, ResourceKind.Stream)]
    public void Check_applies_rcmgrs_memory_priority_and_count_limits(long memory, byte priority, int streamsIn, ResourceKind? refused)
    {
        var u = new ScopeUsage();
        var e = u.Check(new ScopeStat(memory, streamsIn, 0, 0, 0, 0), priority, Limit, "peer:x", ScopeClass.Peer);
        Assert.Equal(refused, e?.Resource);
        if (e is not null) Assert.Equal("peer:x", e.ScopeName);
        Assert.True(u.IsZero); // a check never reserves
    }
}
