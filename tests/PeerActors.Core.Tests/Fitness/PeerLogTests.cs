namespace PeerActors.Core.Tests.Fitness;

public class PeerLogTests
{
    internal static readonly DateTimeOffset T0 = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static OnlineStateEvent On(double hours) => new(T0.AddHours(hours), true);
    private static OnlineStateEvent Off(double hours) => new(T0.AddHours(hours), false);

    private static PeerLog LogWith(params OnlineStateEvent[] committed) =>
        PeerLog.FromState(PeerLogState.Empty with
        {
            Committed = committed,
            Channels = [new ChannelRecord("c", committed.Length > 0 ? committed[0].Timestamp : T0)],
        });

    // ------------------------------------------------------------ flap counting

    [Fact]
    public void Online_and_offline_events_both_count_as_flaps_even_without_channels()
    {
        var log = new PeerLog();
        log.OnlineEvent(true, T0);
        log.OnlineEvent(false, T0.AddMinutes(1));
        log.OnlineEvent(true, T0.AddMinutes(2));

        Assert.Equal((3L, (DateTimeOffset?)T0.AddMinutes(2)), log.FlapCount());
        Assert.True(log.Online);
        Assert.Empty(log.Events()); // no channels: no event log
    }

    [Fact]
    public void Cooldown_is_applied_before_counting_the_new_flap()
    {
        var log = new PeerLog(flapCount: 100, lastFlap: T0);
        log.OnlineEvent(false, T0.AddHours(16)); // 100 → 90 (two periods) → 91
        Assert.Equal(91, log.FlapCount().Count);
        log.OnlineEvent(true, T0.AddHours(17)); // within 8 h of the last flap: no cooldown
        Assert.Equal(92, log.FlapCount().Count);
    }

    [Fact]
    public void New_peer_has_no_last_flap()
    {
        Assert.Equal((0L, (DateTimeOffset?)null), new PeerLog().FlapCount());
    }

    // ------------------------------------------------------------ staging / rate limit

    [Fact]
    public void Adding_first_channel_stages_current_state()
    {
        var log = new PeerLog();
        log.OnlineEvent(true, T0);
        log.AddChannel("c", T0.AddHours(1));
        Assert.Empty(log.CommittedEvents);
        Assert.Equal(On(1), log.StagedEvent);
    }

    [Fact]
    public void Staged_event_commits_only_when_strictly_older_than_rate_limit()
    {
        var log = new PeerLog();
        log.AddChannel("c", T0); // stages (T0, offline)

        log.OnlineEvent(true, T0.AddSeconds(1)); // flap 1 → limit 1 s; T0 + 1 s is not strictly before T0 + 1 s
        Assert.Empty(log.CommittedEvents);
        Assert.Equal(new OnlineStateEvent(T0.AddSeconds(1), true), log.StagedEvent);

        log.OnlineEvent(false, T0.AddSeconds(2).AddTicks(1)); // strictly after staged + 1 s → commit
        Assert.Equal([new OnlineStateEvent(T0.AddSeconds(1), true)], log.CommittedEvents);
        Assert.Equal(new OnlineStateEvent(T0.AddSeconds(2).AddTicks(1), false), log.StagedEvent);
    }

    [Theory]
    [InlineData(198, 2, true)]   // count becomes 199 → 1 s: 2 s gap commits
    [InlineData(199, 2, false)]  // count becomes 200 → 5 s: 2 s gap does not
    [InlineData(199, 5, false)]  // exactly the limit: not strictly before
    [InlineData(199, 6, true)]
    [InlineData(999, 3600, false)] // count becomes 1000 → 1 h
    [InlineData(999, 3601, true)]
    public void Rate_limit_uses_the_flap_count_after_this_flap(long initialCount, int gapSeconds, bool commits)
    {
        var log = new PeerLog(flapCount: initialCount, lastFlap: T0);
        log.AddChannel("c", T0);
        log.OnlineEvent(true, T0.AddSeconds(gapSeconds));
        Assert.Equal(commits ? 1 : 0, log.CommittedEvents.Count);
    }

