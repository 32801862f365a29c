using Akka.Persistence;
using Npgsql;

namespace PeerActors.Node.Hosting;

/// <summary>
/// Serializes the creation of the journal and snapshot tables across nodes that start at once on an empty PostgreSQL
/// database. Akka.Persistence.Sql creates its tables when its plugins start (<c>auto-initialize</c>) with
/// <c>CREATE TABLE IF NOT EXISTS</c>, which PostgreSQL does not make safe against a concurrent creation (one of the
/// racers fails with <c>23505 duplicate key … pg_type_typname_nsp_index</c> and its journal stops for good). Each node
/// takes a session-level advisory lock (<see cref="LockKey"/>) before its ActorSystem starts and releases it once a probe
/// recovery has gone through both plugins, i.e. once their tables exist; the next node then finds them.
/// </summary>
/// <remarks>A node that cannot take the lock within <see cref="WaitTimeout"/> fails to start naming
/// <c>peeractors.persistence.connection-string</c>. SQLite needs no lock: its database belongs to one process.</remarks>
internal sealed class SchemaCreationLock(NodeSettings settings, ILogger<SchemaCreationLock> log) : IHostedService, IDisposable
{
    /// <summary>The advisory lock key (an arbitrary constant: "peeractors schema").</summary>
    public const long LockKey = 0x7065657273636800;

    /// <summary>How long a node waits for another node's table creation.</summary>
    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(120);

    private NpgsqlConnection? _connection;

    /// <summary>Takes the lock (PostgreSQL only).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.PersistenceProvider != PersistenceProvider.PostgreSql) return;
        try
        {
            _connection = new NpgsqlConnection(settings.ConnectionString);
            await _connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", _connection);
            command.Parameters.AddWithValue("key", LockKey);
            command.CommandTimeout = (int)WaitTimeout.TotalSeconds;
            await command.ExecuteNonQueryAsync(cancellationToken);
            log.LogDebug("schema creation lock taken");
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException or InvalidOperationException or TimeoutException)
        {
            Release();
            throw new NodeConfigurationException("peeractors.persistence.connection-string",
                $"cannot prepare the PostgreSQL schema: {e.Message}");
        }
    }

    /// <summary>
    /// Runs a probe recovery through the journal and the snapshot store (both stash everything until their tables
    /// exist), then releases the lock.
    /// </summary>
    /// <param name="system">The started ActorSystem.</param>
    public async Task ReleaseWhenTablesExistAsync(ActorSystem system)
    {
        if (_connection is null) return;
        try
        {
            var probe = system.ActorOf(Props.Create(() => new SchemaProbe()), "peeractors-schema-probe");
            await probe.Ask<SchemaProbe.Recovered>(SchemaProbe.Ask.Instance, WaitTimeout);
            system.Stop(probe);
        }
        catch (Exception e)
        {
            log.LogError(e, "the journal or snapshot store did not become ready");
        }
        finally
        {
            Release();
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Release();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => Release();

    private void Release()
    {
        var c = Interlocked.Exchange(ref _connection, null);
        c?.Dispose(); // closing the session releases its advisory locks
    }

    /// <summary>Recovers a persistence id that never has events; answers once recovery is complete.</summary>
    private sealed class SchemaProbe : ReceivePersistentActor
    {
        private bool _recovered;
        private readonly List<IActorRef> _waiting = [];

        public SchemaProbe()
        {
            Recover<RecoveryCompleted>(_ =>
            {
                _recovered = true;
                foreach (var w in _waiting) w.Tell(Recovered.Instance);
                _waiting.Clear();
            });
            Command<Ask>(_ =>
            {
                if (_recovered) Sender.Tell(Recovered.Instance);
                else _waiting.Add(Sender);
            });
        }

        public override string PersistenceId => "peeractors-schema-probe";

        public sealed class Ask
        {
            public static readonly Ask Instance = new();
        }

        public sealed class Recovered
        {
            public static readonly Recovered Instance = new();
        }
    }
}
