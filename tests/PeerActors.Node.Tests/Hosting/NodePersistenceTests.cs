using Akka.Configuration;

namespace PeerActors.Node.Tests.Hosting;

/// <summary>
/// Akka.Persistence.Sql.Hosting produces the journal, snapshot store and query journal settings the node's
/// hand-written HOCON used to (same connection string, provider, table mapping, auto-initialize, and SQLite's
/// read-uncommitted read transactions).
/// </summary>
public sealed class NodePersistenceTests
{
    private static Config ConfigOf(NodeSettings settings)
    {
        var builder = new AkkaConfigurationBuilder(new ServiceCollection(), "peeractors");
        builder.WithNodePersistence(settings);
        return builder.Configuration.Value;
    }

    private static NodeSettings Settings(string config, string? connectionString) => NodeSettingsLoader.Load(
        new NodeOverrides { Config = config, ConnectionString = connectionString, DataDir = Path.Combine(Path.GetTempPath(), "peeractors-persistence-config") },
        new Dictionary<string, string?>(), AppContext.BaseDirectory);

    [Theory]
    [InlineData("embedded", null, "SQLite.MS", "read-uncommitted")]
    [InlineData("cluster", "Host=127.0.0.1;Database=peeractors;Username=u;Password=p", "PostgreSQL.15", "unspecified")]
    public void The_sql_plugins_get_the_node_settings(string overlay, string? connectionString, string provider, string readIsolation)
    {
        var settings = Settings(overlay, connectionString);

        var config = ConfigOf(settings);

        Assert.Equal("akka.persistence.journal.sql", config.GetString("akka.persistence.journal.plugin"));
        Assert.Equal("akka.persistence.snapshot-store.sql", config.GetString("akka.persistence.snapshot-store.plugin"));
        foreach (var path in new[] { "akka.persistence.journal.sql", "akka.persistence.snapshot-store.sql", "akka.persistence.query.journal.sql" })
        {
            Assert.Equal(settings.ConnectionString, config.GetString(path + ".connection-string"));
            Assert.Equal(provider, config.GetString(path + ".provider-name"));
            Assert.Equal("default", config.GetString(path + ".table-mapping"));
            Assert.Equal(readIsolation, config.GetString(path + ".read-isolation-level"));
        }
        Assert.True(config.GetBoolean("akka.persistence.journal.sql.auto-initialize"));
        Assert.True(config.GetBoolean("akka.persistence.snapshot-store.sql.auto-initialize"));
    }
}
