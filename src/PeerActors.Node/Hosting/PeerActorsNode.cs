using Akka.Cluster.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Data.Sqlite;
using PeerActors.Node.Health;

namespace PeerActors.Node.Hosting;

/// <summary>
/// Builds the PeerActors node host: Microsoft.Extensions.Hosting + Akka.Hosting with Akka.Remote on
/// <see cref="NodeSettings.Hostname"/>:<see cref="NodeSettings.Port"/>, Akka.Cluster (self-join when
/// there are no seed nodes: a single node forms a cluster of one by itself), and Akka.Persistence.Sql
/// on SQLite or PostgreSQL (Akka.Persistence.Sql.Hosting, <see cref="NodePersistence"/>). Stopping the host runs Akka's
/// CoordinatedShutdown (leave cluster, hand off shards, let persistent actors flush).
/// </summary>
/// <remarks>
/// Composition point: <c>configureActors</c> adds actors to the ActorSystem (e.g. <c>WithPeerActors</c>),
/// <c>configureServices</c> adds services (e.g. <c>AddPeerActorsManagement</c>). Registered in DI:
/// <see cref="NodeSettings"/>, <see cref="PeerActorsOptions"/>, the <see cref="ActorSystem"/> and
/// <c>ActorRegistry</c> (Akka.Hosting).
/// </remarks>
public static class PeerActorsNode
{
    /// <summary>Builds (does not start) the node host.</summary>
    /// <param name="settings">Validated node settings.</param>
    /// <param name="configureActors">Adds actors and Akka configuration; runs inside <c>AddAkka</c> after the node's own configuration.</param>
    /// <param name="configureServices">Adds services to the host.</param>
    /// <param name="configureLogging">Configures logging; <c>null</c> = <see cref="NodeLogging"/> (stderr and
    /// <c>&lt;data-dir&gt;/peeractors.log</c>, Information).</param>
    /// <returns>The host; start it with <c>RunAsync</c> / <c>StartAsync</c>, dispose it after stopping (disposing
    /// releases the data directory's lock).</returns>
    /// <exception cref="NodeConfigurationException">The data directory cannot be created or is owned by another process
    /// (<see cref="DataDirectoryLock"/>).</exception>
    public static IHost Build(
        NodeSettings settings,
        Action<AkkaConfigurationBuilder, IServiceProvider>? configureActors = null,
        Action<IServiceCollection>? configureServices = null,
        Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // Taken first: a second process on this data directory is refused before anything else happens.
        var dataLock = DataDirectoryLock.Acquire(settings.DataDirectory);
        try
        {
            return new LockedHost(BuildUnlocked(settings, configureActors, configureServices, configureLogging), dataLock);
        }
        catch
        {
            dataLock.Dispose();
            throw;
        }
    }

    private static IHost BuildUnlocked(
        NodeSettings settings,
        Action<AkkaConfigurationBuilder, IServiceProvider>? configureActors,
        Action<IServiceCollection>? configureServices,
        Action<ILoggingBuilder>? configureLogging)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = settings.ConfigRoot,
            ApplicationName = "peeractors",
        });

        builder.Logging.ClearProviders();
        if (configureLogging is null)
            NodeLogging.Configure(builder.Logging, settings, LogLevel.Information);
        else
            configureLogging(builder.Logging);

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(settings.ToPeerActorsOptions());
        // Registered before AddAkka so that it runs before the ActorSystem starts.
        builder.Services.AddHostedService<DataDirectoryPreparation>();
        builder.Services.AddSingleton<SchemaCreationLock>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SchemaCreationLock>());
        // ASP.NET Core health checks: Akka.Hosting adds the node's checks (NodeHealthChecks); /healthz and /ready serve them.
        builder.Services.AddHealthChecks();
        builder.Services.AddAkka(settings.SystemName, (akka, provider) =>
        {
            ConfigureAkka(akka, settings);
            akka.WithNodeHealthChecks(settings);
            var schemaLock = provider.GetRequiredService<SchemaCreationLock>();
            akka.AddStartup((system, _) => schemaLock.ReleaseWhenTablesExistAsync(system));
            configureActors?.Invoke(akka, provider);
        });
        configureServices?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>
    /// Applies the node's Akka configuration to an Akka.Hosting builder: merged HOCON, persistence,
    /// remoting, clustering (with self-join when there are no seed nodes) and logging through
    /// Microsoft.Extensions.Logging.
    /// </summary>
    /// <param name="akka">The builder.</param>
    /// <param name="settings">Node settings.</param>
    /// <returns>The builder.</returns>
    public static AkkaConfigurationBuilder ConfigureAkka(AkkaConfigurationBuilder akka, NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(settings);
        akka.AddHocon(settings.Hocon, HoconAddMode.Append)
            .WithNodePersistence(settings)
            .WithRemoting(new RemoteOptions { HostName = settings.Hostname, Port = settings.Port })
            .WithClustering(new ClusterOptions
            {
                SeedNodes = settings.SeedNodes.ToArray(),
                Roles = [settings.Role],
            })
            .ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            });
        if (settings.SeedNodes.Count == 0)
        {
            akka.AddStartup((system, _) =>
            {
                var cluster = Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        }
        return akka;
    }

    /// <summary>Creates the data directory and, for SQLite, switches the database file to WAL mode.</summary>
    private sealed class DataDirectoryPreparation(NodeSettings settings, ILogger<DataDirectoryPreparation> log) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            // The data directory exists (DataDirectoryLock created it); the directory of an explicit SQLite Data Source
            // was checked by NodeSettingsLoader and is never created here.
            if (settings.PersistenceProvider == PersistenceProvider.Sqlite)
            {
                var builder = new SqliteConnectionStringBuilder(settings.ConnectionString);
                using var connection = new SqliteConnection(settings.ConnectionString);
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA journal_mode=WAL;";
                command.ExecuteNonQuery();
                log.LogInformation("SQLite journal and snapshot store: {DataSource}", builder.DataSource);
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>The node host plus the data directory lock it owns; disposing the host releases the lock.</summary>
    private sealed class LockedHost(IHost inner, DataDirectoryLock dataLock) : IHost
    {
        public IServiceProvider Services => inner.Services;

        public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken = default) => inner.StopAsync(cancellationToken);

        public void Dispose()
        {
            try
            {
                inner.Dispose();
            }
            finally
            {
                dataLock.Dispose();
            }
        }
    }
}
