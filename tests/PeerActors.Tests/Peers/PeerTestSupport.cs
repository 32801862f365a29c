using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.Sql;
using PeerActors.Peers;
using PeerActors.Selection;
using PeerActors.Serialization;

namespace PeerActors.Tests.Peers;

/// <summary>Per-persistence-id controls of <see cref="TestJournal"/> (static: the journal is created by Akka).</summary>
public static class JournalControl
{
    public static readonly ConcurrentDictionary<string, int> Writes = new();
    public static readonly ConcurrentDictionary<string, ConcurrentQueue<object>> Committed = new();
    public static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();
    public static readonly ConcurrentDictionary<string, IActorRef> WriteStartedListeners = new();

    public static int WritesOf(string pid) => Writes.TryGetValue(pid, out var n) ? n : 0;

    public static IReadOnlyList<object> CommittedOf(string pid) =>
        Committed.TryGetValue(pid, out var q) ? q.ToArray() : [];
}

public sealed record WriteStarted(string PersistenceId, Type PayloadType);

/// <summary>
/// The in-memory journal, plus write counting, the committed payloads and gating (a write held until released), which
/// the ordering tests need and Akka.Persistence.TestKit's interceptors do not offer. Injected failures use the TestKit's
/// interceptors instead (<see cref="PeerPersistenceFailureTests"/>).
/// </summary>
public sealed class TestJournal : MemoryJournal
{
    protected override async Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var list = messages.ToList();
        foreach (var w in list)
        {
            var pid = w.PersistenceId;
            var payloads = ((IImmutableList<IPersistentRepresentation>)w.Payload).Select(p => p.Payload).ToArray();
            if (JournalControl.WriteStartedListeners.TryGetValue(pid, out var listener))
                listener.Tell(new WriteStarted(pid, payloads[^1].GetType()));
            if (JournalControl.Gates.TryGetValue(pid, out var gate)) await gate.Task;
        }
        var result = await base.WriteMessagesAsync(list, cancellationToken);
        foreach (var w in list)
        {
            JournalControl.Writes.AddOrUpdate(w.PersistenceId, 1, (_, n) => n + 1);
            var q = JournalControl.Committed.GetOrAdd(w.PersistenceId, _ => new ConcurrentQueue<object>());
            foreach (var p in (IImmutableList<IPersistentRepresentation>)w.Payload) q.Enqueue(p.Payload);
        }
        return result;
    }
}

public static class PeerTestConfig
{
    public static Config Serializer() =>
        PeerSerializer.Registry.ToHocon(PeerSerializer.SerializerName, typeof(PeerSerializer));

    public static Config Memory() => ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.test"
        akka.persistence.journal.test {
          class = "PeerActors.Tests.Peers.TestJournal, PeerActors.Tests"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """).WithFallback(Serializer());

    public static Config Sqlite(string file)
    {
        var cs = $"Data Source={file}";
        return ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.persistence.journal.plugin = "akka.persistence.journal.sql"
            akka.persistence.journal.sql {
              connection-string = "{{cs}}"
              provider-name = "SQLite.MS"
              auto-initialize = on
            }
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
            akka.persistence.snapshot-store.sql {
              connection-string = "{{cs}}"
              provider-name = "SQLite.MS"
              auto-initialize = on
            }
            """).WithFallback(Serializer()).WithFallback(SqlPersistence.DefaultConfiguration);
    }

    public static string TempDb() => Path.Combine(Path.GetTempPath(), $"peeractors-test-{Guid.NewGuid():N}.db");

    public static PeerActorSettings Fast(TimeSpan? flush = null) => new()
    {
        FlushInterval = flush ?? TimeSpan.FromMilliseconds(100),
        SnapshotEvery = 1000,
    };

    public static string NewPeer(string prefix = "peer") => $"{prefix}-{Guid.NewGuid():N}";
}

/// <summary>Captures publications in a list (thread-safe) and forwards them to an optional probe.</summary>
public sealed class CapturingPublisher(IActorRef? probe = null) : IScoreInputsPublisher
{
    public ConcurrentQueue<PeerScoreInputs> Published { get; } = new();

    public void Publish(PeerScoreInputs inputs)
    {
        Published.Enqueue(inputs);
        probe?.Tell(inputs);
    }
}
