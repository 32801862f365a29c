using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace PeerActors.Node.Health;

/// <summary>
/// The node's health checks, registered on the Akka.Hosting builder (which hands them to ASP.NET Core's
/// <see cref="HealthCheckService"/>) and served by the management endpoint:
/// <list type="bullet">
/// <item><c>GET /healthz</c> (tag <see cref="LiveTag"/>): the ActorSystem is running (Akka.Hosting's
/// <c>WithActorSystemLivenessCheck</c>). Unhealthy only when the process should be restarted.</item>
/// <item><c>GET /ready</c> (tag <see cref="ReadyTag"/>): this member is <c>Up</c> in the cluster
/// (<see cref="ClusterMemberUpCheck"/>), the journal database answers (<see cref="JournalCheck"/>) and the peer shard
/// region (or its proxy on a client node) is registered (<see cref="ShardRegionCheck"/>). A node that is joining,
/// leaving, exiting or removed is not ready.</item>
/// </list>
/// </summary>
public static class NodeHealthChecks
{
    /// <summary>Tag of the liveness checks (<c>/healthz</c>).</summary>
    public const string LiveTag = "live";

    /// <summary>Tag of the readiness checks (<c>/ready</c>).</summary>
    public const string ReadyTag = "ready";

    /// <summary>Name of the cluster membership check.</summary>
    public const string ClusterMemberUpCheck = "cluster-member-up";

    /// <summary>Name of the journal database check.</summary>
    public const string JournalCheck = "journal";

    /// <summary>Name of the shard region check.</summary>
    public const string ShardRegionCheck = "peer-shard-region";

    /// <summary>Longest a single readiness check may take (the journal query) before it counts as failed.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Registers the liveness and readiness checks of a node.</summary>
    /// <param name="akka">The Akka.Hosting builder.</param>
    /// <param name="settings">Node settings (persistence provider and connection string).</param>
    /// <returns><paramref name="akka"/>.</returns>
    public static AkkaConfigurationBuilder WithNodeHealthChecks(this AkkaConfigurationBuilder akka, NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(settings);
        akka.WithActorSystemLivenessCheck(tags: [LiveTag]);
        akka.WithHealthCheck(ClusterMemberUpCheck, (system, _, _) => Task.FromResult(CheckMemberUp(system)),
            HealthStatus.Unhealthy, [ReadyTag], CheckTimeout);
        akka.WithHealthCheck(ShardRegionCheck, (_, registry, _) => Task.FromResult(
                registry.TryGet<PeerRegionKey>(out _)
                    ? HealthCheckResult.Healthy("peer shard region registered")
                    : HealthCheckResult.Unhealthy("peer shard region not registered yet")),
            HealthStatus.Unhealthy, [ReadyTag], CheckTimeout);
        akka.WithHealthCheck(JournalCheck, (_, _, ct) => PingJournalAsync(settings, ct),
            HealthStatus.Unhealthy, [ReadyTag], CheckTimeout);
        return akka;
    }

    /// <summary>Healthy when this node's member status is <see cref="MemberStatus.Up"/>.</summary>
    public static HealthCheckResult CheckMemberUp(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (system.WhenTerminated.IsCompleted) return HealthCheckResult.Unhealthy("actor system terminated");
        var status = Cluster.Get(system).SelfMember.Status;
        return status == MemberStatus.Up
            ? HealthCheckResult.Healthy("member Up")
            : HealthCheckResult.Unhealthy($"member {status}");
    }

    /// <summary>Runs <c>SELECT 1</c> on the journal database (SQLite or PostgreSQL).</summary>
    public static async Task<HealthCheckResult> PingJournalAsync(NodeSettings settings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            await using var connection = settings.PersistenceProvider == PersistenceProvider.Sqlite
                ? (System.Data.Common.DbConnection)new SqliteConnection(settings.ConnectionString)
                : new NpgsqlConnection(settings.ConnectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"{settings.PersistenceProvider} journal database answers");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{settings.PersistenceProvider} journal database unreachable: {e.Message}");
        }
    }
}
