using Akka.Actor;
using PeerActors.Peers;

namespace PeerActors.Node.Replay;

/// <summary><see cref="IReplayPeers"/> over the peer shard region (or proxy): Tell without sender, Ask with a timeout.</summary>
public sealed class ShardRegionReplayPeers : IReplayPeers
{
    private readonly IActorRef _region;
    private readonly TimeSpan _askTimeout;

    /// <summary>Creates the target.</summary>
    /// <param name="region">The peer shard region.</param>
    /// <param name="askTimeout">Timeout of every Ask (default 60 s: a barrier may wait behind a long mailbox).</param>
    public ShardRegionReplayPeers(IActorRef region, TimeSpan? askTimeout = null)
    {
        _region = region ?? throw new ArgumentNullException(nameof(region));
        _askTimeout = askTimeout ?? TimeSpan.FromSeconds(60);
    }

    /// <inheritdoc/>
    public void Tell(IPeerMessage message) => _region.Tell(message, ActorRefs.NoSender);

    /// <inheritdoc/>
    public Task<object> AskAsync(IPeerMessage message, CancellationToken ct) => _region.Ask<object>(message, _askTimeout, ct);
}
