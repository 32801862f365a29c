using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
    public static IHost BuildHost(NodeSettings settings) =>
        PeerActorsNode.Build(
            settings,
            configureActors: (akka, provider) =>
            {
                // COMPOSE: peer shard region, limit actors, selector, serializers, e.g.
                akka.WithPeerActors(provider.GetRequiredService<PeerActorsOptions>());
            },
            configureServices: services =>
            {
                // COMPOSE: management endpoint, metrics, e.g.
                services.AddPeerActorsManagement(settings);
                services.AddManagementCommand<PeerShowCommand>();
                services.AddManagementCommand<PeerForgetCommand>();
            });
}
