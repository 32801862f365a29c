using System.Data;
using Akka.Persistence.Sql.Hosting;

namespace PeerActors.Node.Hosting;

/// <summary>
/// Akka.Persistence.Sql (journal, snapshot store, query journal) for a node through Akka.Persistence.Sql.Hosting's
/// <c>WithSqlPersistence</c>: the connection string and LinqToDB provider name (<c>SQLite.MS</c> / <c>PostgreSQL.15</c>)
/// from <see cref="NodeSettings"/>, default table mapping, tables created on start (<c>auto-initialize</c>), the SQL
/// plugins as the default journal and snapshot store. Akka.Persistence.Sql.Hosting 1.5.70 (the only version served) runs
/// over Akka.Persistence.Sql 1.5.73, kept pinned in Directory.Packages.props.
/// </summary>
/// <remarks>
/// <para><b>SQLite read transactions.</b> The plugin runs every read (snapshot load, highest sequence number, event
/// replay, queries) in a transaction with <c>read-isolation-level</c>. Microsoft.Data.Sqlite starts a transaction of
/// any level but <c>ReadUncommitted</c> with <c>BEGIN IMMEDIATE</c>, i.e. it takes the database's single write lock, so
/// concurrent recoveries serialize on it and the losers retry <c>SQLITE_BUSY</c> by sleeping 150 ms: about 10 ms per
/// recovered actor and most of the time spent asleep. <c>read-uncommitted</c> makes Microsoft.Data.Sqlite start a
/// <em>deferred</em> transaction (<c>BEGIN</c>), which in WAL mode is a snapshot read that never blocks or is blocked
/// by the writer. Without a shared cache SQLite ignores <c>PRAGMA read_uncommitted</c>, so reads still see only
/// committed data. Writes keep the default level (<c>BEGIN IMMEDIATE</c>: a writer never has to upgrade a read lock).
/// PostgreSQL keeps the plugin's default (<c>unspecified</c>: the server's read committed).</para>
/// </remarks>
public static class NodePersistence
{
    /// <summary>The read isolation level of journal, snapshot store and query journal for <paramref name="provider"/>.</summary>
    public static IsolationLevel ReadIsolationLevel(PersistenceProvider provider) =>
        provider == PersistenceProvider.Sqlite ? IsolationLevel.ReadUncommitted : IsolationLevel.Unspecified;

    /// <summary>Adds the SQL journal, snapshot store and query journal of <paramref name="settings"/>.</summary>
    /// <param name="akka">The Akka.Hosting builder.</param>
    /// <param name="settings">Node settings.</param>
    /// <returns><paramref name="akka"/>.</returns>
    public static AkkaConfigurationBuilder WithNodePersistence(this AkkaConfigurationBuilder akka, NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(settings);
        var readIsolation = ReadIsolationLevel(settings.PersistenceProvider);
        // The selector's catch-up reads CurrentAllEvents from its snapshot's offset. Akka.Persistence.Sql answers offset
        // queries only up to the highest ordering its sequence actor has confirmed free of gaps; on start it assumes the
        // stored maximum after max-tries × query-delay (10 × 1 s by default: every node start would wait 10 s).
        // The sequence actor polls every query-delay for the node's whole life, and a poll past a gap it is about to give
        // up costs (orderings spanned by the batch) × (missing ranges it remembers): with 10,000-row batches over a
        // journal whose covered events were deleted (2/3 of the orderings of a replayed month missing) one poll ran for
        // minutes and held the start-up assumption behind it. 1,000-row batches bound a poll; 2 tries × 1 s make the
        // start-up wait 2 s and the expensive poll come after it.
        akka.AddHocon("""
            akka.persistence.query.journal.sql {
              refresh-interval = 200ms
              journal-sequence-retrieval {
                query-delay = 1s
                max-tries = 2
                batch-size = 1000
              }
            }
            """, HoconAddMode.Prepend);
        var dataOptions = SqlitePragmas.DataOptionsFor(settings);
        return akka.WithSqlPersistence(
            new SqlJournalOptions(isDefaultPlugin: true)
            {
                ConnectionString = settings.ConnectionString,
                ProviderName = settings.LinqToDbProviderName,
                DataOptions = dataOptions,
                AutoInitialize = true,
                ReadIsolationLevel = readIsolation,
            },
            new SqlSnapshotOptions(isDefaultPlugin: true)
            {
                ConnectionString = settings.ConnectionString,
                ProviderName = settings.LinqToDbProviderName,
                DataOptions = dataOptions,
                AutoInitialize = true,
                ReadIsolationLevel = readIsolation,
            });
    }
}