    [Fact]
    public void Rapid_flaps_keep_only_the_latest_state_staged()
    {
        var log = new PeerLog();
        log.AddChannel("c", T0);
        for (var i = 1; i <= 10; i++) log.OnlineEvent(i % 2 == 1, T0.AddMilliseconds(100 * i));
        Assert.Empty(log.CommittedEvents);
        Assert.Equal(new OnlineStateEvent(T0.AddMilliseconds(1000), false), log.StagedEvent);
        Assert.False(log.Online);
    }

    [Fact]
    public void Late_event_is_recorded_at_the_latest_instant_in_the_log()
    {
        var log = new PeerLog();
        log.AddChannel("c", T0.AddHours(1));
        log.OnlineEvent(true, T0); // earlier than the staged event
        Assert.Equal(On(1), log.StagedEvent);
        Assert.Equal(T0, log.FlapCount().LastFlap);
    }

    // ------------------------------------------------------------ online periods and uptime

    [Fact]
    public void Online_periods_ignore_duplicates_earliest_wins_and_run_to_now()
    {
        var log = LogWith(On(0), On(1), Off(2), Off(3), On(4));
        var periods = log.OnlinePeriods(T0.AddHours(6));
        Assert.Equal([new OnlinePeriod(T0, T0.AddHours(2)), new OnlinePeriod(T0.AddHours(4), T0.AddHours(6))], periods);
    }

    [Fact]
    public void Log_starting_offline_has_no_period_before_first_online()
    {
        var log = LogWith(Off(0), On(1), Off(3));
        Assert.Equal([new OnlinePeriod(T0.AddHours(1), T0.AddHours(3))], log.OnlinePeriods(T0.AddHours(10)));
    }

    [Theory]
    [InlineData(0, 6, 4.0)]    // [0,2] + [4,6]
    [InlineData(1, 5, 2.0)]    // [1,2] + [4,5]
    [InlineData(2, 4, 0.0)]
    [InlineData(-5, 100, 4.0)] // end after now: the open period stops at now
    [InlineData(5, 5, 0.0)]
    [InlineData(1.5, 1.5, 0.0)]
    public void Uptime_clips_periods_to_the_range(double startH, double endH, double expectedHours)
    {
        var log = LogWith(On(0), On(1), Off(2), Off(3), On(4));
        Assert.Equal(TimeSpan.FromHours(expectedHours), log.Uptime(T0.AddHours(startH), T0.AddHours(endH), T0.AddHours(6)));
    }

    [Fact]
    public void Uptime_rejects_end_before_start_and_zero_end()
    {
        var log = LogWith(On(0));
        var before = log.ToState();
        var ex = Assert.Throws<InvalidInputException>(() => log.Uptime(T0.AddHours(2), T0.AddHours(1), T0.AddHours(3)));
        Assert.Equal("end", ex.Field);
        Assert.Throws<InvalidInputException>(() => log.Uptime(default, default, T0));
        Assert.Equal(before, log.ToState());
    }

    [Fact]
    public void Channel_uptime_is_lifetime_and_uptime_since_opening()
    {
        var log = new PeerLog();
        log.OnlineEvent(true, T0);
        log.AddChannel("c", T0.AddHours(1));   // stages (1h, online)
        log.OnlineEvent(false, T0.AddHours(3)); // commits online@1h
        log.OnlineEvent(true, T0.AddHours(4));  // commits offline@3h
        var r = log.ChannelUptime("c", T0.AddHours(5));
        Assert.Equal(TimeSpan.FromHours(4), r.Lifetime);
        Assert.Equal(TimeSpan.FromHours(3), r.Uptime);
    }

