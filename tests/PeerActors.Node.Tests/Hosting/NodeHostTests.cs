using Akka.Persistence;

namespace PeerActors.Node.Tests.Hosting;

public sealed record NoteAdded(string Text);

public sealed class NoteSerializer(ExtendedActorSystem system) : VersionedJsonSerializer(system, Registry)
{
    public static readonly ManifestRegistry Registry = new ManifestRegistry().Register<NoteAdded>("NoteAdded", 1);

    public override int Identifier => 4991;
}

/// <summary>Test-only persistent actor: persists NoteAdded events and answers with its notes.</summary>
public sealed class NotesActor : ReceivePersistentActor
{
    public sealed record Add(string Text);
    public sealed record Get;

    private readonly List<string> _notes = new();

    public NotesActor(string persistenceId)
    {
        PersistenceId = persistenceId;
        Recover<NoteAdded>(e => _notes.Add(e.Text));
        Command<Add>(add => Persist(new NoteAdded(add.Text), e =>
        {
            _notes.Add(e.Text);
            Sender.Tell("persisted");
        }));
        Command<Get>(_ => Sender.Tell(_notes.ToArray()));
    }

    public override string PersistenceId { get; }
}

public sealed class NodeHostTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("peeractors-node-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
    }

    private NodeSettings Settings() => NodeSettingsLoader.Load(
        new NodeOverrides { DataDir = _dataDir, Port = 0, Endpoint = "127.0.0.1:0" },
        new Dictionary<string, string?>(),
        AppContext.BaseDirectory);

    /// <summary>A node host with the test-notes serializer (also used by the PostgreSQL persistence test).</summary>
    internal static IHost BuildHost(NodeSettings settings) => PeerActorsNode.Build(
        settings,
        configureActors: (akka, _) =>
            akka.WithVersionedJsonSerializer("test-notes", NoteSerializer.Registry, system => new NoteSerializer(system)),
        configureLogging: logging => logging.SetMinimumLevel(LogLevel.Warning));

    /// <summary>Starts the host and waits (bounded) until its member is Up.</summary>
    internal static async Task<ActorSystem> StartAndAwaitMemberUp(IHost host, TimeSpan? timeout = null)
    {
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var cluster = Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(timeout ?? Timeout);
        return system;
    }

    [Fact]
    public async Task Single_node_forms_a_cluster_of_one_and_registers_settings()
    {
        var settings = Settings();
        using var host = BuildHost(settings);
        var system = await StartAndAwaitMemberUp(host);
        try
        {
            var cluster = Cluster.Get(system);
            // The member-up callback can run before Cluster.State is refreshed: poll (bounded) for it.
            var deadline = DateTime.UtcNow + Timeout;
            while (cluster.State.Members.Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
            var self = Assert.Single(cluster.State.Members);
            Assert.Equal(cluster.SelfAddress, self.Address);
            Assert.Equal(MemberStatus.Up, self.Status);
            Assert.Contains(settings.Role, self.Roles);
            Assert.Equal("127.0.0.1", cluster.SelfAddress.Host);
            Assert.NotEqual(0, cluster.SelfAddress.Port); // port 0 bound a free port
            Assert.Same(settings, host.Services.GetRequiredService<NodeSettings>());
            Assert.Equal(settings.FlushInterval, host.Services.GetRequiredService<PeerActorsOptions>().FlushInterval);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Persistent_actor_recovers_its_events_from_the_sqlite_file_after_restart()
    {
        var settings = Settings();
        using (var host = BuildHost(settings))
        {
            var system = await StartAndAwaitMemberUp(host);
            var notes = system.ActorOf(Props.Create(() => new NotesActor("notes-1")));
            Assert.Equal("persisted", await notes.Ask<string>(new NotesActor.Add("first"), Timeout));
            Assert.Equal("persisted", await notes.Ask<string>(new NotesActor.Add("second"), Timeout));
            await host.StopAsync();
        }
        SqliteConnection.ClearAllPools();

        var dbFile = Path.Combine(_dataDir, "peeractors.db");
        Assert.True(File.Exists(dbFile));
        await using (var connection = new SqliteConnection($"Data Source={dbFile}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT manifest FROM journal WHERE persistence_id = 'notes-1' ORDER BY sequence_number";
            var manifests = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    manifests.Add(reader.GetString(0));
            // Written by the explicit versioned serializer, not by CLR type name.
            Assert.Equal(["NoteAdded.v1", "NoteAdded.v1"], manifests);
        }
        SqliteConnection.ClearAllPools();

        using (var host = BuildHost(Settings()))
        {
            var system = await StartAndAwaitMemberUp(host);
            var notes = system.ActorOf(Props.Create(() => new NotesActor("notes-1")));
            Assert.Equal(["first", "second"], await notes.Ask<string[]>(new NotesActor.Get(), Timeout));
            await host.StopAsync();
        }
    }
}
