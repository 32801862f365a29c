namespace PeerActors.Tests.Peers;

/// <summary>Bans through Akka.Persistence.Sql on SQLite with the versioned serializer (peer-banned.v1, peer-snapshot.v3).</summary>
public sealed class PeerBanSqliteTests : PeerActorTestKit
{
    private readonly string _db;

    public PeerBanSqliteTests() : this(PeerTestConfig.TempDb())
    {
    }

    private PeerBanSqliteTests(string db) : base(PeerTestConfig.Sqlite(db)) => _db = db;

    [Theory]
    [InlineData(1000)] // from the ban event
    [InlineData(2)]    // from a snapshot (v2) whose earlier events are deleted
    public void A_ban_is_stored_and_recovered_through_the_sql_journal(int snapshotEvery)
    {
        var id = PeerTestConfig.NewPeer();
        var settings = PeerTestConfig.Fast() with { SnapshotEvery = snapshotEvery, DeleteEventsOnSnapshot = snapshotEvery < 10 };
        var peer = Start(id, settings);
        peer.Tell(new Ban(id, T0.AddDays(2), null, "abuse", T0), TestActor);
        ExpectMsg<CommandAck>(TimeSpan.FromSeconds(10));
        for (var i = 1; i <= 3; i++)
        {
            peer.Tell(new RecordPayment(id, i, T0.AddSeconds(i)), TestActor);
            ExpectMsg<CommandAck>(TimeSpan.FromSeconds(10));
        }
        StopGracefully(peer);

        var s = Stats(Start(id, settings), id);
        Assert.Equal((T0.AddDays(2), "abuse", 6UL), (s.BannedUntil, s.BanReason, s.Stats.PaidSat));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _db, _db + "-wal", _db + "-shm" })
        {
            try { File.Delete(f); } catch (IOException) { }
        }
    }
}
