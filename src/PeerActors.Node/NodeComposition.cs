using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PeerActors.Hosting;
using PeerActors.Node.Configuration;
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
    public static IHost BuildHost(NodeSettings settings, Action<ILoggingBuilder>? configureLogging = null) =>
        PeerActorsNode.Build(
            settings,
            configureActors: (akka, provider) =>
            {
                // Peer shard region (event-sourced peer actors) and its serializer.
                akka.WithPeerActors(provider.GetRequiredService<PeerActorsOptions>());
                // COMPOSE: limit actors, selector.
            },
            configureServices: services =>
            {
                // Management endpoint (peeractl) and the Prometheus /metrics endpoint.
                services.AddPeerActorsManagement(settings);
                services.AddManagementCommand<PeerShowCommand>();
                services.AddManagementCommand<PeerForgetCommand>();
            },
            configureLogging);
}
