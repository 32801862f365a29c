namespace PeerActors.Tests.Peers;

/// <summary>Recovery through Akka.Persistence.Sql on a SQLite file, with the versioned PeerSerializer on the wire.</summary>
public sealed class PeerSqliteRecoveryTests() : SqlitePeerActorTestKit(PeerTestConfig.Sqlite)
{

    protected override DateTimeOffset QueryAt => T0.AddHours(1);

    private void Feed(IActorRef peer, string id)
    {
        for (var i = 0; i < 5; i++)
        {
            var at = T0.AddSeconds(i * 10);
            peer.Tell(new RecordRequest(id, 100, at), TestActor);
            peer.Tell(new RecordSuccess(id, 40 + i, 200, at.AddMilliseconds(40)), TestActor);
            peer.Tell(new RecordBytes(id, null, TrafficDirection.Egress, 1000, at), TestActor);
            peer.Tell(i % 2 == 0 ? new PeerOnline(id, at) : new PeerOffline(id, at), TestActor);
            peer.Tell(new RecordPayment(id, 10, at), TestActor);
            peer.Tell(i == 0 ? new OpenChannel(id, "tx:0", at) : new PeerServes(id, $"/p/{i}", null, at), TestActor);
            ReceiveN(6, TimeSpan.FromSeconds(10)).ToList().ForEach(m => Assert.IsType<CommandAck>(m));
        }
    }

    [Fact]
    public void Recovers_from_events_only()
    {
        var id = PeerTestConfig.NewPeer();
        var settings = PeerTestConfig.Fast();
        var peer = Start(id, settings);
        Feed(peer, id);
        var before = Stats(peer, id);
        StopGracefully(peer);

        var after = Stats(Start(id, settings), id);
        Assert.Equal(before, after);
        Assert.Equal(5UL, after.Stats.RequestsSent);
        Assert.Equal(50UL, after.Stats.PaidSat);
        Assert.Equal(5, after.FlapCount);
        Assert.Equal(1, after.ChannelCount);
        Assert.Equal(5000UL, after.EgressBytes);
    }

    [Fact]
    public void Recovers_from_snapshot_plus_tail()
    {
        var id = PeerTestConfig.NewPeer();
        var settings = PeerTestConfig.Fast() with { SnapshotEvery = 4, DeleteEventsOnSnapshot = true };
        var peer = Start(id, settings);
        Feed(peer, id);
        var before = Stats(peer, id);
        StopGracefully(peer);

        var again = Start(id, settings);
        Assert.Equal(before, Stats(again, id));
        again.Tell(new GetBandwidth(id), TestActor);
        Assert.Equal(5000UL, ExpectMsg<BandwidthReply>().EgressBytes);
        again.Tell(new GetChannelUptime(id, "tx:0", T0.AddSeconds(50)), TestActor);
        // online [0,10), [20,30), [40,50] within the channel's life [0,50]
        Assert.Equal(TimeSpan.FromSeconds(30), ExpectMsg<ChannelUptimeReply>().Uptime);
    }

    [Fact]
    public void Forget_deletes_stored_history()
    {
        var id = PeerTestConfig.NewPeer();
        var settings = PeerTestConfig.Fast() with { SnapshotEvery = 3 };
        var peer = Start(id, settings);
        Feed(peer, id);
        Watch(peer);
        peer.Tell(new Forget(id, T0.AddMinutes(5)), TestActor);
        ExpectMsg(new CommandAck(id, Durability.Critical), TimeSpan.FromSeconds(10));
        ExpectTerminated(peer);

        var again = Start(id, settings);
        again.Tell(new GetFlapCount(id), TestActor);
        Assert.Equal(ErrorCodes.PeerNotFound, ExpectMsg<CommandRejected>(TimeSpan.FromSeconds(10)).Error);
    }
}
