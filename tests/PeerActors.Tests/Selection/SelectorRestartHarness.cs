using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Sql;
using PeerActors.Peers;
using PeerActors.Selection;
using PeerActors.Serialization;

namespace PeerActors.Tests.SelectionActor;

/// <summary>Counts peer actors started by a <see cref="CountingPeerHost"/> (thread-safe).</summary>
public sealed class PeerStarts
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Add() => Interlocked.Increment(ref _count);
}

/// <summary>Asks a <see cref="CountingPeerHost"/> to stop one peer gracefully (passivation).</summary>
public sealed record StopPeer(string PeerId);

/// <summary>
/// A minimal peer "region" for one process: routes every <see cref="IPeerMessage"/> to a child <see cref="PeerActor"/>
/// per entity id (created on first message, like a shard) and counts the creations, which is what the selector restart
/// tests and the <c>selector-restart</c> benchmark need to show that no peer actor was woken.
/// </summary>
public sealed class CountingPeerHost : ReceiveActor
{
    public CountingPeerHost(PeerActorSettings settings, IScoreInputsPublisher publisher, PeerStarts starts)
    {
        Receive<IPeerMessage>(m =>
        {
            var name = Uri.EscapeDataString(m.EntityId);
            var child = Context.Child(name);
            if (child.IsNobody())
            {
                starts.Add();
                child = Context.ActorOf(PeerActor.Props(m.EntityId, settings, publisher), name);
            }
            child.Forward(m);
        });
        // Stops every awake peer gracefully (flush, then stop), like a shard hand-off.
        Receive<PeerStop>(_ =>
        {
            foreach (var c in Context.GetChildren()) c.Tell(PeerStop.Instance);
        });
        Receive<StopPeer>(m => Context.Child(Uri.EscapeDataString(m.PeerId)).Tell(PeerStop.Instance));
    }

    public static Props Props(PeerActorSettings settings, IScoreInputsPublisher publisher, PeerStarts starts) =>
        Akka.Actor.Props.Create(() => new CountingPeerHost(settings, publisher, starts));
}

/// <summary>
/// One "node" over a SQLite file: the Akka.Persistence.Sql journal, snapshot store and query journal, a selector, and a
/// <see cref="CountingPeerHost"/> whose peers publish straight to the selector. Start it again on the same file to
/// restart the node.
/// </summary>
public sealed class SelectorRestartNode : IAsyncDisposable
{
    private SelectorRestartNode(ActorSystem system, IActorRef selector, IActorRef peers, PeerStarts starts)
    {
        System = system;
        Selector = selector;
        Peers = peers;
        Starts = starts;
    }

    public ActorSystem System { get; }

    public IActorRef Selector { get; }

    /// <summary>The peer host (use as the peer region).</summary>
    public IActorRef Peers { get; }

    /// <summary>Peer actors started in this node so far.</summary>
    public PeerStarts Starts { get; }

    public SelectorClient Client(TimeSpan? timeout = null) => new(Selector, timeout ?? TimeSpan.FromSeconds(10));

    public static Config Config(string db, string logLevel = "WARNING")
    {
        var cs = $"Data Source={db}";
        return ConfigurationFactory.ParseString($$"""
            akka.loglevel = {{logLevel}}
            akka.persistence.journal.plugin = "akka.persistence.journal.sql"
            akka.persistence.journal.sql { connection-string = "{{cs}}", provider-name = "SQLite.MS", auto-initialize = on }
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
            akka.persistence.snapshot-store.sql { connection-string = "{{cs}}", provider-name = "SQLite.MS", auto-initialize = on }
            akka.persistence.query.journal.sql {
              write-plugin = "akka.persistence.journal.sql"
              connection-string = "{{cs}}"
              provider-name = "SQLite.MS"
              refresh-interval = 200ms
              journal-sequence-retrieval { query-delay = 1s, max-tries = 2, batch-size = 1000 }
            }
            """)
            .WithFallback(SelectorSerializer.Registry.ToHocon(SelectorSerializer.SerializerName, typeof(SelectorSerializer)))
            .WithFallback(PeerSerializer.Registry.ToHocon(PeerSerializer.SerializerName, typeof(PeerSerializer)))
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>Starts a node on <paramref name="db"/>; the selector gets <paramref name="options"/> (SyncOnStart off).</summary>
    public static SelectorRestartNode Start(string db, SelectorOptions options, PeerActorSettings? peerSettings = null, string logLevel = "WARNING")
    {
        var system = ActorSystem.Create("selector-restart", Config(db, logLevel));
        IActorRef? peers = null;
        var selector = system.ActorOf(SelectorActor.Props(options with { SyncOnStart = false }, null, () => peers), options.ActorName);
        var starts = new PeerStarts();
        peers = system.ActorOf(CountingPeerHost.Props(peerSettings ?? new PeerActorSettings { FlushInterval = TimeSpan.FromMilliseconds(100) },
            new ActorRefScoreInputsPublisher(selector), starts), "peers");
        return new SelectorRestartNode(system, selector, peers, starts);
    }

    public async Task<SelectorBootstrapStatus> StatusAsync() =>
        await Selector.Ask<SelectorBootstrapStatus>(GetSelectorBootstrapStatus.Instance, TimeSpan.FromSeconds(10));

    /// <summary>Waits until the selector's start-up is complete; returns the status.</summary>
    public async Task<SelectorBootstrapStatus> AwaitStartupAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var s = await StatusAsync();
            if (s.Complete) return s;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"selector start-up not complete: {s}");
            await Task.Delay(20);
        }
    }

    /// <summary>Stops the node gracefully (coordinated shutdown: the selector saves its snapshot).</summary>
    public async ValueTask DisposeAsync()
    {
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await System.WhenTerminated;
    }
}
