using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Data.Sqlite;
using PeerActors.Tests.SelectionActor;

namespace PeerActors.Tests.Peers;

/// <summary>
/// What a stop snapshot deletes on Akka.Persistence.Sql over SQLite (issue 11, journal ≤ 400 MB for a month): older
/// snapshots always, the events the snapshot covers with <see cref="PeerActorSettings.DeleteEventsOnSnapshot"/> — all
/// but the last, so recovery stays exact and the journal's queries still list the peer.
/// </summary>
public sealed class PeerHistoryDeletionTests() : SqlitePeerActorTestKit(db => SelectorRestartNode.Config(db))
{
    protected override DateTimeOffset QueryAt => T0.AddHours(2);

    private static PeerActorSettings Settings(bool deleteEvents) =>
        PeerTestConfig.Fast() with { SnapshotOnStopMinEvents = 1, DeleteEventsOnSnapshot = deleteEvents };

    /// <summary>One session of round <paramref name="round"/>: online, requests, bytes, a payment, a channel, offline (every message acked).</summary>
    private void Session(IActorRef peer, string id, int round)
    {
        var at = T0.AddMinutes(round * 10);
        var messages = new object[]
        {
            new PeerOnline(id, at),
            new OpenChannel(id, $"tx:{round}", at),
            new RecordRequest(id, 100, at.AddSeconds(1)),
            new RecordSuccess(id, 40 + round, 200, at.AddSeconds(1.04)),
            new RecordBytes(id, null, TrafficDirection.Ingress, 1000 + round, at.AddSeconds(2)),
            new RecordPayment(id, 10, at.AddSeconds(3)),
            new PeerOffline(id, at.AddMinutes(5)),
        };
        foreach (var m in messages) peer.Tell(m, TestActor);
        ReceiveN(messages.Length, TimeSpan.FromSeconds(10)).ToList().ForEach(m => Assert.IsType<CommandAck>(m));
    }

    /// <summary>Starts the peer, plays one session, stops it gracefully; returns its stats before the stop.</summary>
    private PeerStatsReply Round(string id, PeerActorSettings settings, int round)
    {
        var peer = Start(id, settings);
        Session(peer, id, round);
        var stats = Stats(peer, id);
        StopGracefully(peer);
        return stats;
    }

    /// <summary>Runs <paramref name="sql"/> with <c>$p</c> = the peer's persistence id; one item per row.</summary>
    private List<T> Rows<T>(string id, string sql, Func<SqliteDataReader, T> read)
    {
        using var c = new SqliteConnection($"Data Source={Db}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$p", "peer-" + id);
        using var r = cmd.ExecuteReader();
        var rows = new List<T>();
        while (r.Read()) rows.Add(read(r));
        return rows;
    }

    private List<(long Seq, bool Deleted)> JournalRows(string id) =>
        Rows(id, "SELECT sequence_number, deleted FROM journal WHERE persistence_id = $p ORDER BY sequence_number", r => (r.GetInt64(0), r.GetBoolean(1)));

    private List<long> SnapshotSeqs(string id) =>
        Rows(id, "SELECT sequence_number FROM snapshot WHERE persistence_id = $p ORDER BY sequence_number", r => r.GetInt64(0));

    private SqlReadJournal ReadJournal() => PersistenceQuery.Get(Sys).ReadJournalFor<SqlReadJournal>("akka.persistence.query.journal.sql");

    [Fact]
    public void Stops_keep_only_the_latest_snapshot_and_every_event_when_events_are_kept()
    {
        var id = PeerTestConfig.NewPeer();
        for (var round = 0; round < 4; round++)
        {
            Round(id, Settings(deleteEvents: false), round);
            var events = JournalRows(id);
            Assert.All(events, e => Assert.False(e.Deleted));
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
            // The stop waited for the save and the deletion of the older snapshot: exactly one, at the last event.
            Assert.Equal([events[^1].Seq], SnapshotSeqs(id));
        }
    }

    [Fact]
    public void Deleting_covered_events_keeps_recovery_exact_and_the_last_event_readable()
    {
        var id = PeerTestConfig.NewPeer();
        var control = PeerTestConfig.NewPeer();
        PeerStatsReply? last = null;
        for (var round = 0; round < 4; round++)
        {
            last = Round(id, Settings(deleteEvents: true), round);
            var reference = Round(control, Settings(deleteEvents: false), round);
            Assert.Equal(reference with { Stats = reference.Stats with { PeerId = PeerId.Parse(id) } }, last);

            // Events 1 … S−1 are gone but for S−1 (Akka.Persistence.Sql keeps the highest deleted row, marked deleted);
            // event S stays readable; one snapshot, at S.
            var rows = JournalRows(id);
            var s = rows[^1].Seq;
            Assert.Equal([(s - 1, true), (s, false)], rows);
            Assert.Equal([s], SnapshotSeqs(id));
        }

        // The next incarnation recovers the same state from the snapshot alone, and goes on from there.
        var again = Start(id, Settings(deleteEvents: true));
        Assert.Equal(last, Stats(again, id));
        again.Tell(new GetBandwidth(id), TestActor);
        Assert.Equal(4006UL, ExpectMsg<BandwidthReply>(TimeSpan.FromSeconds(10)).IngressBytes); // 1000 + 1001 + 1002 + 1003
        Session(again, id, 4);
        Assert.Equal(5UL, Stats(again, id).Stats.RequestsSent);
    }

    [Fact]
    public async Task A_peer_whose_covered_events_were_deleted_is_still_listed_and_seen_changing_after_an_offset()
    {
        var id = PeerTestConfig.NewPeer();
        Round(id, Settings(deleteEvents: true), 0);
        long offset;
        using (var c = new SqliteConnection($"Data Source={Db}"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT MAX(ordering) FROM journal";
            offset = (long)cmd.ExecuteScalar()!;
        }
        Round(id, Settings(deleteEvents: true), 1); // every event after the offset but the last is deleted on stop

        var journal = ReadJournal();
        var mat = Sys.Materializer();
        var ids = await journal.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), mat);
        Assert.Contains("peer-" + id, ids);
        var changed = await journal.CurrentAllEvents(Offset.Sequence(offset)).Select(e => e.PersistenceId).RunWith(Sink.Seq<string>(), mat);
        Assert.Contains("peer-" + id, changed);
    }

    [Fact]
    public void Forget_after_deletions_leaves_nothing()
    {
        var id = PeerTestConfig.NewPeer();
        Round(id, Settings(deleteEvents: true), 0);
        Round(id, Settings(deleteEvents: true), 1);
        var peer = Start(id, Settings(deleteEvents: true));
        Watch(peer);
        peer.Tell(new Forget(id, T0.AddHours(1)), TestActor);
        ExpectMsg(new CommandAck(id, Durability.Critical), TimeSpan.FromSeconds(10));
        ExpectTerminated(peer);
        Assert.Empty(SnapshotSeqs(id));
        Assert.All(JournalRows(id), e => Assert.True(e.Deleted));

        var again = Start(id, Settings(deleteEvents: true));
        again.Tell(new GetFlapCount(id), TestActor);
        Assert.Equal(ErrorCodes.PeerNotFound, ExpectMsg<CommandRejected>(TimeSpan.FromSeconds(10)).Error);
    }
}
