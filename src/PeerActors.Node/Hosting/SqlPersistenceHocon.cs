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
        var hocon = $$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  table-mapping = default
                  auto-initialize = on
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  connection-string = {{cs}}
                  provider-name = {{provider}}
                  table-mapping = default
                  auto-initialize = on
                }
              }
              query.journal.sql {
                connection-string = {{cs}}
                provider-name = {{provider}}
                table-mapping = default
              }
            }
            """;
        return ConfigurationFactory.ParseString(hocon).WithFallback(SqlPersistence.DefaultConfiguration);
    }

    private static string Quote(string value) =>
        JsonSerializer.Serialize(value, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
