namespace PeerActors.Node.Replay;

/// <summary>The replay targets found in a running node.</summary>
/// <param name="Peers">The peer actors, or null when the node has none.</param>
/// <param name="Limits">The limit actors, or the in-process resource manager when the node has none.</param>
/// <param name="Selector">The selector actor, or the reference ranking of the final stats when the node has none.</param>
/// <param name="Missing">Why the node cannot replay (null when it can).</param>
public sealed record ReplayTargets(IReplayPeers? Peers, IReplayLimits Limits, IReplaySelector Selector, string? Missing);

/// <summary>Finds the actors of a running node (ActorRegistry keys of <c>WithPeerActors</c>, limits, selector).</summary>
public static class ReplayTargetResolver
{
    /// <summary>Resolves the targets.</summary>
    /// <param name="services">The host's services.</param>
    /// <param name="system">The node's ActorSystem.</param>
    /// <returns>The targets; <see cref="ReplayTargets.Missing"/> says what is absent.</returns>
    /// <param name="producerId">A reliable-delivery producer id of the replay's own (a resumable run); null = the node's producer.</param>
    public static ReplayTargets Resolve(IServiceProvider services, ActorSystem system, string? producerId = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(system);
        // The selector hears of score inputs at most one flush interval late: wait two before asking it.
        var settle = 2 * ((services.GetService(typeof(PeerActorsOptions)) as PeerActorsOptions)?.FlushInterval ?? TimeSpan.FromSeconds(1));
        var registry = ActorRegistry.For(system);
        IActorRef? producer = null;
        if (registry.TryGet<PeerRegionKey>(out var region))
        {
            producer = producerId is not null
                ? system.ActorOf(Delivery.PeerDeliveryProducer.Props(region,
                    (services.GetService(typeof(PeerActorsOptions)) as PeerActorsOptions)?.Delivery ?? new Delivery.DeliverySettings(), producerId))
                : registry.TryGet<PeerDeliveryKey>(out var nodeProducer) ? nodeProducer : null;
        }
        IReplayPeers? peers = region is not null ? new ShardRegionReplayPeers(region, producer, system: system) : null;
        IReplayLimits limits = registry.TryGet<LimitsKey>(out var limitsRoot)
            ? new LimitsActorReplayLimits(new LimitsClient(limitsRoot))
            : new ResourceManagerReplayLimits(ResourceManagerReplayLimits.MachineDefaults());
        IReplaySelector selector = registry.TryGet<SelectorKey>(out var selectorActor)
            ? new SelectorActorReplaySelector(new SelectorClient(selectorActor), settle,
                retention: (services.GetService(typeof(Configuration.NodeSettings)) as Configuration.NodeSettings)?.SelectorRetention)
            : new StatsReplaySelector();
        return new ReplayTargets(peers, limits, selector,
            peers is null ? "the peer actors are not composed in this node (akka.WithPeerActors)" : null);
    }
}
