using FsCheck;
using FsCheck.Fluent;
using PeerActors.Node.Replay;
using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

public class ReplayPlannerTests
{
    private static List<ReplayStep> Steps(params SessionRecord[] s) => ReplayPlanner.Plan(s).Steps.ToList();

    [Theory]
    [InlineData(1, 0L)]
    [InlineData(3, 10L)]
    [InlineData(7, 1_000_003L)]
    [InlineData(49, 62_873_592L)]
    public void Chunk_bytes_add_up_exactly_with_the_remainder_on_the_last_chunk(int cnt, long bytes)
    {
        var s = Rec("r", "s", cnt, bytes, 1000, "2020-03-14 10:00:00", "2020-03-14 10:10:00");
        var chunks = Steps(s).OfType<ChunkTransferred>().ToList();
        Assert.Equal(cnt, chunks.Count);
        Assert.Equal(bytes, chunks.Sum(c => c.Bytes));
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(bytes / cnt, c.Bytes));
        Assert.Equal(bytes / cnt + bytes % cnt, chunks[^1].Bytes);
        Assert.Equal(Enumerable.Range(0, cnt), chunks.Select(c => c.ChunkIndex));
    }

    [Fact]
    public void Rtt_is_total_time_over_count_as_a_double_and_ingress_is_attributed_to_the_sender()
    {
        var s = Rec("recv", "send", 3, 10, 1000, "2020-03-14 10:00:00", "2020-03-14 10:00:03");
        var chunks = Steps(s).OfType<ChunkTransferred>().ToList();
        Assert.All(chunks, c => Assert.Equal(1000.0 / 3, c.RttMs));
        Assert.All(chunks, c => Assert.Equal(("send", "recv"), (c.SenderId, c.ReceiverId)));
        Assert.Equal([3L, 3L, 4L], chunks.Select(c => c.Bytes));
    }

    [Fact]
    public void Chunks_are_spread_evenly_and_the_last_lands_on_max_ts()
    {
        var s = Rec("r", "s", 4, 400, 40, "2020-03-14 10:00:00", "2020-03-14 10:00:10");
        var times = Steps(s).OfType<ChunkTransferred>().Select(c => c.At).ToList();
        var t0 = s.MinTs;
        Assert.Equal([t0.AddSeconds(2.5), t0.AddSeconds(5), t0.AddSeconds(7.5), t0.AddSeconds(10)], times);
        Assert.Equal(s.MaxTs, times[^1]);
    }

    [Fact]
    public void One_session_maps_to_the_documented_step_sequence()
    {
        var s = Rec("r", "s", 2, 10, 8, "2020-03-14 10:00:00", "2020-03-14 10:00:02");
        var steps = Steps(s);
        Assert.Equal(
            [
                new PeerOnline(s.MinTs, 0, "r"),
                new PeerOnline(s.MinTs, 0, "s"),
                new ChannelOpened(s.MinTs, 0, "s", "r"),
                new SessionOpened(s.MinTs, 0, "r", "s", "/p2p-live/chunk/1.0.0", "streaming"),
                new ChunkTransferred(s.MinTs.AddSeconds(1), 0, "s", "r", 0, 4.0, 5),
                new ChunkTransferred(s.MaxTs, 0, "s", "r", 1, 4.0, 5),
                new SessionClosed(s.MaxTs, 0, "r", "s"),
                new PeerOffline(s.MaxTs, 0, "r"),
                new PeerOffline(s.MaxTs, 0, "s"),
            ],
            steps);
    }

    [Fact]
    public void Overlapping_sessions_bring_a_peer_online_once_and_offline_after_the_last()
    {
        // Sender s serves r1 10:00-10:10 and r2 10:05-10:20; r1 also pulls from s2 10:08-10:09.
        var a = Rec("r1", "s", 1, 1, 1, "2020-03-14 10:00:00", "2020-03-14 10:10:00");
        var b = Rec("r2", "s", 1, 1, 1, "2020-03-14 10:05:00", "2020-03-14 10:20:00");
        var c = Rec("r1", "s2", 1, 1, 1, "2020-03-14 10:08:00", "2020-03-14 10:09:00");
        var steps = Steps(a, b, c);

        string Describe(ReplayStep x) => x switch
        {
            PeerOnline o => $"on {o.PeerId}@{o.At:HH:mm}",
            PeerOffline o => $"off {o.PeerId}@{o.At:HH:mm}",
            _ => "",
        };
        Assert.Equal(
            ["on r1@10:00", "on s@10:00", "on r2@10:05", "on s2@10:08", "off s2@10:09", "off r1@10:10", "off r2@10:20", "off s@10:20"],
            steps.Select(Describe).Where(d => d.Length > 0));
    }

    [Fact]
    public void A_session_ending_when_the_next_begins_does_not_flap_the_peer()
    {
        var a = Rec("r", "s", 1, 1, 1, "2020-03-14 10:00:00", "2020-03-14 10:10:00");
        var b = Rec("r", "s", 1, 1, 1, "2020-03-14 10:10:00", "2020-03-14 10:20:00");
        var steps = Steps(a, b);
        Assert.Equal(2, steps.OfType<PeerOnline>().Count());
        Assert.All(steps.OfType<PeerOffline>(), o => Assert.Equal(b.MaxTs, o.At));
        // At 10:10: b opens, then a's last chunk, then a closes.
        var at1010 = steps.Where(x => x.At == a.MaxTs).Select(x => (x.Kind, x.SessionIndex)).ToList();
        Assert.Equal([(ReplayStepKind.SessionOpened, 1), (ReplayStepKind.ChunkTransferred, 0), (ReplayStepKind.SessionClosed, 0)], at1010);
    }

    [Fact]
    public void Channel_is_opened_once_per_pair_at_its_first_session()
    {
        var sessions = new[]
        {
            Rec("r1", "s", 1, 1, 1, "2020-03-14 11:00:00", "2020-03-14 11:01:00"),
            Rec("r1", "s", 1, 1, 1, "2020-03-14 10:00:00", "2020-03-14 10:01:00"),
            Rec("r2", "s", 1, 1, 1, "2020-03-14 10:30:00", "2020-03-14 10:31:00"),
            Rec("s", "r1", 1, 1, 1, "2020-03-14 12:00:00", "2020-03-14 12:01:00"), // reverse direction: another channel
        };
        var plan = ReplayPlanner.Plan(sessions);
        var opened = plan.Steps.OfType<ChannelOpened>().ToList();
        Assert.Equal([("s", "r1", 1), ("s", "r2", 2), ("r1", "s", 3)], opened.Select(o => (o.SenderId, o.ChannelId, o.SessionIndex)));
        Assert.Equal(3, plan.Totals.Channels);
        Assert.Equal(4, plan.Steps.OfType<SessionOpened>().Count());
    }

    [Fact]
    public void A_channel_whose_sessions_start_together_opens_at_the_lower_session_index_even_when_a_later_file_row_starts_earlier()
    {
        var sessions = new[]
        {
            Rec("r", "s", 1, 1, 1, "2020-03-14 10:00:05", "2020-03-14 10:01:00"),
            Rec("r", "s", 1, 1, 1, "2020-03-14 10:00:00", "2020-03-14 10:01:00"),
            Rec("r", "s", 1, 1, 1, "2020-03-14 10:00:00", "2020-03-14 10:02:00"),
        };
        var plan = ReplayPlanner.Plan(sessions);
        Assert.Equal([1], plan.Steps.OfType<ChannelOpened>().Select(o => o.SessionIndex));
    }

    [Fact]
    public void Totals_give_each_senders_channels_in_ordinal_order_and_a_read_only_view_of_the_senders()
    {
        var sessions = new[]
        {
            Rec("rb", "s", 1, 10, 1, "2020-03-14 10:00:00", "2020-03-14 10:01:00"),
            Rec("ra", "t", 1, 20, 1, "2020-03-14 10:00:00", "2020-03-14 10:01:00"),
            Rec("rc", "s", 1, 30, 1, "2020-03-14 10:00:00", "2020-03-14 10:01:00"),
            Rec("ra", "s", 1, 40, 1, "2020-03-14 10:00:00", "2020-03-14 10:01:00"),
            Rec("rb", "s", 1, 50, 1, "2020-03-14 10:00:00", "2020-03-14 10:01:00"),
        };
        var t = ReplayTotals.From(sessions);

        Assert.Equal(["ra", "rb", "rc"], t.ChannelsOf("s"));
        Assert.Equal(["ra"], t.ChannelsOf("t"));
        Assert.Empty(t.ChannelsOf("ra"));
        Assert.Empty(t.ChannelsOf("nobody"));
        Assert.Equal(4, t.Channels);
        Assert.Equal(["rb", "s", "ra", "t", "rc"], t.Peers.ToArray());
        Assert.Equal((0, 1, 4, -1), (t.Peers.IndexOf("rb"), t.Peers.IndexOf("s"), t.Peers.IndexOf("rc"), t.Peers.IndexOf("x")));
        Assert.Equal((2, 0, 1, -1), (t.DistinctSenders, t.SenderIndexOf("s"), t.SenderIndexOf("t"), t.SenderIndexOf("ra")));
        Assert.Equal(["s", "t"], t.PerSender.Keys);
        Assert.True(t.PerSender.ContainsKey("t") && !t.PerSender.ContainsKey("ra"));
        Assert.Equal(new SenderTotals("s", 4, 4, 130, 4, 100), t.PerSender["s"]);
        Assert.Equal([130, 20], t.PerSender.Values.Select(v => (long)v.Bytes));
        Assert.Throws<KeyNotFoundException>(() => t.PerSender["ra"]);
        Assert.Equal((4L, t.PerSender["t"].Chunks, 0L, 0L), (t.ChunksOf("s"), t.ChunksOf("t"), t.ChunksOf("ra"), t.ChunksOf("nobody")));
        Assert.True(t.Peers.SetEquals(["s", "t", "ra", "rb", "rc", "s"]));
        Assert.True(t.Peers.IsProperSubsetOf(["s", "t", "ra", "rb", "rc", "x"]));
    }

    [Fact]
    public void A_self_session_counts_the_peer_once()
    {
        var s = Rec("p", "p", 1, 1, 1, "2020-03-14 10:00:00", "2020-03-14 10:01:00");
        var steps = Steps(s);
        Assert.Single(steps.OfType<PeerOnline>());
        Assert.Single(steps.OfType<PeerOffline>());
    }

    [Fact]
    public void Zero_length_session_still_orders_open_chunks_close()
    {
        var s = Rec("r", "s", 3, 9, 3, "2020-03-14 10:00:00", "2020-03-14 10:00:00");
        var kinds = Steps(s).Select(x => x.Kind).ToList();
        Assert.Equal(
            [ReplayStepKind.PeerOnline, ReplayStepKind.PeerOnline, ReplayStepKind.ChannelOpened, ReplayStepKind.SessionOpened,
             ReplayStepKind.ChunkTransferred, ReplayStepKind.ChunkTransferred, ReplayStepKind.ChunkTransferred,
             ReplayStepKind.SessionClosed, ReplayStepKind.PeerOffline, ReplayStepKind.PeerOffline],
            kinds);
    }

    [Fact]
    public void Steps_are_reproducible_on_re_enumeration()
    {
        var plan = ReplayPlanner.Plan(SessionSource.Read([Bundled("sample.csv")], strict: true).Records);
        Assert.Equal(plan.Steps.Take(500), plan.Steps.Take(500));
    }

    [Fact]
    public void Invalid_record_is_rejected_with_the_field_named()
    {
        var ok = Rec("r", "s", 1, 1, 1, "2020-03-14 10:00:00", "2020-03-14 10:01:00");
        var ex = Assert.Throws<InvalidInputException>(() => ReplayPlanner.Plan([ok, ok with { Cnt = 0 }]));
        Assert.Equal("sessions[1].cnt", ex.Field);
    }

    [Fact]
    public void Empty_input_gives_an_empty_plan()
    {
        var plan = ReplayPlanner.Plan([]);
        Assert.Empty(plan.Steps);
        Assert.Equal(0, plan.Totals.Sessions);
        Assert.Null(plan.Totals.FirstTs);
    }

    [Fact]
    public void Sample_replay_is_chronological_and_consistent_with_the_independent_totals()
    {
        var records = SessionSource.Read([Bundled("sample.csv")], strict: true).Records;
        var plan = ReplayPlanner.Plan(records);
        AssertStepsConsistent(plan);
    }

    [Fact]
    public void Per_sender_mean_observed_throughput_is_total_bytes_over_total_time()
    {
        var sessions = new[]
        {
            Rec("r1", "s", 1, 3000, 1000, "2020-03-14 10:00:00", "2020-03-14 10:01:00", avg: 3),
            Rec("r2", "s", 1, 1000, 3000, "2020-03-14 10:00:00", "2020-03-14 10:01:00", avg: 0.333),
            Rec("r1", "t", 1, 500, 0, "2020-03-14 10:00:00", "2020-03-14 10:01:00", avg: 1),
        };
        var t = ReplayPlanner.Plan(sessions).Totals;
        Assert.Equal(4000.0 / 4000, t.PerSender["s"].MeanObservedThroughputKBps);
        Assert.Equal((3 + 0.333) / 2, t.PerSender["s"].MeanThroughputAvgKBps, 12);
        Assert.True(double.IsNaN(t.PerSender["t"].MeanObservedThroughputKBps));
        Assert.Equal((2, 2, 4, 2), (t.DistinctReceivers, t.DistinctSenders, t.DistinctPeers, t.PerSender["s"].Sessions));
    }

    private static readonly string[] Ids = ["a", "b", "c", "d", "e"];

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Random_traces_produce_consistent_step_streams()
    {
        var gen =
            from p1 in Gen.Elements(Ids)
            from p2 in Gen.Elements(Ids)
            from cnt in Gen.Choose(1, 6)
            from bytes in Gen.Choose(0, 10_000)
            from time in Gen.Choose(0, 5_000)
            from start in Gen.Choose(0, 30)
            from len in Gen.Choose(0, 10)
            select new SessionRecord(p1, p2, cnt, 1, 1, bytes, time,
                new DateTimeOffset(2020, 3, 14, 0, 0, 0, TimeSpan.Zero).AddSeconds(start),
                new DateTimeOffset(2020, 3, 14, 0, 0, 0, TimeSpan.Zero).AddSeconds(start + len));
        return Prop.ForAll(Arb.From(gen.ListOf()), sessions =>
        {
            AssertStepsConsistent(ReplayPlanner.Plan(sessions.ToList()));
            return true;
        });
    }

    /// <summary>Checks a step stream against the plan's independent totals and the mapping's invariants.</summary>
    internal static void AssertStepsConsistent(ReplayPlan plan)
    {
        var totals = plan.Totals;
        var prev = DateTimeOffset.MinValue;
        var active = new Dictionary<string, int>();
        var online = new HashSet<string>();
        var onlineEver = new HashSet<string>();
        var channels = new HashSet<(string, string)>();
        var chunksPerSession = new int[plan.Sessions.Count];
        var bytesPerSession = new long[plan.Sessions.Count];
        var opened = new bool[plan.Sessions.Count];
        var closed = new bool[plan.Sessions.Count];
        long chunks = 0, bytes = 0;
        var sessionsClosed = 0;
        foreach (var step in plan.Steps)
        {
            Assert.True(step.At >= prev, $"steps out of order at {step}");
            prev = step.At;
            var s = plan.Sessions[step.SessionIndex];
            switch (step)
            {
                case PeerOnline o:
                    Assert.True(online.Add(o.PeerId), $"{o.PeerId} online twice");
                    onlineEver.Add(o.PeerId);
                    Assert.Equal(s.MinTs, o.At);
                    break;
                case ChannelOpened c:
                    Assert.True(channels.Add((c.SenderId, c.ChannelId)));
                    Assert.Equal((s.Pid2, s.Pid1), (c.SenderId, c.ChannelId));
                    break;
                case SessionOpened so:
                    Assert.False(opened[so.SessionIndex]);
                    opened[so.SessionIndex] = true;
                    Assert.Contains(so.ReceiverId, online);
                    Assert.Contains(so.SenderId, online);
                    Assert.Contains((so.SenderId, so.ReceiverId), channels);
                    Assert.Equal(s.MinTs, so.At);
                    foreach (var p in new[] { s.Pid1, s.Pid2 }.Distinct()) active[p] = active.GetValueOrDefault(p) + 1;
                    break;
                case ChunkTransferred ch:
                    Assert.True(opened[ch.SessionIndex] && !closed[ch.SessionIndex]);
                    Assert.InRange(ch.At, s.MinTs, s.MaxTs);
                    Assert.Equal((double)s.TotalTimespentMs / s.Cnt, ch.RttMs);
                    chunksPerSession[ch.SessionIndex]++;
                    bytesPerSession[ch.SessionIndex] += ch.Bytes;
                    chunks++;
                    bytes += ch.Bytes;
                    break;
                case SessionClosed sc:
                    Assert.False(closed[sc.SessionIndex]);
                    closed[sc.SessionIndex] = true;
                    Assert.Equal(s.MaxTs, sc.At);
                    Assert.Equal(s.Cnt, chunksPerSession[sc.SessionIndex]);
                    Assert.Equal(s.TotalBytes, bytesPerSession[sc.SessionIndex]);
                    foreach (var p in new[] { s.Pid1, s.Pid2 }.Distinct())
                        if (--active[p] == 0) active.Remove(p);
                    sessionsClosed++;
                    break;
                case PeerOffline off:
                    Assert.False(active.ContainsKey(off.PeerId), $"{off.PeerId} offline while active");
                    Assert.True(online.Remove(off.PeerId));
                    break;
                default:
                    throw new InvalidOperationException(step.GetType().Name);
            }
            // A peer is online exactly while it has an active session (checked after each session boundary).
            if (step is PeerOffline or SessionOpened)
                Assert.All(active.Keys, p => Assert.Contains(p, online));
        }
        Assert.Empty(online);
        Assert.Equal(totals.Sessions, sessionsClosed);
        Assert.Equal(totals.Chunks, chunks);
        Assert.Equal(totals.TotalIngressBytes, bytes);
        Assert.Equal(totals.DistinctPeers, onlineEver.Count);
        Assert.Equal(totals.Channels, channels.Count);
    }
}
