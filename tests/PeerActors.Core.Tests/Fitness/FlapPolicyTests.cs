namespace PeerActors.Core.Tests.Fitness;

public class FlapPolicyTests
{
    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, 1)]
    [InlineData(199, 1)]
    [InlineData(200, 5)]
    [InlineData(399, 5)]
    [InlineData(400, 30)]
    [InlineData(599, 30)]
    [InlineData(600, 60)]
    [InlineData(799, 60)]
    [InlineData(800, 1800)]
    [InlineData(999, 1800)]
    [InlineData(1000, 3600)]
    [InlineData(1199, 3600)]
    [InlineData(1200, 3600)]
    [InlineData(100_000, 3600)]
    [InlineData(long.MaxValue, 3600)]
    public void RateLimit_tiers(long flapCount, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), FlapPolicy.RateLimit(flapCount));
    }

    private static readonly DateTimeOffset Last = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(100, 0, 100)]                 // no time elapsed
    [InlineData(100, 7 * 3600, 100)]          // under 8 h: unchanged
    [InlineData(100, 8 * 3600 - 1, 100)]      // one second short of the period
    [InlineData(100, 8 * 3600, 95)]           // exactly one period: 100 * 0.95
    [InlineData(100, 12 * 3600, 92)]          // 1.5 periods: 100 * 0.95^1.5 = 92.594…
    [InlineData(100, 16 * 3600, 90)]          // 2 periods: 90.25
    [InlineData(100, 24 * 3600, 85)]          // 3 periods: 85.7375
    [InlineData(100, 80 * 3600, 59)]          // 10 periods: 59.87…
    [InlineData(1000, 10 * 3600, 937)]        // 1.25 periods: 1000 * 0.95^1.25 = 937.89…
    [InlineData(1, 8 * 3600, 0)]              // floor(0.95)
    [InlineData(0, 100 * 3600, 0)]
    [InlineData(100, -3600, 100)]             // now before last flap: unchanged
    public void Cooldown_table(long count, long secondsSinceLastFlap, long expected)
    {
        Assert.Equal(expected, FlapPolicy.Cooldown(Last.AddSeconds(secondsSinceLastFlap), count, Last));
    }

    [Fact]
    public void Cooldown_never_increases_and_decays_to_zero()
    {
        Assert.Equal(0, FlapPolicy.Cooldown(Last.AddYears(10), 1_000_000, Last));
        Assert.Equal(long.MaxValue, FlapPolicy.Cooldown(Last.AddHours(1), long.MaxValue, Last));
        Assert.True(FlapPolicy.Cooldown(Last.AddHours(9), long.MaxValue, Last) < long.MaxValue);
    }
}
