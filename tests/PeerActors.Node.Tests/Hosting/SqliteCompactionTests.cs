namespace PeerActors.Node.Tests.Hosting;

public sealed class SqliteCompactionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("peeractors-vacuum-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [Fact]
    public void Vacuum_reclaims_the_room_of_deleted_rows_and_keeps_the_live_ones()
    {
        var cs = $"Data Source={Path.Combine(_dir, "peeractors.db")}";
        using (var c = new SqliteConnection(cs))
        {
            c.Open();
            Execute(c, "PRAGMA journal_mode=WAL; CREATE TABLE journal (ordering INTEGER PRIMARY KEY AUTOINCREMENT, message BLOB NOT NULL);");
            Execute(c, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) INSERT INTO journal (message) SELECT randomblob(300) FROM n;");
            // Like events covered by snapshots: most rows go, spread over every page, so no page empties.
            Execute(c, "DELETE FROM journal WHERE ordering % 4 <> 0; PRAGMA wal_checkpoint(TRUNCATE);");
        }
        SqliteConnection.ClearAllPools();

        var result = SqliteCompaction.Vacuum(cs);

        Assert.Null(result.Error);
        Assert.True(result.BytesAfter < result.BytesBefore / 2, $"{result.BytesBefore} -> {result.BytesAfter} bytes");
        using var check = new SqliteConnection(cs);
        check.Open();
        using var count = check.CreateCommand();
        count.CommandText = "SELECT COUNT(*), MIN(ordering), MAX(ordering) FROM journal";
        using var r = count.ExecuteReader();
        r.Read();
        Assert.Equal(5000, r.GetInt64(0));
        Assert.Equal(4, r.GetInt64(1));
        Assert.Equal(20000, r.GetInt64(2));
    }

    [Fact]
    public void A_vacuum_SQLite_refuses_changes_nothing_and_says_why()
    {
        var cs = $"Data Source={Path.Combine(_dir, "busy.db")};Default Timeout=1";
        using var holder = new SqliteConnection(cs);
        holder.Open();
        Execute(holder, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
        using var tx = holder.BeginTransaction(); // a writer holds the database: VACUUM cannot run
        using (var insert = holder.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO t VALUES (2);";
            insert.ExecuteNonQuery();
        }

        var result = SqliteCompaction.Vacuum(cs);

        Assert.NotNull(result.Error);
        Assert.Contains("locked", result.Error, StringComparison.OrdinalIgnoreCase);
    }
}
