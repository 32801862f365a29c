using Npgsql;
using Xunit;

namespace PeerActors.Node.Tests.ClusterNodes;

/// <summary>
/// A throw-away PostgreSQL server for the multi-node tests: <c>initdb</c> into a temp directory,
/// <c>pg_ctl start</c> on a free 127.0.0.1 port (unix socket directory inside the temp directory,
/// trust authentication, fsync off), one database per test via <see cref="CreateDatabaseAsync"/>,
/// stopped (<c>-m immediate</c>) and deleted on dispose. Binaries come from PATH or
/// <c>/usr/lib/postgresql/*/bin</c>. initdb refuses to run as root, so when the tests run as root the
/// server runs as the <c>postgres</c> system user (<c>runuser -u postgres --</c>), which the Debian
/// PostgreSQL packages create.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string ServerUser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private string? _root;
    private string _initdb = "", _pgctl = "";
    private bool _started;

    public int Port { get; private set; }

    public string DataDirectory => Path.Combine(_root!, "data");

    public string LogFile => Path.Combine(_root!, "postgres.log");

    /// <summary>ADO.NET (Npgsql) connection string of <paramref name="database"/>.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=postgres;Pooling=true;Maximum Pool Size=20;Timeout=15";

    public async Task InitializeAsync()
    {
        var extra = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            : [];
        _initdb = ProcessRunner.Which("initdb", extra) ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin; install postgresql.");
        _pgctl = ProcessRunner.Which("pg_ctl", extra) ?? Path.Combine(Path.GetDirectoryName(_initdb)!, "pg_ctl");

        _root = Directory.CreateTempSubdirectory("peeractors-pg-").FullName;
        if (Environment.IsPrivilegedProcess)
        {
            var chown = await ProcessRunner.RunAsync("chown", ["-R", $"{ServerUser}:", _root], CommandTimeout);
            if (chown.ExitCode != 0)
                throw new InvalidOperationException($"running as root and cannot hand {_root} to user '{ServerUser}': {chown.Combined}");
        }

        var init = await Run(_initdb, ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"]);
        if (init.ExitCode != 0) throw new InvalidOperationException($"initdb failed ({init.ExitCode}): {init.Combined}");

        // A free port can be taken between probing and binding: retry a few times.
        for (var attempt = 0; ; attempt++)
        {
            Port = ProcessRunner.FreeLoopbackPort();
            var options = $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
                          "-c full_page_writes=off -c max_connections=300";
            var start = await Run(_pgctl, ["-D", DataDirectory, "-o", options, "-l", LogFile, "-w", "-t", "60", "start"]);
            if (start.ExitCode == 0) { _started = true; break; }
            if (attempt >= 2)
                throw new InvalidOperationException($"pg_ctl start failed ({start.ExitCode}): {start.Combined}\n{SafeRead(LogFile)}");
        }
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
        await cmd.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Runs one scalar query against <paramref name="database"/>.</summary>
    public async Task<object?> ScalarAsync(string database, string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_root is null) return;
        try
        {
            if (_started)
                await Run(_pgctl, ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"]);
        }
        finally
        {
            try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private Task<ProcessResult> Run(string file, string[] args) =>
        Environment.IsPrivilegedProcess
            ? ProcessRunner.RunAsync("runuser", ["-u", ServerUser, "--", file, .. args], CommandTimeout, _root)
            : ProcessRunner.RunAsync(file, args, CommandTimeout, _root);

    private static string SafeRead(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}

/// <summary>
/// The multi-process tests share one PostgreSQL and run alone, after every parallel collection: their nodes' failure
/// detectors (5 s heartbeat pause) must not see a machine saturated by other test collections.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL cluster";
}
