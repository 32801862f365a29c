using PeerActors.Node.Hosting;
using PeerActors.Node.Management;
using PeerActors.Node.Management.Commands;

namespace PeerActors.Node;

/// <summary>
/// The one place where the node's actors and services are composed (used by <c>run</c> and any other
/// subcommand that needs a node).
/// </summary>
internal static class NodeComposition
{
    /// <summary>Builds the node host.</summary>
    /// <param name="settings">Validated settings.</param>
    /// <param name="configureLogging">Logging; null = <see cref="NodeLogging"/> at Information.</param>
    /// <param name="batch">True for a batch command: the host does not handle SIGINT / SIGTERM (the command does).</param>
    /// <exception cref="NodeConfigurationException">A bad limits file, an unresolvable hostname, a port in use, a data
    /// directory that cannot be created or is owned by another process.</exception>
    public static IHost BuildHost(NodeSettings settings, Action<ILoggingBuilder>? configureLogging = null, bool batch = false)
    {
        var limits = PeerActors.Node.Limits.NodeLimitsLoader.Load(settings); // throws NodeConfigurationException naming the key
        NodeStartupChecks.Verify(settings); // hostname resolves, ports free: NodeConfigurationException naming the key
        return PeerActorsNode.Build(
            settings,
            configureActors: (akka, provider) =>
            {
                // Peer shard region (event-sourced peer actors) and its serializers on nodes of the sharding role; a
                // proxy (no shards, no coordinator) elsewhere. Both get the reliable-delivery producer.
                var options = provider.GetRequiredService<PeerActorsOptions>();
                if (settings.HostsPeers) akka.WithPeerActors(options);
                else akka.WithPeerActorsProxy(options);
                // Selector: fed by the peer actors over DistributedPubSub; on start it syncs from the other nodes'
                // selectors, loads its own snapshot and wakes only the peers changed since (through the peer shard
                // region); without a snapshot it wakes every peer of the journal, a few at a time.
                akka.WithPeerActorsSelector(settings.ToSelectorOptions(),
                    registry => registry.TryGet<PeerRegionKey>(out var region) ? region : null);
                // Limit actors (rcmgr scope DAG), root registered under LimitsKey.
                akka.WithPeerActorsLimits(limits);
            },
            configureServices: services =>
            {
                if (batch) services.AddSingleton<IHostLifetime, SignalFreeHostLifetime>();
                // Management endpoint (peeractl) and the Prometheus /metrics endpoint.
                services.AddPeerActorsManagement(settings);
                services.AddManagementCommand<PeerShowCommand>();
                services.AddManagementCommand<PeerForgetCommand>();
                services.AddManagementCommand<PeerBanCommand>();
                services.AddManagementCommand<PeerUnbanCommand>();
                services.AddManagementCommand<PeerBansCommand>();
                services.AddManagementCommand<SelectorSelectCommand>();
                services.AddManagementCommand<SelectorSummaryCommand>();
                services.AddManagementCommand<PeerTopCommand>();
                services.AddManagementCommand<LimitsShowCommand>();
                services.AddManagementCommand<LimitsStatCommand>();
                services.AddManagementCommand<LimitsSetCommand>();
                services.AddManagementCommand<BandwidthTopCommand>();
                services.AddManagementCommand<BandwidthExportCommand>();
            },
            configureLogging);
    }
}
