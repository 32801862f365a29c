using Microsoft.Extensions.Hosting;
using PeerActors.Hosting;
using PeerActors.Node.Configuration;
using PeerActors.Node.Hosting;
using PeerActors.Selection;

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
                // akka.WithPeerActors(settings.ToPeerActorsOptions());
                // Selector: sync from the other nodes' selectors on start. Journal bootstrap: turn on together with
                // WithPeerActors, passing r => r.TryGet<PeerRegionKey>(out var region) ? region : null.
                akka.WithPeerActorsSelector(new SelectorOptions { Role = settings.Role });
            },
            configureServices: services =>
            {
                // COMPOSE: management endpoint, metrics, e.g.
                // services.AddPeerActorsManagement(...);
            });
}
