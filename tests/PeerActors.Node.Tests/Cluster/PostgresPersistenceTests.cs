using PeerActors.Node.Tests.Hosting;

namespace PeerActors.Node.Tests.ClusterNodes;

/// <summary>
/// The <c>cluster</c> overlay really works against PostgreSQL: Akka.Persistence.Sql with provider
/// PostgreSQL.15 over Npgsql, tables created on first use, events written and recovered by a new
/// ActorSystem.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresPersistenceTests(PostgresServer postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static NodeSettings Settings(string connectionString)
    {
        var port = ProcessRunner.FreeLoopbackPort();
        return NodeSettingsLoader.Load(
            new NodeOverrides
            {
                Config = "cluster",
                ConnectionString = connectionString,
                Port = port,
                Seeds = [NodeProcess.AddressOf(port)],
                Endpoint = "127.0.0.1:0",
                DataDir = Path.Combine(Path.GetTempPath(), "peeractors-pgtest"),
            },
            new Dictionary<string, string?>(),
            AppContext.BaseDirectory);
    }

    private static IHost BuildHost(NodeSettings settings) => NodeHostTests.BuildHost(settings);

    private static Task<ActorSystem> StartAndAwaitMemberUp(IHost host) => NodeHostTests.StartAndAwaitMemberUp(host, Timeout);

    [Fact]
    public async Task Cluster_overlay_persists_to_postgresql_and_a_new_node_recovers_the_events()
    {
        var cs = await postgres.CreateDatabaseAsync("persistence_overlay");
        var settings = Settings(cs);
        Assert.Equal(PersistenceProvider.PostgreSql, settings.PersistenceProvider);
        Assert.Equal("PostgreSQL.15", settings.LinqToDbProviderName);

        using (var host = BuildHost(settings))
        {
            var system = await StartAndAwaitMemberUp(host);
            var notes = system.ActorOf(Props.Create(() => new NotesActor("notes-pg")));
            foreach (var text in new[] { "alpha", "beta", "γάμμα" })
                Assert.Equal("persisted", await notes.Ask<string>(new NotesActor.Add(text), Timeout));
            await host.StopAsync();
        }

        // Tables were created by auto-initialize; the events are rows of the journal.
        var rows = Convert.ToInt64(await postgres.ScalarAsync("persistence_overlay",
            "SELECT count(*) FROM journal WHERE persistence_id = 'notes-pg'"));
        Assert.Equal(3, rows);

        using (var host = BuildHost(Settings(cs)))
        {
            var system = await StartAndAwaitMemberUp(host);
            var notes = system.ActorOf(Props.Create(() => new NotesActor("notes-pg")));
            var recovered = await notes.Ask<string[]>(new NotesActor.Get(), Timeout);
            Assert.Equal(new[] { "alpha", "beta", "γάμμα" }, recovered);
            await host.StopAsync();
        }
    }
}
