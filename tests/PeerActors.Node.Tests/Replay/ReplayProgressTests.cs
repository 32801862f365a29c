using PeerActors.Node.Replay;
using Xunit;

namespace PeerActors.Node.Tests.Replay;

public class ReplayProgressTests
{
    [Theory]
    [InlineData(1000, 19538, 12000, 2.0, "sessions 1,000/19,538 (5.1%) | 12,000 events | 6,000 events/s | ETA 0:00:37")]
    [InlineData(0, 10, 0, 0.0, "sessions 0/10 (0.0%) | 0 events | - events/s | ETA ?")]
    [InlineData(10, 10, 500, 4.0, "sessions 10/10 (100.0%) | 500 events | 125 events/s | ETA 0:00:00")]
    [InlineData(1, 4, 100, 3600.0, "sessions 1/4 (25.0%) | 100 events | 0 events/s | ETA 3:00:00")]
    [InlineData(0, 0, 0, 1.0, "sessions 0/0 (100.0%) | 0 events | 0 events/s | ETA 0:00:00")]
    public void Formats_sessions_rate_and_eta(long done, long total, long events, double seconds, string expected) =>
        Assert.Equal(expected, ReplayProgress.Format(done, total, events, TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Is_quiet_when_output_is_redirected(bool redirected, bool enabled) =>
        Assert.Equal(enabled, ReplayProgress.IsEnabled(redirected));

    [Fact]
    public void Rejects_impossible_counts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReplayProgress.Format(5, 4, 0, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReplayProgress.Format(-1, 4, 0, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReplayProgress.Format(1, 4, 0, TimeSpan.FromSeconds(-1)));
    }
}
