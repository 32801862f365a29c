using System.Diagnostics;

namespace PeerActors.Tests.Peers;

public sealed class PeerActorTests() : PeerActorTestKit(PeerTestConfig.Memory())
{
    /// <summary>
    /// Starts peer <paramref name="id"/> and sends it <paramref name="commands"/> one at a time, asserting each is
    /// acknowledged with <paramref name="durability"/> before the next; returns the peer and its stats afterwards.
    /// </summary>
    private (IActorRef Peer, PeerStatsReply Stats) StartAndAckEach(string id, Durability durability, object[] commands)
    {
        var peer = Start(id);
        foreach (var c in commands)
        {
            peer.Tell(c, TestActor);
            Assert.Equal(new CommandAck(id, durability), ExpectMsg<CommandAck>());
        }

        return (peer, Stats(peer, id));
    }

    /// <summary>Sends <paramref name="msg"/>, expects it rejected with <paramref name="error"/> naming <paramref name="field"/>, and the stats still <paramref name="before"/>.</summary>
    private void ExpectRejectedUnchanged(IActorRef peer, string id, PeerStatsReply before, object msg, string error, string field)
    {
        peer.Tell(msg, TestActor);
        var rej = ExpectMsg<CommandRejected>();
        Assert.Equal(error, rej.Error);
        Assert.Equal(field, rej.Field);
        Assert.Equal(before, Stats(peer, id));
    }

    [Fact]
    public void High_rate_observations_update_state_and_are_acked_as_high_rate()
    {
        var id = PeerTestConfig.NewPeer();
        var (peer, r) = StartAndAckEach(id, Durability.HighRate,
        [
            new RecordRequest(id, 100, T0),
            new RecordSuccess(id, 100, 400, T0.AddSeconds(1)),
            new RecordRequest(id, 50, T0.AddSeconds(2)),
            new RecordTimeout(id, T0.AddSeconds(3)),
            new RecordFailure(id, T0.AddSeconds(4), "bad data"),
            new RecordBytes(id, null, TrafficDirection.Ingress, 1000, T0.AddSeconds(5)),
            new RecordBytes(null, id, TrafficDirection.Egress, 300, T0.AddSeconds(5)),
            new PeerOnline(id, T0.AddSeconds(6)),
            new PeerServes(id, "/chunk/1.0.0", "streaming", T0.AddSeconds(6)),
        ]);
        Assert.Equal(2UL, r.Stats.RequestsSent);
        Assert.Equal(150UL, r.Stats.BytesSent);
        Assert.Equal(1UL, r.Stats.Successes);
        Assert.Equal(400UL, r.Stats.BytesReceived);
        Assert.Equal(1UL, r.Stats.Timeouts);
        Assert.Equal(1UL, r.Stats.Failures);
        Assert.Equal(100, r.Stats.SrttMs);
        Assert.Equal(50, r.Stats.RttvarMs);
        Assert.Equal(2, r.Stats.BackoffLevel);
        Assert.Equal(T0, r.Stats.ConnectedAt);
        Assert.Equal(0.5, r.SuccessRate);
        Assert.True(r.Online);
        Assert.Equal(1, r.FlapCount);
        Assert.Equal(1000UL, r.IngressBytes);
        Assert.Equal(300UL, r.EgressBytes);

        peer.Tell(new GetBandwidth(id), TestActor);
        var bw = ExpectMsg<BandwidthReply>();
        Assert.Equal(1000UL, bw.IngressBytes);
        Assert.Equal(1000UL, (ulong)bw.Epochs.Sum(e => (long)e.IngressBytes));
        Assert.Equal(300UL, (ulong)bw.Epochs.Sum(e => (long)e.EgressBytes));
    }

