using Akka.Event;
using Microsoft.Data.Sqlite;

namespace PeerActors.Tests.Peers;

/// <summary>
/// A bad or truncated payload in a real journal (Akka.Persistence.Sql on SQLite, rows edited in place): recovery fails
/// with one error naming the persistence id and the payload's manifest, and the actor stops instead of serving a
/// state silently missing that event.
/// </summary>
public sealed class PeerCorruptPayloadRecoveryTests : TestKit, IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _db;

    public PeerCorruptPayloadRecoveryTests() : this(PeerTestConfig.TempDb())
    {
    }

    private PeerCorruptPayloadRecoveryTests(string db) : base(PeerTestConfig.Sqlite(db)) => _db = db;

    private IActorRef Start(string id) => Sys.ActorOf(PeerActor.Props(id, PeerTestConfig.Fast(), NoScoreInputsPublisher.Instance));

    /// <summary>Starts the peer and records one acknowledged payment of 5 sat at T0 (critical: written before the ack).</summary>
    private IActorRef StartPaid(string id)
    {
        var peer = Start(id);
        peer.Tell(new RecordPayment(id, 5, T0), TestActor);
        ExpectMsg<CommandAck>();
        return peer;
    }

    /// <summary>Two payments persisted (critical: written before the ack); the actor killed so no snapshot is taken.</summary>
    private void TwoPaymentsThenKill(string id)
    {
        var peer = StartPaid(id);
        peer.Tell(new RecordPayment(id, 6, T0.AddSeconds(1)), TestActor);
        ExpectMsg<CommandAck>();
        Watch(peer);
        peer.Tell(PoisonPill.Instance);
        ExpectTerminated(peer);
    }

    private void Sql(string sql, params (string Name, object Value)[] args)
    {
        using var c = new SqliteConnection($"Data Source={_db}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        Assert.Equal(1, cmd.ExecuteNonQuery());
    }

    private long Snapshots(string persistenceId)
    {
        using var c = new SqliteConnection($"Data Source={_db}");
        c.Open();
        using var cmd = c.CreateCommand();
        // The store creates its table on first use, which may still be under way.
        cmd.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'snapshot'";
        if ((long)cmd.ExecuteScalar()! == 0) return 0;
        cmd.CommandText = "SELECT count(*) FROM snapshot WHERE persistence_id = $pid";
        cmd.Parameters.AddWithValue("$pid", persistenceId);
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>Starts the actor again and returns the recovery error it logs; the actor must stop.</summary>
    private string RecoveryError(string id)
    {
        Sys.EventStream.Subscribe(TestActor, typeof(Error));
        var peer = Start(id);
        Watch(peer);
        var errors = new List<string>();
        FishForMessage(m =>
        {
            if (m is Error e) errors.Add(e.Message.ToString()!);
            return m is Terminated t && t.ActorRef.Equals(peer);
        }, TimeSpan.FromSeconds(10));
        Sys.EventStream.Unsubscribe(TestActor, typeof(Error));
        return Assert.Single(errors, e => e.StartsWith("Recovery of persistence id", StringComparison.Ordinal));
    }

    /// <summary>Starts the actor again and expects its one recovery error to hold every one of <paramref name="fragments"/>.</summary>
    private void ExpectRecoveryError(string id, params string[] fragments)
    {
        var message = RecoveryError(id);
        foreach (var f in fragments) Assert.Contains(f, message);
    }

    [Fact]
    public void A_truncated_event_fails_recovery_with_an_error_naming_the_persistence_id_and_the_manifest()
    {
        var id = PeerTestConfig.NewPeer();
        TwoPaymentsThenKill(id);
        Sql("UPDATE journal SET message = substr(message, 1, length(message) - 3) WHERE persistence_id = $pid AND sequence_number = 2",
            ("$pid", "peer-" + id));

        ExpectRecoveryError(id, $"Recovery of persistence id 'peer-{id}' failed", "'peer-payment.v2'", "The peer actor stopped");
    }

    [Fact]
    public void A_snapshot_cut_at_a_field_boundary_fails_recovery_as_truncated_naming_the_persistence_id()
    {
        var id = PeerTestConfig.NewPeer();
        var peer = StartPaid(id);
        Watch(peer);
        peer.Tell(PeerStop.Instance); // stopping takes a snapshot (saved asynchronously)
        ExpectTerminated(peer);
        AwaitCondition(() => Snapshots("peer-" + id) == 1, TimeSpan.FromSeconds(10));
        // The last two bytes are the end mark: what is left parses, and only the missing mark shows the cut.
        Sql("UPDATE snapshot SET snapshot = substr(snapshot, 1, length(snapshot) - 2) WHERE persistence_id = $pid", ("$pid", "peer-" + id));

        ExpectRecoveryError(id, $"'peer-{id}'", "'peer-snapshot.v3'", "truncated payload");
    }

    [Fact]
    public void A_bad_legacy_json_event_fails_recovery_with_an_error_naming_the_persistence_id_and_the_manifest()
    {
        var id = PeerTestConfig.NewPeer();
        TwoPaymentsThenKill(id);
        Sql("UPDATE journal SET message = $json, manifest = 'peer-flushed-delta.v1' WHERE persistence_id = $pid AND sequence_number = 1",
            ("$json", """{"from":"2025-03-01T12:00:00+00:00","to":"""u8.ToArray()), ("$pid", "peer-" + id));

        ExpectRecoveryError(id, $"'peer-{id}'", "'peer-flushed-delta.v1'");
    }

    [Fact]
    public void An_event_that_reads_but_cannot_be_applied_names_its_type_and_sequence_number()
    {
        var text = PeerActor.DescribeRecoveryFailure("peer-p1", 41, new InvalidOperationException("boom"), new ChannelClosed("tx:9", T0));
        Assert.Equal("Recovery of persistence id 'peer-p1' failed while applying ChannelClosed at sequence number 41: boom " +
                     "The peer actor stopped; it cannot serve until that stored payload is repaired or deleted.", text);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _db, _db + "-wal", _db + "-shm" })
        {
            try { File.Delete(f); } catch (IOException) { }
        }
    }
}
