using PeerActors.Node.Replay;
using PeerActors.Peers;
using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

public sealed class ReplayDriverTests
{
    private static ResourceManagerReplayLimits Unlimited() => new(ConcreteLimitConfig.Infinite);

    private static string Describe(IPeerMessage m) => m switch
    {
        PeerActors.Peers.PeerOnline x => $"online {x.PeerId} {x.ObservedAt:HH:mm:ss}",
        PeerActors.Peers.PeerOffline x => $"offline {x.PeerId} {x.ObservedAt:HH:mm:ss}",
        OpenChannel x => $"channel {x.PeerId}/{x.ChannelId} {x.ObservedAt:HH:mm:ss}",
        PeerServes x => $"serves {x.PeerId} {x.Protocol} {x.Service}",
        RecordRequest x => $"request {x.PeerId} {x.Bytes} {x.ObservedAt:HH:mm:ss}",
        RecordSuccess x => $"success {x.PeerId} {x.RttMs} {x.Bytes} {x.ObservedAt:HH:mm:ss}",
        RecordBytes x => $"bytes {x.PeerId} {x.Direction} {x.Bytes} {x.ObservedAt:HH:mm:ss}",
        RecordFailure x => $"failure {x.PeerId}",
        _ => m.GetType().Name,
    };

    [Fact]
    public async Task One_session_maps_to_the_documented_peer_messages_in_trace_order_with_trace_timestamps()
    {
        var plan = ReplayPlanner.Plan([Rec("r", "s", 2, 1001, 300, "2020-07-03 20:00:00", "2020-07-03 20:00:10")]);
        var peers = new FakeReplayPeers();

        var result = await new ReplayDriver(peers, Unlimited(), new ReplayDriverOptions { BarrierEvery = 1000 }).RunAsync(plan);

        Assert.Equal(
        [
            "online r 20:00:00", "online s 20:00:00", "channel s/r 20:00:00", "serves s /p2p-live/chunk/1.0.0 streaming",
            "request s 0 20:00:05", "success s 150 500 20:00:05", "bytes s Ingress 500 20:00:05",
            "request s 0 20:00:10", "success s 150 501 20:00:10", "bytes s Ingress 501 20:00:10",
            "offline r 20:00:10", "offline s 20:00:10",
        ], peers.Sent.Select(Describe));
        Assert.Equal((1, 1, 2L, 1001L, 1, 0), (result.SessionsOpened, result.SessionsClosed, result.Chunks, result.ChunkBytes, result.ChannelsOpened, result.ChannelsAlreadyOpen));
        Assert.Equal(9, result.Events); // 2 online, channel, open, 2 chunks, close, 2 offline
    }

    [Fact]
    public async Task A_session_refused_by_a_limit_is_counted_by_scope_class_not_charged_to_the_sender_and_its_chunks_still_count()
    {
        // peer scope: one inbound connection; two overlapping sessions of the same sender.
        var limits = LimitConfigJson.Parse("""{"PeerDefault":{"ConnsInbound":1}}""").Build(ConcreteLimitConfig.Infinite);
        var plan = ReplayPlanner.Plan(
        [
            Rec("r1", "s", 1, 100, 10, "2020-07-03 20:00:00", "2020-07-03 20:00:10"),
            Rec("r2", "s", 1, 200, 10, "2020-07-03 20:00:05", "2020-07-03 20:00:15"),
            Rec("r3", "s", 1, 300, 10, "2020-07-03 20:00:20", "2020-07-03 20:00:25"), // after both closed: admitted again
        ]);
        var peers = new FakeReplayPeers();

        var result = await new ReplayDriver(peers, new ResourceManagerReplayLimits(limits)).RunAsync(plan);

        Assert.Equal(new Dictionary<string, long> { ["peer"] = 1 }, result.LimitBlocks);
        Assert.Empty(peers.Sent.OfType<RecordFailure>()); // the refusal was ours: the sender's reputation is untouched
        Assert.Equal(600, peers.Sent.OfType<RecordBytes>().Where(b => b.Direction == TrafficDirection.Ingress).Sum(b => b.Bytes));
        Assert.Equal(3, result.Chunks);
    }

