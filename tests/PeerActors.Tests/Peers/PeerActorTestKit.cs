namespace PeerActors.Tests.Peers;

/// <summary>
/// TestKit for tests that drive one <see cref="PeerActor"/> directly (no shard region): start it, ask its stats at
/// a fixed observation instant, stop it gracefully (flush + snapshot-on-stop, as a hand-off or passivation does).
/// </summary>
public abstract class PeerActorTestKit : TestKit
{
    /// <summary>Starts the test system on <paramref name="config"/>; with <see cref="PeerTestConfig.Memory"/> its journal records (<see cref="Journal"/>).</summary>
    protected PeerActorTestKit(Config config) : base(config)
    {
        if (config.GetString("akka.persistence.journal.plugin") == "akka.persistence.journal.test")
            Journal = JournalRecorder.InstallOn(Sys);
    }

    /// <summary>What the peers wrote, with holds (in-memory test journal only; null on SQLite).</summary>
    protected JournalRecorder Journal { get; } = null!;

    /// <summary>The observation clock's origin used by these tests.</summary>
    protected static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The instant stats are asked at (after every observation the tests send).</summary>
    protected virtual DateTimeOffset QueryAt => T0.AddMinutes(1);

    protected IActorRef Start(string id, PeerActorSettings? settings = null, IScoreInputsPublisher? publisher = null) =>
        Sys.ActorOf(PeerActor.Props(id, settings ?? PeerTestConfig.Fast(), publisher ?? NoScoreInputsPublisher.Instance));

    protected PeerStatsReply Stats(IActorRef peer, string id)
    {
        peer.Tell(new GetPeerStats(id, QueryAt), TestActor);
        return ExpectMsg<PeerStatsReply>(TimeSpan.FromSeconds(10));
    }

    protected void StopGracefully(IActorRef peer)
    {
        Watch(peer);
        peer.Tell(PeerStop.Instance);
        ExpectTerminated(peer, TimeSpan.FromSeconds(10));
        Unwatch(peer);
    }
}

/// <summary>A <see cref="PeerActorTestKit"/> over a fresh SQLite file (<see cref="Db"/>), deleted with its WAL when disposed.</summary>
public abstract class SqlitePeerActorTestKit : PeerActorTestKit
{
    /// <summary>Starts the test system on <paramref name="config"/>(a new temporary database file).</summary>
    protected SqlitePeerActorTestKit(Func<string, Config> config) : this(PeerTestConfig.TempDb(), config)
    {
    }

    private SqlitePeerActorTestKit(string db, Func<string, Config> config) : base(config(db)) => Db = db;

    /// <summary>The database file.</summary>
    protected string Db { get; }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { Db, Db + "-wal", Db + "-shm" })
        {
            try { File.Delete(f); } catch (IOException) { }
        }
    }
}
