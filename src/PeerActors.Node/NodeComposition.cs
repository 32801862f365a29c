using Microsoft.Extensions.Hosting;
using PeerActors.Node.Configuration;
using PeerActors.Hosting;
using PeerActors.Node.Hosting;

namespace PeerActors.Node;

/// <summary>
/// The one place where the node's actors and services are composed (used by <c>run</c> and any other
/// subcommand that needs a node).
/// </summary>
internal static class NodeComposition
{
    public static IHost BuildHost(NodeSettings settings)
    {
        var limits = PeerActors.Node.Limits.NodeLimitsLoader.Load(settings); // throws NodeConfigurationException naming the key
        return PeerActorsNode.Build(
            settings,
            configureActors: (akka, provider) =>
            {
                akka.WithPeerActorsLimits(limits);
                // COMPOSE: peer shard region, limit actors, selector, serializers, e.g.
                // akka.WithPeerActors(settings.ToPeerActorsOptions());
            },
            configureServices: services =>
            {
                // COMPOSE: management endpoint, metrics, e.g.
                // services.AddPeerActorsManagement(...);
            });
    }
}
