namespace PeerActors.Tests.Peers;

/// <summary>Ban / Unban on the peer actor: critical (persisted before the ack), published, and durable across restarts.</summary>
public sealed class PeerBanTests() : PeerActorTestKit(PeerTestConfig.Memory())
{

    [Fact]
    public void A_ban_is_acked_only_after_its_event_is_written_and_is_then_published_with_its_expiry()
    {
        var id = PeerTestConfig.NewPeer();
        var pid = "peer-" + id;
        Journal.Hold(pid);
        var published = new CapturingPublisher(TestActor);
        var peer = Start(id, publisher: published);

        peer.Tell(new Ban(id, null, TimeSpan.FromHours(2), "spam", T0), TestActor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // write gated: no ack yet
        Journal.Release(pid);
        var inputs = ExpectMsg<PeerScoreInputs>();
        Assert.Equal(T0.AddHours(2), inputs.BannedUntil);
        Assert.Equal("spam", inputs.BanReason);
        Assert.Equal(Durability.Critical, ExpectMsg<CommandAck>().Durability);
        Assert.IsType<PeerBanned>(Journal.WrittenBy(pid).Last());
    }

    [Theory]
    [InlineData(null, null, "spam", "until")]
    [InlineData(null, -60.0, "spam", "duration")]
    [InlineData(null, 60.0, "", "reason")]
    public void A_bad_ban_is_rejected_naming_the_field_and_writes_nothing(int? untilMinutes, double? seconds, string reason, string field)
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Start(id);
        peer.Tell(new Ban(id, untilMinutes is null ? null : T0.AddMinutes(untilMinutes.Value),
            seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), reason, T0), TestActor);
        var r = ExpectMsg<CommandRejected>();
        Assert.Equal(("invalid-input", field), (r.Error, r.Field));
        Assert.Empty(Journal.WrittenBy("peer-" + id));
    }

    [Fact]
    public void A_ban_survives_a_restart_and_later_flushes_do_not_reset_it()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Start(id);
        peer.Tell(new Ban(id, T0.AddDays(1), null, "abuse", T0), TestActor);
        ExpectMsg<CommandAck>();
        peer.Tell(new RecordRequest(id, 1, T0.AddSeconds(1)), TestActor); // a coalesced flush follows the ban
        ExpectMsg<CommandAck>();
        StopGracefully(peer);

        var again = Start(id);
        var s = Stats(again, id);
        Assert.Equal(T0.AddDays(1), s.BannedUntil);
        Assert.Equal("abuse", s.BanReason);
        Assert.Equal(1UL, s.Stats.RequestsSent);
    }

    [Fact]
    public void A_ban_survives_recovery_from_a_snapshot_when_older_events_are_deleted()
    {
        var id = PeerTestConfig.NewPeer();
        var settings = PeerTestConfig.Fast() with { SnapshotEvery = 2, DeleteEventsOnSnapshot = true };
        var peer = Start(id, settings);
        peer.Tell(new Ban(id, null, TimeSpan.FromHours(1), "spam", T0), TestActor);
        peer.Tell(new RecordPayment(id, 5, T0.AddSeconds(1)), TestActor); // 2nd event: snapshot, then the ban event is deleted
        peer.Tell(new RecordPayment(id, 5, T0.AddSeconds(2)), TestActor);
        ReceiveN(3);
        // The snapshot itself carries the ban (the ban event before it is deleted).
        var store = Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        AwaitAssert(() =>
        {
            var loaded = store.Ask<Akka.Persistence.LoadSnapshotResult>(new Akka.Persistence.LoadSnapshot("peer-" + id,
                Akka.Persistence.SnapshotSelectionCriteria.Latest, long.MaxValue)).Result;
            Assert.Equal(T0.AddHours(1), Assert.IsType<PeerSnapshot>(loaded.Snapshot?.Snapshot).Ban?.Until);
        }, TimeSpan.FromSeconds(5));
        StopGracefully(peer);

        var again = Start(id, settings);
        Assert.Equal(T0.AddHours(1), Stats(again, id).BannedUntil);
    }

    [Fact]
    public void Unban_is_critical_and_idempotent_and_an_unbanned_peer_publishes_no_ban()
    {
        var id = PeerTestConfig.NewPeer();
        var published = new CapturingPublisher();
        var peer = Start(id, publisher: published);
        peer.Tell(new Unban(id, T0), TestActor); // nothing to lift: acked, nothing written
        Assert.Equal(Durability.Critical, ExpectMsg<CommandAck>().Durability);
        Assert.Empty(Journal.WrittenBy("peer-" + id));

        peer.Tell(new Ban(id, null, TimeSpan.FromHours(1), "spam", T0), TestActor);
        ExpectMsg<CommandAck>();
        peer.Tell(new Unban(id, T0.AddMinutes(5)), TestActor);
        ExpectMsg<CommandAck>();
        Assert.IsType<PeerUnbanned>(Journal.WrittenBy("peer-" + id).Last());
        Assert.Null(published.Published.Last().BannedUntil);
        StopGracefully(peer);
        Assert.Null(Stats(Start(id), id).BannedUntil);
    }

    [Fact]
    public void An_auto_ban_policy_bans_a_peer_at_its_nth_payment_default_and_is_off_by_default()
    {
        Assert.Null(PeerActorSettings.Default.AutoBan);
        var id = PeerTestConfig.NewPeer();
        var settings = PeerTestConfig.Fast() with { AutoBan = new Core.Bans.AutoBanPolicy(2, TimeSpan.FromHours(6)) };
        var peer = Start(id, settings);
        peer.Tell(new RecordPaymentDefault(id, T0), TestActor);
        ExpectMsg<CommandAck>();
        Assert.Null(Stats(peer, id).BannedUntil);
        peer.Tell(new RecordPaymentDefault(id, T0.AddMinutes(1)), TestActor);
        ExpectMsg<CommandAck>();
        AwaitAssert(() =>
        {
            var s = Stats(peer, id);
            Assert.Equal(T0.AddMinutes(1).AddHours(6), s.BannedUntil);
            Assert.Equal("auto: payment_defaults 2 ≥ 2", s.BanReason);
        }, TimeSpan.FromSeconds(3));
        Assert.IsType<PeerBanned>(Journal.WrittenBy("peer-" + id).Last());
    }
}
