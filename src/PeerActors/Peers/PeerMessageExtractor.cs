using Akka.Cluster.Sharding;

namespace PeerActors.Peers;

/// <summary>
/// Sharding message extractor of the peer region: entity id = <see cref="IPeerMessage.EntityId"/> (the peer id, or the
/// session id for <see cref="RecordBytes"/> without a peer id); shard id = MurmurHash of the entity id modulo the shard
/// count (<see cref="HashCodeMessageExtractor"/>). Messages are delivered unwrapped; ShardingEnvelope and StartEntity
/// are handled by Akka.NET itself.
/// </summary>
/// <param name="maxNumberOfShards">Number of shards (≥ 1; default 100). Must be the same on every node and never change while data is stored in a remember-entities store.</param>
public sealed class PeerMessageExtractor(int maxNumberOfShards = PeerMessageExtractor.DefaultShardCount)
    : HashCodeMessageExtractor(maxNumberOfShards)
{
    /// <summary>Default number of shards: 100 (≈ 10 × the largest planned node count).</summary>
    public const int DefaultShardCount = 100;

    /// <inheritdoc />
    public override string EntityId(object message) => message is IPeerMessage m ? m.EntityId : null!;
}
