using Akka.Persistence;
using Akka.Persistence.TestKit;

namespace PeerActors.Tests.Peers;

/// <summary>
/// Journal and snapshot-store failures of the peer actor, injected with Akka.Persistence.TestKit's interceptors
/// (<see cref="Akka.Persistence.TestKit.TestJournal"/>, <see cref="TestSnapshotStore"/>): a failed write, a rejected write, a failed snapshot
/// save, and a failed snapshot delete during <see cref="Forget"/>.
/// </summary>
public sealed class PeerPersistenceFailureTests() : TestKit(Config)
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static Config Config => ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.test"
        akka.persistence.journal.test {
          class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.test"
        akka.persistence.snapshot-store.test {
          class = "Akka.Persistence.TestKit.TestSnapshotStore, Akka.Persistence.TestKit"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """).WithFallback(PeerTestConfig.Serializer());

    private ITestJournal Journal => Akka.Persistence.TestKit.TestJournal.FromRef(Persistence.Instance.Apply(Sys).JournalFor(null));

    private ITestSnapshotStore Snapshots => TestSnapshotStore.FromRef(Persistence.Instance.Apply(Sys).SnapshotStoreFor(null));

    private IActorRef Start(string id, int snapshotEvery = 1000) =>
        Sys.ActorOf(PeerActor.Props(id, PeerTestConfig.Fast() with { SnapshotEvery = snapshotEvery }, NoScoreInputsPublisher.Instance));

    private ulong PaidSat(IActorRef peer, string id)
    {
        peer.Tell(new GetPeerStats(id, T0.AddMinutes(1)), TestActor);
        return ExpectMsg<PeerStatsReply>().Stats.PaidSat;
    }

    [Fact]
    public async Task A_failed_write_is_answered_persistence_failure_the_actor_stops_and_recovery_has_only_acked_events()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Start(id);
        peer.Tell(new RecordPayment(id, 5, T0), TestActor);
        ExpectMsg<CommandAck>();

        await Journal.OnWrite.Fail();
        Watch(peer);
        peer.Tell(new RecordPayment(id, 7, T0.AddSeconds(1)), TestActor);
        var rejected = ExpectMsg<CommandRejected>();
        Assert.Equal(ErrorCodes.PersistenceFailure, rejected.Error);
        Assert.Contains("journal write failed", rejected.Message);
        ExpectTerminated(peer);

        await Journal.OnWrite.Pass();
        Assert.Equal(5UL, PaidSat(Start(id), id));
    }

    [Fact]
    public async Task A_rejected_write_is_answered_persistence_failure_and_the_actor_keeps_serving()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Start(id);
        peer.Tell(new RecordPayment(id, 5, T0), TestActor);
        ExpectMsg<CommandAck>();

        await Journal.OnWrite.Reject();
        peer.Tell(new RecordPayment(id, 7, T0.AddSeconds(1)), TestActor);
        var rejected = ExpectMsg<CommandRejected>();
        Assert.Equal(ErrorCodes.PersistenceFailure, rejected.Error);
        Assert.Contains("journal rejected", rejected.Message);

        await Journal.OnWrite.Pass();
        Assert.Equal(5UL, PaidSat(peer, id)); // the rejected payment was not applied, the actor still answers
        peer.Tell(new RecordPayment(id, 11, T0.AddSeconds(2)), TestActor);
        ExpectMsg<CommandAck>();
        Assert.Equal(16UL, PaidSat(peer, id));
    }

    [Fact]
    public async Task A_failed_snapshot_keeps_acking_and_recovery_replays_the_events()
    {
        var id = PeerTestConfig.NewPeer();
        await Snapshots.OnSave.Fail();
        var peer = Start(id, snapshotEvery: 1);
        foreach (var amount in new[] { 1L, 2L, 3L })
        {
            peer.Tell(new RecordPayment(id, amount, T0.AddSeconds(amount)), TestActor);
            ExpectMsg<CommandAck>();
        }
        Assert.Equal(6UL, PaidSat(peer, id));

        // No snapshot save is left in flight: Forget (which waits for one) completes.
        peer.Tell(new Forget(id, T0.AddMinutes(1)), TestActor);
        ExpectMsg<CommandAck>();

        await Snapshots.OnSave.Pass();
        var other = PeerTestConfig.NewPeer();
        var second = Start(other, snapshotEvery: 1);
        second.Tell(new RecordPayment(other, 4, T0), TestActor);
        ExpectMsg<CommandAck>();
        Watch(second);
        second.Tell(PeerStop.Instance);
        ExpectTerminated(second);
        Assert.Equal(4UL, PaidSat(Start(other, snapshotEvery: 1), other));
    }

    [Fact]
    public async Task A_failed_snapshot_delete_during_forget_is_answered_persistence_failure()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = Start(id, snapshotEvery: 1);
        peer.Tell(new RecordPayment(id, 5, T0), TestActor);
        ExpectMsg<CommandAck>();
        PaidSat(peer, id); // the snapshot save after the payment has been handled before this reply

        await Snapshots.OnDelete.Fail();
        Watch(peer);
        peer.Tell(new Forget(id, T0.AddMinutes(1)), TestActor);
        var rejected = ExpectMsg<CommandRejected>();
        Assert.Equal(ErrorCodes.PersistenceFailure, rejected.Error);
        Assert.Contains("forget failed", rejected.Message);
        ExpectTerminated(peer);
    }
}
