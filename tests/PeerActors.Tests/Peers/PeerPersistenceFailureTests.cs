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

    // The shared test journal, with the TestKit's snapshot store in place of the in-memory one (to inject its failures).
    private static Config Config => PeerTestConfig.MemoryWithTestSnapshotStore();

    private ITestJournal Journal => Akka.Persistence.TestKit.TestJournal.FromRef(Persistence.Instance.Apply(Sys).JournalFor(null));

    private ITestSnapshotStore Snapshots => PeerTestConfig.Snapshots(Sys);

    private IActorRef Start(string id, int snapshotEvery = 1000) =>
        Sys.ActorOf(PeerActor.Props(id, PeerTestConfig.Fast() with { SnapshotEvery = snapshotEvery }, NoScoreInputsPublisher.Instance));

    /// <summary>Starts the peer and records one acknowledged payment of <paramref name="sat"/> at T0.</summary>
    private IActorRef StartPaid(string id, long sat, int snapshotEvery = 1000)
    {
        var peer = Start(id, snapshotEvery);
        peer.Tell(new RecordPayment(id, sat, T0), TestActor);
        ExpectMsg<CommandAck>();
        return peer;
    }

    /// <summary>Sends <paramref name="command"/> and expects it rejected as a persistence failure whose message holds <paramref name="reason"/>.</summary>
    private void ExpectPersistenceFailure(IActorRef peer, object command, string reason)
    {
        peer.Tell(command, TestActor);
        var rejected = ExpectMsg<CommandRejected>();
        Assert.Equal(ErrorCodes.PersistenceFailure, rejected.Error);
        Assert.Contains(reason, rejected.Message);
    }

    private ulong PaidSat(IActorRef peer, string id)
    {
        peer.Tell(new GetPeerStats(id, T0.AddMinutes(1)), TestActor);
        return ExpectMsg<PeerStatsReply>().Stats.PaidSat;
    }

    [Fact]
    public async Task A_failed_write_is_answered_persistence_failure_the_actor_stops_and_recovery_has_only_acked_events()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = StartPaid(id, 5);

        await Journal.OnWrite.Fail();
        Watch(peer);
        ExpectPersistenceFailure(peer, new RecordPayment(id, 7, T0.AddSeconds(1)), "journal write failed");
        ExpectTerminated(peer);

        await Journal.OnWrite.Pass();
        Assert.Equal(5UL, PaidSat(Start(id), id));
    }

    [Fact]
    public async Task A_rejected_write_is_answered_persistence_failure_and_the_actor_keeps_serving()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = StartPaid(id, 5);

        await Journal.OnWrite.Reject();
        ExpectPersistenceFailure(peer, new RecordPayment(id, 7, T0.AddSeconds(1)), "journal rejected");

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
        var second = StartPaid(other, 4, snapshotEvery: 1);
        Watch(second);
        second.Tell(PeerStop.Instance);
        ExpectTerminated(second);
        Assert.Equal(4UL, PaidSat(Start(other, snapshotEvery: 1), other));
    }

    [Fact]
    public async Task A_failed_snapshot_delete_during_forget_is_answered_persistence_failure()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = StartPaid(id, 5, snapshotEvery: 1);
        PaidSat(peer, id); // the snapshot save after the payment has been handled before this reply

        await Snapshots.OnDelete.Fail();
        Watch(peer);
        ExpectPersistenceFailure(peer, new Forget(id, T0.AddMinutes(1)), "forget failed");
        ExpectTerminated(peer);
    }
}
