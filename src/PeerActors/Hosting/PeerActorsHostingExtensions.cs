using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using PeerActors.Core.Bandwidth;
using PeerActors.Diagnostics;
using PeerActors.Peers;
using PeerActors.Serialization;

namespace PeerActors.Hosting;

/// <summary>Akka.Hosting registration of the peer actors (serializer, shard region, registry key).</summary>
public static class PeerActorsHostingExtensions
{
    /// <summary>Shard-region type name of the peer entities.</summary>
    public const string RegionName = "peer";

    /// <summary>
    /// Registers the <see cref="PeerSerializer"/> and the sharded peer region (entity = <see cref="PeerActor"/>,
    /// extractor <see cref="PeerMessageExtractor"/> with <see cref="PeerActorsOptions.ShardCount"/> shards, hand-off and
    /// passivation stop message <see cref="PeerStop"/>, idle passivation after
    /// <see cref="PeerActorsOptions.PassivationIdleTimeout"/>, hosted on nodes with <see cref="PeerActorsOptions.Role"/>),
    /// and puts the region in the ActorRegistry under <see cref="PeerRegionKey"/>. Requires clustering
    /// (<c>WithClustering</c>) and a persistence journal/snapshot store.
    /// </summary>
    /// <param name="builder">The Akka configuration builder.</param>
    /// <param name="options">Settings (validated here).</param>
    /// <param name="publisher">Score-input publisher; null = DistributedPubSub (skipped gracefully without a cluster).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="Core.Validation.InvalidInputException">When an option is out of range.</exception>
    public static AkkaConfigurationBuilder WithPeerActors(this AkkaConfigurationBuilder builder, PeerActorsOptions options, IScoreInputsPublisher? publisher = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var settings = ToPeerActorSettings(options);
        PeerActorsMetrics.PeerLabelCap = options.MetricsPerPeerLabelCap;

        builder.WithVersionedJsonSerializer(PeerSerializer.SerializerName, PeerSerializer.Registry, system => new PeerSerializer(system));
        builder.WithShardRegion<PeerRegionKey>(
            RegionName,
            (system, _) =>
            {
                var pub = publisher ?? ScoreInputsPublishers.For(system);
                return entityId => PeerActor.Props(entityId, settings, pub);
            },
            new PeerMessageExtractor(options.ShardCount),
            new ShardOptions
            {
                Role = options.Role,
                RememberEntities = false,
                HandOffStopMessage = PeerStop.Instance,
                ShouldPassivateIdleEntities = true,
                PassivateIdleEntityAfter = options.PassivationIdleTimeout,
            });
        return builder;
    }

    /// <summary>Maps the node options to the settings of one peer actor.</summary>
    /// <param name="options">Options (validated here).</param>
    /// <returns>The actor settings.</returns>
    /// <exception cref="Core.Validation.InvalidInputException">When an option is out of range.</exception>
    public static PeerActorSettings ToPeerActorSettings(PeerActorsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new PeerActorSettings
        {
            FlushInterval = options.FlushInterval,
            SnapshotEvery = options.SnapshotEvery,
            JournalPluginId = options.JournalPluginId,
            SnapshotPluginId = options.SnapshotPluginId,
            AutoBan = options.AutoBan,
            BandwidthOptions = PeerActorSettings.Default.BandwidthOptions with
            {
                EpochLength = options.BandwidthEpochLength,
                MaxPeerLabels = options.MetricsPerPeerLabelCap,
            },
        }.Validate();
    }
}
