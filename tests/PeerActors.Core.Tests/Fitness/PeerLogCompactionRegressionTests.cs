namespace PeerActors.Core.Tests.Fitness;

/// <summary>
/// Regressions for compaction exactness, found by <see cref="PeerLogPropertyTests.Compaction_is_exact_on_long_seeded_scenarios"/>
/// (Replay (2110960291978807433,7051485750602192011,95), shrunk to seed 45, cap 0). A channel added while the committed
/// log is empty puts an event at its opening instant; when a fold made that event the prefix boundary, C(openedAt) was
/// exact (t ≥ Boundary), but the next fold added checkpoints only for openings strictly after the old boundary, so the
/// channel's uptime was then linearly interpolated.
/// </summary>
public class PeerLogCompactionRegressionTests
{
    private static readonly DateTimeOffset T0 = PeerLogTests.T0;

    [Fact]
    public void Seed_45_cap_0_channel_uptime_is_exact() => PeerLogPropertyTests.AssertCompactionExact(45, 0);

    [Fact]
    public void Channel_opened_at_a_former_boundary_keeps_exact_uptime_after_the_next_fold()
    {
        var small = new PeerLog(new PeerLogOptions { MaxCommittedEvents = 2 });
        var full = new PeerLog(new PeerLogOptions { MaxCommittedEvents = int.MaxValue });
        void At(int minutes, Action<PeerLog, DateTimeOffset> act)
        {
            foreach (var l in new[] { small, full }) act(l, T0.AddMinutes(minutes));
        }

        At(10, (l, t) => l.AddChannel("x", t));       // committed empty: stages offline @10
        At(20, (l, t) => l.AddChannel("y", t));       // committed still empty: commits @10, stages offline @20
        At(30, (l, t) => l.OnlineEvent(true, t));     // commits @20
        At(40, (l, t) => l.OnlineEvent(false, t));    // commits @30: 3 > 2, fold up to @20 = y's opening
        Assert.Equal(T0.AddMinutes(20), small.Prefix!.Boundary);
        At(50, (l, t) => l.OnlineEvent(true, t));     // commits @40
        At(60, (l, t) => l.OnlineEvent(false, t));    // commits @50: fold up to @40, past y's opening
        At(70, (l, t) => l.OnlineEvent(true, t));
        var now = T0.AddMinutes(75);

        Assert.Equal(T0.AddMinutes(40), small.Prefix!.Boundary);
        Assert.Contains(new UptimeCheckpoint(T0.AddMinutes(20), TimeSpan.Zero), small.Prefix.Checkpoints);
        // Online 30–40, 50–60, 70–75.
        Assert.Equal(new ChannelUptimeReport(TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(25)), small.ChannelUptime("y", now));
        Assert.Equal(full.ChannelUptime("y", now), small.ChannelUptime("y", now));
        Assert.Equal(full.ChannelUptime("x", now), small.ChannelUptime("x", now));
        var state = small.ToState();
        Assert.Equal(state, PeerLog.FromState(state, small.Options).ToState());
    }

    [Fact]
    public void Compaction_is_exact_over_500_seeds_and_every_cap()
    {
        for (var i = 0; i < 500; i++)
            PeerLogPropertyTests.AssertCompactionExact(i * 7919 - 1_000_000, (byte)(i % 8));
    }

    /// <summary>
    /// Harsher than the property's scenario: many zero gaps (equal instants), channel ids re-used, and the last channel
    /// removed (which discards the log) and re-opened; checks at random instants, including at the last event.
    /// </summary>
    [Fact]
    public void Compaction_is_exact_with_equal_instants_and_channels_closed_and_reopened()
    {
        for (var seed = 0; seed < 500; seed++)
        {
            var rng = new Random(seed);
            var small = new PeerLog(new PeerLogOptions { MaxCommittedEvents = 2 + seed % 5 });
            var full = new PeerLog(new PeerLogOptions { MaxCommittedEvents = int.MaxValue });
            var logs = new[] { small, full };
            var t = T0;
            for (var step = 0; step < 200; step++)
            {
                t = t.AddMilliseconds(rng.Next(5) switch
                {
                    0 => 0,
                    1 => rng.Next(1_500),
                    2 => rng.Next(120_000),
                    3 => rng.Next(7_200_000),
                    _ => rng.Next(86_400_000),
                });
                var roll = rng.Next(100);
                if (roll < 12)
                {
                    var id = $"c{rng.Next(6)}";
                    if (!small.Channels.ContainsKey(id)) foreach (var l in logs) l.AddChannel(id, t);
                }
                else if (roll < 18 && small.ChannelCount > 0)
                {
                    var victim = small.Channels.Keys.Order(StringComparer.Ordinal).ElementAt(rng.Next(small.ChannelCount));
                    foreach (var l in logs) l.RemoveChannel(victim);
                }
                else
                {
                    var online = rng.Next(2) == 0;
                    foreach (var l in logs) l.OnlineEvent(online, t);
                }

                if (rng.Next(10) != 0) continue;
                var now = t.AddMilliseconds(rng.Next(3) == 0 ? 0 : rng.Next(600_000));
                Assert.Equal(full.Uptime(T0, now, now), small.Uptime(T0, now, now));
                foreach (var id in full.Channels.Keys)
                    Assert.True(full.ChannelUptime(id, now) == small.ChannelUptime(id, now), $"seed {seed}, step {step}, channel {id}");
                var state = small.ToState();
                Assert.Equal(state, PeerLog.FromState(state, small.Options).ToState());
            }
        }
    }
}