    [Fact]
    public void Second_channel_measures_only_from_its_own_opening()
    {
        var log = new PeerLog();
        log.OnlineEvent(true, T0);
        log.AddChannel("a", T0);
        log.OnlineEvent(false, T0.AddHours(2));
        log.AddChannel("b", T0.AddHours(3)); // committed log not empty: no extra event
        log.OnlineEvent(true, T0.AddHours(4));
        var a = log.ChannelUptime("a", T0.AddHours(6));
        var b = log.ChannelUptime("b", T0.AddHours(6));
        Assert.Equal(new ChannelUptimeReport(TimeSpan.FromHours(6), TimeSpan.FromHours(4)), a);
        Assert.Equal(new ChannelUptimeReport(TimeSpan.FromHours(3), TimeSpan.FromHours(2)), b);
    }

    // ------------------------------------------------------------ errors leave state unchanged

    [Fact]
    public void Unknown_channel_throws_channel_not_found()
    {
        var log = LogWith(On(0));
        var before = log.ToState();
        var ex = Assert.Throws<ChannelNotFoundException>(() => log.ChannelUptime("nope", T0.AddHours(1)));
        Assert.Equal("nope", ex.ChannelId);
        Assert.Contains("channel not found", ex.Message);
        Assert.Throws<ChannelNotFoundException>(() => log.RemoveChannel("nope"));
        Assert.Equal(before, log.ToState());
    }