    [Fact]
    public void Critical_commands_update_state_and_are_acked_as_critical()
    {
        var id = PeerTestConfig.NewPeer();
        var (peer, r) = StartAndAckEach(id, Durability.Critical,
        [
            new RecordPayment(id, 64, T0),
            new RecordReceipt(id, 10, T0.AddSeconds(1)),
            new RecordPaymentDefault(id, T0.AddSeconds(2)),
            new OpenChannel(id, "tx:0", T0.AddSeconds(3)),
            new OpenChannel(id, "tx:1", T0.AddSeconds(3)),
            new CloseChannel(id, "tx:1", T0.AddSeconds(4)),
        ]);
        Assert.Equal(64UL, r.Stats.PaidSat);
        Assert.Equal(10UL, r.Stats.ReceivedSat);
        Assert.Equal(1UL, r.Stats.PaymentReceipts);
        Assert.Equal(1UL, r.Stats.PaymentDefaults);
        Assert.Equal(64.0 / 96.0, r.PaymentPriorityBoost, 12);
        Assert.Equal(2.0 / 3.0, r.PaymentReliabilityMultiplier, 12);
        Assert.Equal(1, r.ChannelCount);

        // Every critical command was its own journal write, persisted before the ack.
        Assert.Equal(6, Journal.WrittenBy("peer-" + id).Count);

        peer.Tell(new GetChannelUptime(id, "tx:0", T0.AddSeconds(13)), TestActor);
        var up = ExpectMsg<ChannelUptimeReply>();
        Assert.Equal(TimeSpan.FromSeconds(10), up.Lifetime);
        Assert.Equal(TimeSpan.Zero, up.Uptime); // peer offline since the channel opened
    }

