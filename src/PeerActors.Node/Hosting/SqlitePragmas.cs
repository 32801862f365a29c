using System.Data.Common;
using LinqToDB;

namespace PeerActors.Node.Hosting;

/// <summary>
/// SQLite's per-connection settings for Akka.Persistence.Sql's journal, snapshot store and query journal: LinqToDB
/// <see cref="DataOptions"/> whose after-open action sets <c>PRAGMA synchronous</c>
/// (<c>peeractors.persistence.sqlite-synchronous</c>). <c>journal_mode = WAL</c> is stored in the database file by the
/// node at start and needs no per-connection setting.
/// </summary>
/// <remarks>
/// Why: with SQLite's default <c>FULL</c> every commit of the journal's write batches, each snapshot save and each
/// deletion fsyncs the WAL while holding the database's one write lock. During a replay that was about 430 fsyncs a
/// second and 7 s of a 30 s day in the kernel; <c>NORMAL</c> fsyncs at checkpoints only (one day: 29.5 → 26.1 s, system
/// CPU 7.6 → 3.6 s). The price of <c>NORMAL</c> in WAL mode is the durability of the last commits after a power loss
/// or an operating-system crash (not after a crash of the process), which is why a live node keeps <c>FULL</c>.
/// </remarks>
public static class SqlitePragmas
{
    /// <summary>The statement run after each connection opens, for <paramref name="synchronous"/> (never <c>Replay</c>).</summary>
    /// <param name="synchronous">The resolved mode.</param>
    /// <returns>E.g. <c>PRAGMA synchronous = NORMAL;</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="SqliteSynchronous.Replay"/> (resolve it first).</exception>
    public static string Statement(SqliteSynchronous synchronous) => synchronous switch
    {
        SqliteSynchronous.Full => "PRAGMA synchronous = FULL;",
        SqliteSynchronous.Normal => "PRAGMA synchronous = NORMAL;",
        _ => throw new ArgumentOutOfRangeException(nameof(synchronous), synchronous, "resolve 'replay' to full or normal first"),
    };

    /// <summary>
    /// LinqToDB options for <paramref name="settings"/>' SQLite database whose connections run
    /// <see cref="Statement"/> after opening; null for PostgreSQL (the plugin's own options apply).
    /// </summary>
    /// <param name="settings">Node settings; <c>replay</c> counts as <c>full</c> (the replay command resolves it).</param>
    /// <returns>The options, or null.</returns>
    public static DataOptions? DataOptionsFor(NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.PersistenceProvider != PersistenceProvider.Sqlite) return null;
        var statement = Statement(settings.SqliteSynchronous == SqliteSynchronous.Replay ? SqliteSynchronous.Full : settings.SqliteSynchronous);
        return new DataOptions()
            .UseConnectionString(settings.LinqToDbProviderName, settings.ConnectionString)
            .UseAfterConnectionOpened(connection => Run(connection, statement));
    }

    private static void Run(DbConnection connection, string statement)
    {
        using var command = connection.CreateCommand();
        command.CommandText = statement;
        command.ExecuteNonQuery();
    }
}