    [Fact]
    public async Task Channels_already_in_the_journal_are_counted_as_already_open_not_as_rejections()
    {
        var plan = ReplayPlanner.Plan([Rec("r", "s", 1, 10, 10, "2020-07-03 20:00:00", "2020-07-03 20:00:01")]);
        var peers = new FakeReplayPeers();
        await new ReplayDriver(peers, Unlimited()).RunAsync(plan);

        var second = await new ReplayDriver(peers, Unlimited()).RunAsync(plan);

        Assert.Equal((0, 1, 0L), (second.ChannelsOpened, second.ChannelsAlreadyOpen, second.Rejections));
    }

    [Fact]
    public async Task Barrier_queries_are_sent_every_N_steps_to_the_last_touched_peer()
    {
        var plan = ReplayPlanner.Plan([Rec("r", "s", 3, 30, 30, "2020-07-03 20:00:00", "2020-07-03 20:00:03")]);
        var peers = new FakeReplayPeers();

        var result = await new ReplayDriver(peers, Unlimited(), new ReplayDriverOptions { BarrierEvery = 2, MaxBarriersInFlight = 1 }).RunAsync(plan);

        Assert.Equal(result.Events / 2, peers.Sent.OfType<GetFlapCount>().Count());
    }

    [Fact]
    public async Task Critical_acks_are_pipelined_up_to_the_window_and_the_time_blocked_on_them_is_reported()
    {
        // Three new channels at one instant, a window of two: all three OpenChannels leave before any ack, then the driver
        // blocks on the oldest; the 5 s it blocked (on the test's clock) is reported as critical-ack wait.
        var plan = ReplayPlanner.Plan(
        [
            Rec("r", "s1", 1, 10, 10, "2020-07-03 20:00:00", "2020-07-03 20:00:01"),
            Rec("r", "s2", 1, 10, 10, "2020-07-03 20:00:00", "2020-07-03 20:00:01"),
            Rec("r", "s3", 1, 10, 10, "2020-07-03 20:00:00", "2020-07-03 20:00:01"),
        ]);
        var clock = new ManualClock();
        var peers = new HeldAckPeers(clock);

        var run = new ReplayDriver(peers, Unlimited(), new ReplayDriverOptions { MaxCriticalInFlight = 2, Clock = clock }).RunAsync(plan);
        await peers.ThirdChannelSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(run.IsCompleted);
        peers.Release(TimeSpan.FromSeconds(5));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, result.ChannelsOpened);
        Assert.Equal(5.0, result.Waits.CriticalAcksSeconds, 3);
        Assert.Equal(0.0, result.Waits.BarriersSeconds);
    }

    [Fact]
    public async Task Each_sender_gets_a_synthetic_endpoint_by_its_rank_of_first_session_in_trace_order()
    {
        // Session order (and the scan's peer order) is not trace order: "late" is the first row but starts last.
        var plan = ReplayPlanner.Plan(
        [
            Rec("r", "late", 1, 1, 1, "2020-07-03 20:00:30", "2020-07-03 20:00:40"),
            Rec("r", "early", 1, 1, 1, "2020-07-03 20:00:00", "2020-07-03 20:00:10"),
            Rec("r", "middle", 1, 1, 1, "2020-07-03 20:00:20", "2020-07-03 20:00:25"),
            Rec("r", "early", 1, 1, 1, "2020-07-03 20:00:50", "2020-07-03 20:00:55"),
        ]);
        var limits = new EndpointRecordingLimits();

        await new ReplayDriver(new FakeReplayPeers(), limits).RunAsync(plan);
        Assert.Equal(["early 198.18.0.0", "middle 198.18.0.1", "late 198.18.0.2", "early 198.18.0.0"], limits.Opened);

        var none = new EndpointRecordingLimits();
        await new ReplayDriver(new FakeReplayPeers(), none, new ReplayDriverOptions { SyntheticEndpoints = false }).RunAsync(plan);
        Assert.All(none.Opened, o => Assert.EndsWith(" -", o));
    }

    /// <summary>Limits that admit everything and record each session's sender and endpoint.</summary>
    private sealed class EndpointRecordingLimits : IReplayLimits
    {
        public List<string> Opened { get; } = [];

        public string Description => "recording";

        public Task<LimitsSessionOutcome> OpenSessionAsync(string senderId, System.Net.IPAddress? endpoint, string protocol, string service, CancellationToken ct)
        {
            Opened.Add($"{senderId} {endpoint?.ToString() ?? "-"}");
            return Task.FromResult(new LimitsSessionOutcome(null, null));
        }

        public Task CloseSessionAsync(object session, CancellationToken ct) => Task.CompletedTask;
    }

    [Fact]
    public void The_default_windows_keep_thousands_of_critical_acks_and_several_barriers_in_flight()
    {
        // Little's law: at 0.25–0.5 s per journal-backed ack, 256 in flight capped a replay at ~500–1,000 new channels/s.
        var o = new ReplayDriverOptions();
        Assert.True(o.MaxCriticalInFlight >= 4096, $"MaxCriticalInFlight {o.MaxCriticalInFlight}");
        Assert.True(o.MaxBarriersInFlight >= 4, $"MaxBarriersInFlight {o.MaxBarriersInFlight}");
    }

    /// <summary>A clock that moves only when the test moves it.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => Interlocked.Read(ref _ticks);
        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    /// <summary>Peers whose OpenChannel acks are held until <see cref="Release"/>; everything else as <see cref="FakeReplayPeers"/>.</summary>
    private sealed class HeldAckPeers(ManualClock clock) : IReplayPeers
    {
        private readonly FakeReplayPeers _inner = new();
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _channels;

        public TaskCompletionSource ThirdChannelSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release(TimeSpan after)
        {
            clock.Advance(after);
            _released.SetResult();
        }

        public void Tell(IPeerMessage message) => _inner.Tell(message);

        public async Task<object> AskAsync(IPeerMessage message, CancellationToken ct)
        {
            if (message is not OpenChannel) return await _inner.AskAsync(message, ct);
            if (Interlocked.Increment(ref _channels) == 3) ThirdChannelSent.SetResult();
            await _released.Task.WaitAsync(ct);
            return await _inner.AskAsync(message, ct);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Speed_must_be_a_finite_positive_factor(double speed) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayDriver(new FakeReplayPeers(), Unlimited(), new ReplayDriverOptions { Speed = speed }));

    [Fact]
    public async Task Speed_paces_steps_by_trace_time_divided_by_the_factor()
    {
        // 60 s of trace at 10x = 6 s of (fake) wall time before the last step.
        var plan = ReplayPlanner.Plan([Rec("r", "s", 2, 20, 20, "2020-07-03 20:00:00", "2020-07-03 20:01:00")]);
        var clock = new SteppingTimeProvider();

        await new ReplayDriver(new FakeReplayPeers(), Unlimited(), new ReplayDriverOptions { Speed = 10, Clock = clock }).RunAsync(plan);

        Assert.InRange(clock.Slept.TotalSeconds, 5.99, 6.0);
        Assert.Equal(2, clock.Sleeps); // at 30 s (chunk 0) and 60 s (chunk 1, close, offline)
    }

    /// <summary>A clock that only moves when the code under test sleeps on it (timers fire at once, advancing it).</summary>
    private sealed class SteppingTimeProvider : TimeProvider
    {
        private long _ticks;

        public TimeSpan Slept => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));
        public int Sleeps;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Add(ref _ticks, dueTime.Ticks);
            Interlocked.Increment(ref Sleeps);
            return new FiringTimer(callback, state);
        }

        private sealed class FiringTimer : ITimer
        {
            public FiringTimer(TimerCallback callback, object? state) =>
                ThreadPool.QueueUserWorkItem(_ => callback(state));

            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