    [Fact]
    public void Duplicate_channel_throws_and_keeps_state()
    {
        var log = new PeerLog();
        log.AddChannel("c", T0);
        var before = log.ToState();
        var ex = Assert.Throws<ChannelAlreadyExistsException>(() => log.AddChannel("c", T0.AddHours(1)));
        Assert.Equal("c", ex.ChannelId);
        Assert.Equal(before, log.ToState());
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Empty_channel_id_is_invalid_input(string? id)
    {
        var log = new PeerLog();
        var ex = Assert.Throws<InvalidInputException>(() => log.AddChannel(id!, T0));
        Assert.Equal("channelId", ex.Field);
        Assert.Equal(0, log.ChannelCount);
    }

    [Fact]
    public void Channel_uptime_before_opening_is_rejected()
    {
        var log = new PeerLog();
        log.AddChannel("c", T0);
        Assert.Throws<InvalidInputException>(() => log.ChannelUptime("c", T0.AddHours(-1)));
    }

    // ------------------------------------------------------------ channel removal

    [Fact]
    public void Removing_the_last_channel_discards_events_but_keeps_flaps()
    {
        var log = new PeerLog();
        log.AddChannel("a", T0);
        log.AddChannel("b", T0);
        for (var i = 1; i <= 5; i++) log.OnlineEvent(i % 2 == 1, T0.AddHours(i));
        Assert.NotEmpty(log.CommittedEvents);

        log.RemoveChannel("a");
        Assert.NotEmpty(log.CommittedEvents); // one channel left

        log.RemoveChannel("b");
        Assert.Empty(log.CommittedEvents);
        Assert.Null(log.StagedEvent);
        Assert.Null(log.Prefix);
        Assert.Empty(log.Events());
        Assert.Equal(5, log.FlapCount().Count);
        Assert.True(log.Online);
    }

    // ------------------------------------------------------------ state round-trip

    [Fact]
    public void State_round_trip_is_exact_including_prefix()
    {
        var options = new PeerLogOptions { MaxCommittedEvents = 8 };
        var log = new PeerLog(options);
        log.AddChannel("a", T0);
        for (var i = 1; i <= 40; i++)
        {
            if (i == 15) log.AddChannel("b", T0.AddHours(i).AddMinutes(30));
            log.OnlineEvent(i % 3 != 0, T0.AddHours(i));
        }
        Assert.NotNull(log.Prefix);

        var state = log.ToState();
        var copy = PeerLog.FromState(state, options);
        Assert.Equal(state, copy.ToState());

        // Both continue identically.
        foreach (var l in new[] { log, copy })
        {
            l.OnlineEvent(false, T0.AddHours(50));
            l.OnlineEvent(true, T0.AddHours(51));
        }
        Assert.Equal(log.ToState(), copy.ToState());
        Assert.Equal(log.ChannelUptime("b", T0.AddHours(60)), copy.ChannelUptime("b", T0.AddHours(60)));
    }

    [Fact]
    public void Empty_state_round_trips()
    {
        Assert.Equal(PeerLogState.Empty, PeerLog.FromState(PeerLogState.Empty).ToState());
    }

    [Fact]
    public void Inconsistent_state_is_rejected()
    {
        var unordered = PeerLogState.Empty with { Committed = [On(2), Off(1)], Channels = [new ChannelRecord("c", T0)] };
        Assert.Throws<InvalidInputException>(() => PeerLog.FromState(unordered));
        var eventsWithoutChannels = PeerLogState.Empty with { Committed = [On(1)] };
        Assert.Throws<InvalidInputException>(() => PeerLog.FromState(eventsWithoutChannels));
        var duplicateChannel = PeerLogState.Empty with { Channels = [new ChannelRecord("c", T0), new ChannelRecord("c", T0)] };
        Assert.Throws<InvalidInputException>(() => PeerLog.FromState(duplicateChannel));
        Assert.Throws<InvalidInputException>(() => PeerLog.FromState(PeerLogState.Empty with { FlapCount = -1 }));
    }

    [Fact]
    public void Options_reject_cap_below_two()
    {
        Assert.Throws<InvalidInputException>(() => new PeerLog(new PeerLogOptions { MaxCommittedEvents = 1 }));
    }

    // ------------------------------------------------------------ bounded memory

    [Theory]
    [InlineData(7200)] // every event commits (2 h apart > 1 h top tier), no cooldown (< 8 h)
    [InlineData(1)]    // one flap per second: rate limited
    public void Hundred_thousand_flaps_stay_bounded_and_count_exactly(int secondsApart)
    {
        var log = new PeerLog();
        log.AddChannel("c", T0);
        for (var i = 1; i <= 100_000; i++) log.OnlineEvent(i % 2 == 1, T0.AddSeconds((long)i * secondsApart));
        Assert.True(log.CommittedEvents.Count <= PeerLogOptions.Default.MaxCommittedEvents);
        Assert.Equal(100_000, log.FlapCount().Count);
        if (secondsApart == 7200) Assert.NotNull(log.Prefix);
    }

    [Fact]
    public void Compaction_keeps_whole_window_and_channel_uptime_exact()
    {
        var small = new PeerLog(new PeerLogOptions { MaxCommittedEvents = 16 });
        var full = new PeerLog(new PeerLogOptions { MaxCommittedEvents = int.MaxValue });
        var rng = new Random(42);
        var t = T0;
        foreach (var log in new[] { small, full }) log.AddChannel("a", T0);
        for (var i = 1; i <= 2_000; i++)
        {
            t = t.AddMinutes(30 + rng.Next(0, 300));
            var online = rng.Next(3) != 0;
            foreach (var log in new[] { small, full })
            {
                if (i == 700) log.AddChannel("b", t.AddMinutes(-1));
                log.OnlineEvent(online, t);
            }
        }
        var now = t.AddHours(3);
        Assert.True(small.CommittedEvents.Count <= 16);
        Assert.NotNull(small.Prefix);
        Assert.True(small.Prefix!.Boundary > T0.AddMinutes(700 * 30)); // channel b's opening was folded
        Assert.Equal(full.Uptime(T0.AddDays(-1), now, now), small.Uptime(T0.AddDays(-1), now, now));
        Assert.Equal(full.ChannelUptime("a", now), small.ChannelUptime("a", now));
        Assert.Equal(full.ChannelUptime("b", now), small.ChannelUptime("b", now));

        // A window starting inside the prefix is approximated but stays within [0, end − start].
        var mid = T0.AddDays(10);
        var approx = small.Uptime(mid, now, now);
        Assert.InRange(approx, TimeSpan.Zero, now - mid);
    }
}
