using Akka.Persistence;
using Akka.Persistence.TestKit;

namespace PeerActors.Tests.Peers;

/// <summary>
/// A peer announced as new (<see cref="NewPeerRegistry"/>) recovers without a snapshot load; the announcement is taken
/// by its first incarnation only, and a wrong announcement (the journal holds events) fails recovery instead of running
/// on a partial state. Snapshot loads are made to fail (Akka.Persistence.TestKit) to show which recoveries ask for one.
/// </summary>
public sealed class NewPeerRegistryTests() : TestKit(Config)
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static Config Config => PeerTestConfig.MemoryWithTestSnapshotStore();

    private ITestSnapshotStore Snapshots => PeerTestConfig.Snapshots(Sys);

    private IActorRef Start(string id) =>
        Sys.ActorOf(PeerActor.Props(id, PeerTestConfig.Fast(), NoScoreInputsPublisher.Instance));

    private void Pay(IActorRef peer, string id, long sat, int second)
    {
        peer.Tell(new RecordPayment(id, sat, T0.AddSeconds(second)), TestActor);
        ExpectMsg<CommandAck>();
    }

    private ulong PaidSat(IActorRef peer, string id)
    {
        peer.Tell(new GetPeerStats(id, T0.AddMinutes(1)), TestActor);
        return ExpectMsg<PeerStatsReply>().Stats.PaidSat;
    }

    private void StopAndWait(IActorRef peer)
    {
        Watch(peer);
        Sys.Stop(peer);
        ExpectTerminated(peer);
    }

    [Fact]
    public async Task An_announced_peer_recovers_without_asking_the_snapshot_store_and_only_its_first_incarnation_skips()
    {
        var id = PeerTestConfig.NewPeer();
        NewPeerRegistry.Get(Sys).Announce([id]);
        await Snapshots.OnLoad.Fail();

        var first = Start(id);
        Pay(first, id, 5, 1);
        Assert.Equal(5UL, PaidSat(first, id));
        Assert.Equal(0, NewPeerRegistry.Get(Sys).Pending);
        StopAndWait(first);

        // The announcement was taken: the next incarnation asks for its snapshot, and the failing load fails its recovery.
        var second = Start(id);
        Watch(second);
        ExpectTerminated(second);

        await Snapshots.OnLoad.Pass();
        Assert.Equal(5UL, PaidSat(Start(id), id));
    }

    [Fact]
    public async Task A_peer_announced_as_new_with_events_in_the_journal_fails_recovery_and_then_recovers_in_full()
    {
        var id = PeerTestConfig.NewPeer();
        var before = Start(id);
        Pay(before, id, 7, 1);
        StopAndWait(before);

        NewPeerRegistry.Get(Sys).Announce([id]);
        Sys.EventStream.Subscribe(TestActor, typeof(Akka.Event.Error));
        var wrong = Start(id);
        Watch(wrong);
        var errors = new List<string>();
        await FishForMessageAsync(m =>
        {
            if (m is Akka.Event.Error e) errors.Add(e.Message.ToString()!);
            return m is Terminated t && t.ActorRef.Equals(wrong);
        }, TimeSpan.FromSeconds(10));
        Sys.EventStream.Unsubscribe(TestActor, typeof(Akka.Event.Error));
        Assert.Contains(errors, e => e.Contains($"'peer-{id}'", StringComparison.Ordinal) && e.Contains("was announced as new", StringComparison.Ordinal));

        Assert.Equal(7UL, PaidSat(Start(id), id));
    }
}

/// <summary>The registry gives its memory back once every announcement is taken, without losing one taken concurrently.</summary>
public sealed class NewPeerRegistryReleaseTests
{
    [Fact]
    public void Taking_the_last_announcement_replaces_the_dictionary_and_later_announcements_still_work()
    {
        var registry = new NewPeerRegistry();
        registry.Announce(Enumerable.Range(0, 10_000).Select(i => $"p{i}"));
        var full = registry.Store;

        for (var i = 0; i < 9_999; i++) Assert.True(registry.TryTake($"p{i}"));
        Assert.Same(full, registry.Store);
        Assert.False(registry.TryTake("p0"));
        Assert.True(registry.TryTake("p9999"));

        Assert.NotSame(full, registry.Store);
        Assert.Equal(0, registry.Pending);
        registry.Announce(["again", "again"]);
        Assert.Equal(1, registry.Pending);
        Assert.True(registry.TryTake("again"));
        Assert.False(registry.TryTake("again"));
    }

    [Fact]
    public async Task Announcements_racing_with_takes_are_each_taken_exactly_once()
    {
        var registry = new NewPeerRegistry();
        const int Rounds = 200, PerRound = 50;
        var taken = new int[Rounds * PerRound];
        using var done = new CancellationTokenSource();
        // Takers try every id over and over while rounds of announcements come (each round empties the registry again).
        var takers = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
                for (var i = t; i < taken.Length; i += 4)
                    if (registry.TryTake($"p{i}")) Interlocked.Increment(ref taken[i]);
        })).ToArray();
        for (var r = 0; r < Rounds; r++)
        {
            registry.Announce(Enumerable.Range(r * PerRound, PerRound).Select(i => $"p{i}"));
            await Task.Yield();
        }
        while (registry.Pending > 0) await Task.Delay(1);
        await done.CancelAsync();
        await Task.WhenAll(takers);

        Assert.All(taken, n => Assert.Equal(1, n));
    }
}