    [Theory]
    [InlineData("open-duplicate", ErrorCodes.ChannelExists, "channelId")]
    [InlineData("close-unknown", ErrorCodes.ChannelNotFound, "channelId")]
    [InlineData("uptime-unknown", ErrorCodes.ChannelNotFound, "channelId")]
    public void Channel_errors_are_typed(string kind, string error, string field)
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Start(id);
        peer.Tell(new OpenChannel(id, "tx:0", T0), TestActor);
        ExpectMsg<CommandAck>();
        var before = Stats(peer, id);
        object msg = kind switch
        {
            "open-duplicate" => new OpenChannel(id, "tx:0", T0.AddSeconds(1)),
            "close-unknown" => new CloseChannel(id, "tx:9", T0.AddSeconds(1)),
            _ => new GetChannelUptime(id, "tx:9", T0.AddSeconds(1)),
        };
        ExpectRejectedUnchanged(peer, id, before, msg, error, field);
    }

    [Fact]
    public void Queries_to_an_unknown_peer_are_rejected_and_persist_nothing()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Start(id);
        object[] queries = [new GetPeerStats(id), new GetFlapCount(id), new GetBandwidth(id), new GetChannelUptime(id, "tx:0"), new CloseChannel(id, "tx:0", T0)];
        foreach (var q in queries)
        {
            peer.Tell(q, TestActor);
            var rej = ExpectMsg<CommandRejected>();
            Assert.Equal(ErrorCodes.PeerNotFound, rej.Error);
            Assert.Equal(id, rej.PeerId);
        }
        StopGracefully(peer);
        Assert.Empty(Journal.WrittenBy("peer-" + id));
    }

    public static TheoryData<string, string> BadInputs() => new()
    {
        { "rtt-negative", "rttMs" },
        { "rtt-nan", "rttMs" },
        { "rtt-infinite", "rttMs" },
        { "bytes-negative", "bytes" },
        { "request-bytes-negative", "bytes" },
        { "direction-unknown", "direction" },
        { "amount-negative", "amountSat" },
        { "receipt-negative", "amountSat" },
        { "channel-empty", "channelId" },
        { "channel-whitespace", "channelId" },
        { "instant-unset", "observedAt" },
        { "instant-overflow", "observedAt" },
        { "serves-nothing", "protocol" },
        { "serves-bad-service", "service" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Invalid_input_is_rejected_with_the_field_and_state_unchanged(string kind, string field)
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Start(id);
        peer.Tell(new RecordSuccess(id, 80, 10, T0), TestActor);
        ExpectMsg<CommandAck>();
        var before = Stats(peer, id);
        object msg = kind switch
        {
            "rtt-negative" => new RecordSuccess(id, -1, 0, T0),
            "rtt-nan" => new RecordSuccess(id, double.NaN, 0, T0),
            "rtt-infinite" => new RecordSuccess(id, double.PositiveInfinity, 0, T0),
            "bytes-negative" => new RecordBytes(id, null, TrafficDirection.Ingress, -5, T0),
            "request-bytes-negative" => new RecordRequest(id, long.MinValue, T0),
            "direction-unknown" => new RecordBytes(id, null, (TrafficDirection)7, 5, T0),
            "amount-negative" => new RecordPayment(id, -1, T0),
            "receipt-negative" => new RecordReceipt(id, -1, T0),
            "channel-empty" => new OpenChannel(id, "", T0),
            "channel-whitespace" => new OpenChannel(id, "tx 0", T0),
            "instant-unset" => new RecordTimeout(id, DateTimeOffset.MinValue),
            "instant-overflow" => new RecordTimeout(id, DateTimeOffset.MaxValue),
            "serves-nothing" => new PeerServes(id, null, null, T0),
            "serves-bad-service" => new PeerServes(id, "/p/1", "a\tb", T0),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        ExpectRejectedUnchanged(peer, id, before, msg, ErrorCodes.InvalidInput, field);
    }

    // Issue #12, finding 5: a peer's byte total used to saturate silently at 2^63−1; an overflowing count is refused.
    [Fact]
    public void Bytes_that_would_overflow_the_peers_total_are_refused_and_the_total_stays_exact()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Start(id);
        peer.Tell(new RecordBytes(id, null, TrafficDirection.Ingress, long.MaxValue - 10, T0), TestActor);
        ExpectMsg<CommandAck>();
        peer.Tell(new RecordBytes(id, null, TrafficDirection.Ingress, 11, T0.AddSeconds(1)), TestActor);
        var rej = ExpectMsg<CommandRejected>();
        Assert.Equal(("invalid-input", "bytes"), (rej.Error, rej.Field));
        peer.Tell(new RecordBytes(id, null, TrafficDirection.Ingress, 10, T0.AddSeconds(2)), TestActor);
        ExpectMsg<CommandAck>();
        peer.Tell(new GetBandwidth(id), TestActor);
        Assert.Equal((ulong)long.MaxValue, ExpectMsg<BandwidthReply>().IngressBytes);
    }

    [Fact]
    public void Invalid_input_on_a_new_peer_does_not_create_it()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Start(id);
        peer.Tell(new RecordSuccess(id, double.NaN, 0, T0), TestActor);
        Assert.Equal("rttMs", ExpectMsg<CommandRejected>().Field);
        peer.Tell(new GetPeerStats(id), TestActor);
        Assert.Equal(ErrorCodes.PeerNotFound, ExpectMsg<CommandRejected>().Error);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("tab\tid")]
    public void An_actor_for_an_invalid_peer_id_rejects_everything(string badId)
    {
        var peer = Start(badId);
        peer.Tell(new RecordRequest(badId, 1, T0), TestActor);
        var rej = ExpectMsg<CommandRejected>();
        Assert.Equal(ErrorCodes.InvalidInput, rej.Error);
        Assert.Equal("peerId", rej.Field);
        peer.Tell(new RecordBytes(null, badId, TrafficDirection.Ingress, 1, T0), TestActor);
        Assert.Equal("sessionId", ExpectMsg<CommandRejected>().Field);
    }

    [Fact]
    public void Fire_and_forget_gets_no_reply_but_is_applied()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Start(id);
        peer.Tell(new RecordRequest(id, 1, T0), ActorRefs.NoSender);
        peer.Tell(new RecordPayment(id, 5, T0), ActorRefs.NoSender);
        var r = Stats(peer, id); // the first message this probe receives is the stats reply: no ack was sent
        Assert.Equal(1UL, r.Stats.RequestsSent);
        Assert.Equal(5UL, r.Stats.PaidSat);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Recovery_after_stop_restores_every_field_from_events()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Start(id);
        peer.Tell(new RecordRequest(id, 10, T0), TestActor);
        peer.Tell(new RecordSuccess(id, 120, 20, T0.AddSeconds(1)), TestActor);
        peer.Tell(new OpenChannel(id, "tx:0", T0.AddSeconds(2)), TestActor);
        peer.Tell(new PeerOnline(id, T0.AddSeconds(3)), TestActor);
        peer.Tell(new RecordBytes(id, null, TrafficDirection.Ingress, 77, T0.AddSeconds(3)), TestActor);
        peer.Tell(new RecordPayment(id, 9, T0.AddSeconds(4)), TestActor);
        peer.Tell(new PeerServes(id, "/p/1", null, T0.AddSeconds(4)), TestActor);
        ReceiveN(7);
        var before = Stats(peer, id);
        StopGracefully(peer);

        var again = Start(id);
        Assert.Equal(before, Stats(again, id));
        again.Tell(new GetChannelUptime(id, "tx:0", T0.AddSeconds(12)), TestActor);
        Assert.Equal(TimeSpan.FromSeconds(9), ExpectMsg<ChannelUptimeReply>().Uptime);
    }

    [Fact]
    public void Recovery_from_snapshot_and_tail_when_old_events_are_deleted()
    {
        var id = PeerTestConfig.NewPeer();
        var settings = PeerTestConfig.Fast() with { SnapshotEvery = 3, DeleteEventsOnSnapshot = true };
        var peer = Start(id, settings);
        for (var i = 1; i <= 8; i++)
        {
            peer.Tell(new RecordPayment(id, i, T0.AddSeconds(i)), TestActor);
            ExpectMsg<CommandAck>();
        }
        var before = Stats(peer, id);
        StopGracefully(peer);
        // Events 1..6 were deleted after the snapshots at 3 and 6: only snapshot 6 + events 7, 8 can rebuild the sum 36.
        var again = Start(id, settings);
        var after = Stats(again, id);
        Assert.Equal(36UL, after.Stats.PaidSat);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Critical_ack_is_not_sent_before_the_write_succeeds()
    {
        var id = PeerTestConfig.NewPeer();
        var pid = "peer-" + id;
        var journal = CreateTestProbe();
        Journal.Hold(pid);
        Journal.NotifyWrites(pid, journal.Ref);
        var peer = Start(id);

        peer.Tell(new OpenChannel(id, "tx:0", T0), TestActor);
        journal.ExpectMsg<WriteStarted>(w => w.PayloadType == typeof(ChannelOpened));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // the write is held: no ack can exist yet
        Assert.Empty(Journal.WrittenBy(pid));

        Journal.Release(pid);
        ExpectMsg(new CommandAck(id, Durability.Critical));
        Assert.Contains(Journal.WrittenBy(pid), e => e is ChannelOpened { ChannelId: "tx:0" });
    }

    [Fact]
    public void Crash_loses_at_most_the_observations_since_the_last_flush_and_no_acked_critical_event()
    {
        var id = PeerTestConfig.NewPeer();
        var pid = "peer-" + id;
        var peer = Start(id, PeerTestConfig.Fast(TimeSpan.FromMilliseconds(150)));
        long sent = 0, paid = 0;
        void Requests(int n)
        {
            for (var i = 0; i < n; i++)
            {
                peer.Tell(new RecordRequest(id, 1, T0.AddMilliseconds(sent)), TestActor);
                ExpectMsg<CommandAck>();
                sent++;
            }
        }

        Requests(100);
        peer.Tell(new RecordPayment(id, 10, T0), TestActor); // flushes the 100 pending with it
        ExpectMsg(new CommandAck(id, Durability.Critical));
        paid += 10;
        Requests(100);
        // Wait for the timer flush that covers everything sent so far.
        AwaitAssert(() => Assert.Equal((ulong)sent,
            FlushedStats(Journal.WrittenBy(pid).OfType<IFlushEvent>().Last()).RequestsSent), TimeSpan.FromSeconds(10));
        var flushedBeforeCrash = sent;
        peer.Tell(new RecordPayment(id, 3, T0), TestActor);
        ExpectMsg(new CommandAck(id, Durability.Critical));
        paid += 3;
        Requests(37); // unflushed at the crash (unless the timer fires first)

        Watch(peer);
        Sys.Stop(peer); // no PeerStop: nothing is flushed on the way down
        ExpectTerminated(peer);

        var again = Start(id);
        var r = Stats(again, id);
        var lost = sent - (long)r.Stats.RequestsSent;
        Assert.InRange((long)r.Stats.RequestsSent, flushedBeforeCrash, sent);
        Assert.InRange(lost, 0, 37);
        Assert.Equal((ulong)paid, r.Stats.PaidSat);
    }

    [Fact]
    public void Flapping_peer_costs_bounded_memory_and_writes_and_its_flap_count_survives_restart()
    {
        const int toggles = 100_000;
        var id = PeerTestConfig.NewPeer();
        var pid = "peer-" + id;
        var settings = PeerTestConfig.Fast(TimeSpan.FromMilliseconds(200));
        var peer = Start(id, settings);
        peer.Tell(new OpenChannel(id, "tx:0", T0), TestActor);
        ExpectMsg<CommandAck>();

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < toggles; i++)
        {
            var at = T0.AddMilliseconds(i + 1);
            peer.Tell(i % 2 == 0 ? new PeerOnline(id, at) : new PeerOffline(id, at), ActorRefs.NoSender);
        }
        peer.Tell(new GetFlapCount(id), TestActor);
        Assert.Equal(toggles, ExpectMsg<FlapCountReply>(TimeSpan.FromSeconds(60)).FlapCount);
        StopGracefully(peer);
        clock.Stop();

        var intervals = (long)Math.Ceiling(clock.Elapsed / settings.FlushInterval);
        var flushes = Journal.WrittenBy(pid).OfType<IFlushEvent>().ToArray();
        Assert.InRange(flushes.Length, 1, intervals + 1); // ≤ one per interval + the final hand-off flush
        Assert.Equal(toggles, flushes.Sum(f => f.Counts.OnlineEvents + f.Counts.OfflineEvents));
        // Each flush is bounded: a delta carries only the events committed in its window, a whole state at most the cap.
        Assert.All(flushes, f => Assert.InRange(f switch
        {
            ObservationsDelta d => d.Window!.Log.Appended.Count,
            ObservationsFlushed full => full.State.Log.Committed.Count,
            _ => -1,
        }, 0, settings.LogOptions.MaxCommittedEvents));

        var again = Start(id, settings);
        again.Tell(new GetFlapCount(id), TestActor);
        var flaps = ExpectMsg<FlapCountReply>();
        Assert.Equal(toggles, flaps.FlapCount);
        Assert.Equal(T0.AddMilliseconds(toggles), flaps.LastFlap);
    }

    [Fact]
    public void Forget_erases_history_publishes_forgotten_and_a_new_incarnation_reports_not_found()
    {
        var id = PeerTestConfig.NewPeer();
        var publisher = new CapturingPublisher();
        var peer = Start(id, publisher: publisher);
        peer.Tell(new RecordRequest(id, 1, T0), TestActor);
        peer.Tell(new RecordPayment(id, 5, T0), TestActor);
        ReceiveN(2);
        Watch(peer);
        peer.Tell(new Forget(id, T0.AddSeconds(1)), TestActor);
        ExpectMsg(new CommandAck(id, Durability.Critical));
        ExpectTerminated(peer);
        var last = publisher.Published.Last();
        Assert.True(last.Forgotten);
        Assert.Equal(id, last.Stats.PeerId.Value);

        var again = Start(id);
        again.Tell(new GetPeerStats(id), TestActor);
        Assert.Equal(ErrorCodes.PeerNotFound, ExpectMsg<CommandRejected>().Error);
    }

    [Fact]
    public void Score_inputs_are_published_after_flushes_and_critical_changes_with_monotone_versions()
    {
        var id = PeerTestConfig.NewPeer();
        var probe = CreateTestProbe();
        var peer = Start(id, publisher: new CapturingPublisher(probe.Ref));
        peer.Tell(new RecordRequest(id, 1, T0), TestActor);
        peer.Tell(new RecordSuccess(id, 50, 1, T0), TestActor);
        peer.Tell(new PeerServes(id, "/p/1", "svc", T0), TestActor);
        ReceiveN(3);
        // Coalesced at the flush (a slow machine may split the three over two flushes: take the one with all of them).
        var first = (PeerScoreInputs)probe.FishForMessage(m => m is PeerScoreInputs { Stats.Successes: 1, Services.Count: 1 }, TimeSpan.FromSeconds(5));
        Assert.Equal(1UL, first.Stats.RequestsSent);
        Assert.Equal(1UL, first.Stats.Successes);
        Assert.Equal(["/p/1"], first.Protocols);
        Assert.Equal(["svc"], first.Services);

        peer.Tell(new RecordPaymentDefault(id, T0.AddSeconds(1)), TestActor);
        ExpectMsg<CommandAck>();
        var second = probe.ExpectMsg<PeerScoreInputs>();
        Assert.Equal(1UL, second.Stats.PaymentDefaults);
        Assert.True(second.Version > first.Version);

        // Flaps and bytes alone do not change score inputs: flushed, but not published.
        peer.Tell(new PeerOnline(id, T0.AddSeconds(2)), TestActor);
        ExpectMsg<CommandAck>();
        AwaitAssert(() => Assert.True(Journal.WrittenBy("peer-" + id).OfType<ObservationsDelta>().Last().Window!.Log.Online));
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_woken_peer_publishes_its_recovered_inputs_on_PublishScoreInputs_and_an_unknown_one_publishes_nothing()
    {
        var id = PeerTestConfig.NewPeer();
        var first = Start(id);
        first.Tell(new RecordPayment(id, 7, T0), TestActor);
        ExpectMsg<CommandAck>();
        StopGracefully(first);

        // A new incarnation (as woken by the selector's journal bootstrap) publishes what it recovered.
        var probe = CreateTestProbe();
        var woken = Start(id, publisher: new CapturingPublisher(probe.Ref));
        woken.Tell(new PublishScoreInputs(id));
        var inputs = probe.ExpectMsg<PeerScoreInputs>();
        Assert.Equal(7UL, inputs.Stats.PaidSat);
        Assert.False(inputs.Forgotten);

        var unknownProbe = CreateTestProbe();
        var unknownId = PeerTestConfig.NewPeer();
        var unknown = Start(unknownId, publisher: new CapturingPublisher(unknownProbe.Ref));
        unknown.Tell(new PublishScoreInputs(unknownId));
        unknown.Tell(new GetFlapCount(unknownId), TestActor);
        Assert.Equal(ErrorCodes.PeerNotFound, ExpectMsg<CommandRejected>().Error); // processed after the wake-up
        unknownProbe.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    /// <summary>The statistics a flush event leaves the peer with (a delta carries them whole).</summary>
    private static Core.Stats.PeerStatsState FlushedStats(IFlushEvent e) => e switch
    {
        ObservationsDelta d => d.Window!.Stats,
        ObservationsFlushed f => f.State.Stats,
        _ => throw new InvalidOperationException(e.GetType().Name),
    };
}
