using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using PeerActors.Peers;
using PeerActors.Serialization;

namespace PeerActors.Hosting;

/// <summary>Akka.Hosting registration of the peer actors (serializer, shard region, registry key).</summary>
public static class PeerActorsHostingExtensions
{
    /// <summary>Shard-region type name of the peer entities.</summary>
    public const string RegionName = "peer";

    /// <summary>Actor name of the reliable-delivery producer (<c>/user/peer-delivery</c>).</summary>
    public const string DeliveryActorName = "peer-delivery";

    /// <summary>
    /// Registers the <see cref="PeerSerializer"/> and the sharded peer region (entity = <see cref="PeerActor"/>,
    /// extractor <see cref="PeerMessageExtractor"/> with <see cref="PeerActorsOptions.ShardCount"/> shards, hand-off and
    /// passivation stop message <see cref="PeerStop"/>, idle passivation after
    /// <see cref="PeerActorsOptions.PassivationIdleTimeout"/>, hosted on nodes with <see cref="PeerActorsOptions.Role"/>),
    /// and puts the region in the ActorRegistry under <see cref="PeerRegionKey"/>; adds the <see cref="ClusterContract"/>
    /// (failure detector, split-brain resolver, sharding timings) as a configuration fallback; starts the reliable-delivery producer
    /// (<see cref="PeerDeliveryProducer"/>, registry key <see cref="PeerDeliveryKey"/>) over it. The coordinator keeps its
    /// state in Akka.DistributedData (<c>state-store-mode = ddata</c>: no journal rows, so a full or lost database does
    /// not stop shard allocation). Requires clustering (<c>WithClustering</c>) and a persistence journal/snapshot store.
    /// A node whose cluster roles do not include <see cref="PeerActorsOptions.Role"/> must use
    /// <see cref="WithPeerActorsProxy"/> instead.
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

        WithSerializersAndContract(builder, options);
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
                StateStoreMode = StateStoreMode.DData,
            });
        return WithDeliveryProducer(builder, options);
    }

    /// <summary>
    /// For a node or service that sends to the peer actors but hosts none (no shards, no coordinator: a cluster member
    /// without the <see cref="PeerActorsOptions.Role"/> role, e.g. the replay joining a cluster): registers the
    /// serializers, a shard-region <em>proxy</em> under <see cref="PeerRegionKey"/> and the reliable-delivery producer
    /// under <see cref="PeerDeliveryKey"/>, and adds the same <see cref="ClusterContract"/> as the peer-hosting nodes (a
    /// proxy-only member can be the cluster leader, which takes the split-brain resolver's decisions).
    /// </summary>
    /// <param name="builder">The Akka configuration builder.</param>
    /// <param name="options">Settings (validated here); <see cref="PeerActorsOptions.Role"/> names the hosting role.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="Core.Validation.InvalidInputException">When an option is out of range.</exception>
    public static AkkaConfigurationBuilder WithPeerActorsProxy(this AkkaConfigurationBuilder builder, PeerActorsOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        WithSerializersAndContract(builder, options);
        builder.WithShardRegionProxy<PeerRegionKey>(RegionName, options.Role, new PeerMessageExtractor(options.ShardCount));
        return WithDeliveryProducer(builder, options);
    }

    private static void WithSerializersAndContract(AkkaConfigurationBuilder builder, PeerActorsOptions options)
    {
        // Over Akka's reference defaults, under what the application set itself (which must then be set alike on every member).
        var current = builder.Configuration.HasValue ? builder.Configuration.Value : null;
        builder.AddHocon(ClusterContract.Over(ClusterContract.For(options.Role), current), HoconAddMode.Prepend);
        builder.WithVersionedJsonSerializer(PeerSerializer.SerializerName, PeerSerializer.Registry, system => new PeerSerializer(system));
        builder.WithCustomSerializer(DeliverySerializer.SerializerName, DeliverySerializer.Types, system => new DeliverySerializer(system));
    }

    private static AkkaConfigurationBuilder WithDeliveryProducer(AkkaConfigurationBuilder builder, PeerActorsOptions options) =>
        builder.WithActors((system, registry) =>
        {
            var producer = system.ActorOf(PeerDeliveryProducer.Props(registry.Get<PeerRegionKey>(), options.Delivery), DeliveryActorName);
            registry.Register<PeerDeliveryKey>(producer);
        });

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
            SnapshotOnStop = options.SnapshotOnPassivation,
            SnapshotOnStopMinEvents = options.SnapshotOnPassivationMinEvents,
            DeleteEventsOnSnapshot = options.DeleteEventsOnSnapshot,
            PassivationClock = options.PassivationClock,
            PassivationIdleTimeout = options.PassivationIdleTimeout,
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
