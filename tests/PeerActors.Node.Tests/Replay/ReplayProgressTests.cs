using PeerActors.Node.Replay;

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

public class ReplayRateWindowTests
{
    [Fact]
    public void The_eta_follows_the_recent_rate_not_the_average_since_the_start()
    {
        // A slow first minute (1 session/s, e.g. the journal warming up), then 10 sessions/s for the last 30 s.
        var w = new ReplayRateWindow(TimeSpan.FromSeconds(30));
        long done = 0;
        for (var t = 0; t <= 60; t++) w.Add(TimeSpan.FromSeconds(t), done = t, 10 * done);
        for (var t = 61; t <= 90; t++) w.Add(TimeSpan.FromSeconds(t), done += 10, 10 * done);

        // 360 done of 1,260: 900 left at 10/s = 90 s (the overall average, 4/s, would say 225 s).
        Assert.Equal(10, w.SessionsPerSecond!.Value, 6);
        Assert.Equal("sessions 360/1,260 (28.6%) | 3,600 events | 100 events/s | ETA 0:01:30",
            ReplayProgress.Format(done, 1260, 10 * done, w));
        Assert.Equal("0:03:45", ReplayProgress.Format(done, 1260, 10 * done, TimeSpan.FromSeconds(90)).Split("ETA ")[1]);
    }

    [Fact]
    public void Before_two_samples_or_without_progress_the_eta_is_unknown()
    {
        var w = new ReplayRateWindow();
        w.Add(TimeSpan.FromSeconds(1), 0, 0);
        Assert.Null(w.SessionsPerSecond);
        Assert.EndsWith("ETA ?", ReplayProgress.Format(0, 10, 0, w));
        w.Add(TimeSpan.FromSeconds(2), 0, 5);
        Assert.EndsWith("| 5 events/s | ETA ?", ReplayProgress.Format(0, 10, 5, w));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayRateWindow(TimeSpan.Zero));
    }
}
