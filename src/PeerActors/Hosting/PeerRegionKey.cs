namespace PeerActors.Hosting;

/// <summary>
/// ActorRegistry key of the peer shard region (or proxy) registered by
/// <see cref="PeerActorsHostingExtensions.WithPeerActors"/>: resolve it with
/// <c>IRequiredActor&lt;PeerRegionKey&gt;</c> or <c>ActorRegistry.For(system).Get&lt;PeerRegionKey&gt;()</c>.
/// </summary>
public sealed class PeerRegionKey
{
    private PeerRegionKey()
    {
    }
}

/// <summary>
/// ActorRegistry key of the reliable-delivery producer (<see cref="Delivery.PeerDeliveryProducer"/>) registered by
/// <see cref="PeerActorsHostingExtensions.WithPeerActors"/> and <see cref="PeerActorsHostingExtensions.WithPeerActorsProxy"/>.
/// </summary>
public sealed class PeerDeliveryKey
{
    private PeerDeliveryKey()
    {
    }
}
