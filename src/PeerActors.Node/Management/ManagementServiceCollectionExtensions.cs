using Microsoft.Extensions.DependencyInjection.Extensions;
using PeerActors.Node.Management.Commands;
using PeerActors.Node.Metrics;

namespace PeerActors.Node.Management;

/// <summary>DI registration of the management endpoint and its commands.</summary>
public static class ManagementServiceCollectionExtensions
{
    /// <summary>
    /// Adds the management endpoint (Kestrel, <see cref="ManagementHostedService"/>), the built-in palettes
    /// (<c>cluster</c>, <c>cluster sharding</c>, <c>actor</c>) and, when <see cref="ManagementOptions.MetricsEnabled"/>,
    /// Prometheus <c>GET /metrics</c>. Requires an <see cref="Akka.Actor.ActorSystem"/> in the container
    /// (Akka.Hosting's <c>AddAkka</c> registers it). Resolve <see cref="ManagementEndpoint"/> for the bound port.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">Endpoint settings; validated now.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="PeerActors.Core.Validation.InvalidInputException">Bad bind address, or no token for a non-loopback bind (names <c>peeractors.management.token</c>).</exception>
    public static IServiceCollection AddPeerActorsManagement(this IServiceCollection services, ManagementOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(options);
        services.TryAddSingleton<ManagementEndpoint>();
        services.TryAddSingleton(sp => new ManagementCommandRegistry(sp.GetServices<IManagementCommand>()));
        services.AddHostedService<ManagementHostedService>();

        services.AddManagementCommand<ClusterShowCommand>();
        services.AddManagementCommand<ClusterStatusCommand>();
        services.AddManagementCommand<ClusterLeaveCommand>();
        services.AddManagementCommand<ClusterDownCommand>();
        services.AddManagementCommand<ClusterDownUnreachableCommand>();
        services.AddManagementCommand<ClusterJoinCommand>();
        services.AddManagementCommand<ShardingRegionsCommand>();
        services.AddManagementCommand<ShardingRegionStatsCommand>();
        services.AddManagementCommand<ActorHierarchyCommand>();
        return services;
    }

    /// <summary>
    /// The node's one-liner: when <c>peeractors.metrics.enabled</c>, registers OpenTelemetry for the <c>PeerActors*</c>
    /// meters (<see cref="PeerActorsMetricsServiceCollectionExtensions.AddPeerActorsOpenTelemetry"/>); when
    /// <c>peeractors.management.enabled</c>, adds the endpoint with <see cref="ManagementOptions.FromNodeSettings"/>
    /// (which serves <c>/metrics</c> when metrics are enabled).
    /// </summary>
    /// <exception cref="PeerActors.Core.Validation.InvalidInputException">See <see cref="ManagementOptions.Validate"/>.</exception>
    public static IServiceCollection AddPeerActorsManagement(this IServiceCollection services, NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MetricsEnabled) services.AddPeerActorsOpenTelemetry();
        if (settings.ManagementEnabled) services.AddPeerActorsManagement(ManagementOptions.FromNodeSettings(settings));
        return services;
    }

    /// <summary>
    /// Registers one more management command (other palettes: <c>peer</c>, <c>limits</c>, <c>selector</c>, <c>bandwidth</c>).
    /// Can be called before or after <see cref="AddPeerActorsManagement(IServiceCollection, ManagementOptions)"/>. <c>peeractl</c> reaches it as
    /// <c>peeractl &lt;palette words&gt; &lt;name&gt; [args]</c> (statically known palettes) or
    /// <c>peeractl exec &lt;palette words&gt; &lt;name&gt; --arg key=value</c> (any command).
    /// </summary>
    public static IServiceCollection AddManagementCommand<TCommand>(this IServiceCollection services)
        where TCommand : class, IManagementCommand
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IManagementCommand, TCommand>());
        return services;
    }
}
