using System.Collections.Concurrent;
using Akka.Cluster.Sharding;
using Akka.Persistence;
using Akka.Persistence.TestKit;
using Akka.Persistence.Sql;

namespace PeerActors.Tests.Peers;

/// <summary>A write of <see cref="PersistenceId"/> reached the journal (told by <see cref="JournalRecorder"/>).</summary>
public sealed record WriteStarted(string PersistenceId, Type PayloadType);

/// <summary>
/// Write interceptor of Akka.Persistence.TestKit's <see cref="TestJournal"/> for the ordering tests: records the
/// payloads each persistence id wrote, tells a listener when a write of an id starts, and holds an id's writes until
/// released. One per actor system (installed by <see cref="PeerActorTestKit"/>), so tests share no static state.
/// Injected failures use the TestKit's own behaviours instead (<see cref="PeerPersistenceFailureTests"/>).
/// </summary>
public sealed class JournalRecorder : IJournalInterceptor
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<object>> _written = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _holds = new();
    private readonly ConcurrentDictionary<string, IActorRef> _listeners = new();

    /// <summary>Installs a new recorder as the write interceptor of <paramref name="system"/>'s default journal.</summary>
    public static JournalRecorder InstallOn(ActorSystem system)
    {
        var recorder = new JournalRecorder();
        TestJournal.FromRef(Persistence.Instance.Apply(system).JournalFor(null)).OnWrite
            .SetInterceptorAsync(recorder).GetAwaiter().GetResult();
        return recorder;
    }

    /// <inheritdoc />
    public async Task InterceptAsync(IPersistentRepresentation message)
    {
        var pid = message.PersistenceId;
        if (_listeners.TryGetValue(pid, out var listener)) listener.Tell(new WriteStarted(pid, message.Payload.GetType()));
        if (_holds.TryGetValue(pid, out var hold)) await hold.Task;
        _written.GetOrAdd(pid, _ => new ConcurrentQueue<object>()).Enqueue(message.Payload);
    }

    /// <summary>The payloads <paramref name="pid"/> wrote, in order (events, not atomic writes).</summary>
    public IReadOnlyList<object> WrittenBy(string pid) => _written.TryGetValue(pid, out var q) ? q.ToArray() : [];

    /// <summary>Holds every write of <paramref name="pid"/> until <see cref="Release"/>.</summary>
    public void Hold(string pid) => _holds[pid] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets the held writes of <paramref name="pid"/> (and later ones) through.</summary>
    public void Release(string pid)
    {
        if (_holds.TryRemove(pid, out var hold)) hold.SetResult();
    }

    /// <summary>Tells <paramref name="listener"/> a <see cref="WriteStarted"/> for each write of <paramref name="pid"/>.</summary>
    public void NotifyWrites(string pid, IActorRef listener) => _listeners[pid] = listener;
}

public static class PeerTestConfig
{
    public static Config Serializer() =>
        PeerSerializer.Registry.ToHocon(PeerSerializer.SerializerName, typeof(PeerSerializer));

    public static Config Memory() => ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.test"
        akka.persistence.journal.test {
          class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """).WithFallback(Serializer());

    /// <summary><see cref="Memory"/> with Akka.Persistence.TestKit's snapshot store in place of the in-memory one, so a test can make its operations fail (<see cref="Snapshots"/>).</summary>
    public static Config MemoryWithTestSnapshotStore() => ConfigurationFactory.ParseString("""
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.test"
        akka.persistence.snapshot-store.test {
          class = "Akka.Persistence.TestKit.TestSnapshotStore, Akka.Persistence.TestKit"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """).WithFallback(Memory());

    /// <summary>The default snapshot store of <paramref name="system"/>, configured by <see cref="MemoryWithTestSnapshotStore"/>.</summary>
    public static ITestSnapshotStore Snapshots(ActorSystem system) =>
        TestSnapshotStore.FromRef(Persistence.Instance.Apply(system).SnapshotStoreFor(null));

    /// <summary>
    /// A single-node cluster (self-join, any free port) hosting sharding, on <see cref="Memory"/>; sharding's wall-clock
    /// passivation is off, so the tests decide when a peer stops.
    /// </summary>
    public static Config SingleNodeSharding() => ConfigurationFactory.ParseString("""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.cluster.min-nr-of-members = 1
        akka.cluster.sharding.passivate-idle-entity-after = off
        """).WithFallback(Memory()).WithFallback(ClusterSharding.DefaultConfig());

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
