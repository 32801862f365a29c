using System.Text.Encodings.Web;
using System.Text.Json;
using Akka.Configuration;
using Akka.Persistence.Sql;
using PeerActors.Node.Configuration;

namespace PeerActors.Node.Hosting;

/// <summary>
/// HOCON for Akka.Persistence.Sql (journal, snapshot store, query journal) from <see cref="NodeSettings"/>:
/// the connection string and LinqToDB provider name (<c>SQLite.MS</c> / <c>PostgreSQL.15</c>), default
/// table mapping, tables created on start (<c>auto-initialize</c>). Akka.Persistence.Sql.Hosting is
/// not available, so the plugin is configured by HOCON with
/// <see cref="SqlPersistence.DefaultConfiguration"/> as fallback.
/// </summary>
/// <remarks>
/// <para><b>SQLite read transactions.</b> The plugin runs every read (snapshot load, highest sequence number, event
/// replay, queries) in a transaction with <c>read-isolation-level</c>. Microsoft.Data.Sqlite starts a transaction of
/// any level but <c>ReadUncommitted</c> with <c>BEGIN IMMEDIATE</c>, i.e. it takes the database's single write lock, so
/// concurrent recoveries serialize on it and the losers retry <c>SQLITE_BUSY</c> by sleeping 150 ms: about 10 ms per
/// recovered actor and most of the time spent asleep. <c>read-uncommitted</c> makes Microsoft.Data.Sqlite start a
/// <em>deferred</em> transaction (<c>BEGIN</c>), which in WAL mode is a snapshot read that never blocks or is blocked
/// by the writer. Without a shared cache SQLite ignores <c>PRAGMA read_uncommitted</c>, so reads still see only
/// committed data. Writes keep the default level (<c>BEGIN IMMEDIATE</c>: a writer never has to upgrade a read lock).</para>
/// </remarks>
public static class SqlPersistenceHocon
{
    /// <summary>The persistence HOCON for <paramref name="settings"/>, already falling back to the plugin defaults.</summary>
    /// <param name="settings">Node settings.</param>
    /// <returns>The configuration (to be prepended over hocon.conf).</returns>
    public static Config For(NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var cs = Quote(settings.ConnectionString);
        var provider = Quote(settings.LinqToDbProviderName);
        var readIsolation = settings.PersistenceProvider == PersistenceProvider.Sqlite ? "read-uncommitted" : "unspecified";
        var hocon = $$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  table-mapping = default
                  auto-initialize = on
                  read-isolation-level = {{readIsolation}}
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  table-mapping = default
                  auto-initialize = on
                  read-isolation-level = {{readIsolation}}
                }
              }
              query.journal.sql {
                connection-string = {{cs}}
                provider-name = {{provider}}
                table-mapping = default
                read-isolation-level = {{readIsolation}}
              }
            }
            """;
        return ConfigurationFactory.ParseString(hocon).WithFallback(SqlPersistence.DefaultConfiguration);
    }

    private static string Quote(string value) =>
        JsonSerializer.Serialize(value, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
