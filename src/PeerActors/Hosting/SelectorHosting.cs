using PeerActors.Serialization;

namespace PeerActors.Hosting;

/// <summary>
/// ActorRegistry key of the node's selector actor registered by
/// <see cref="SelectorHostingExtensions.WithPeerActorsSelector"/>: resolve it with
/// <c>IRequiredActor&lt;SelectorKey&gt;</c>, <c>ActorRegistry.For(system).Get&lt;SelectorKey&gt;()</c> or
/// <see cref="SelectorClient.For"/>.
/// </summary>
public sealed class SelectorKey
{
    private SelectorKey()
    {
    }
}

/// <summary>Akka.Hosting registration of the selector actor.</summary>
public static class SelectorHostingExtensions
{
    /// <summary>
    /// Registers the <see cref="SelectorSerializer"/> and starts one <see cref="SelectorActor"/> per node at
    /// <c>/user/{options.ActorName}</c>, registered under <see cref="SelectorKey"/>. Queries without
    /// <c>now</c> use the <see cref="TimeProvider"/> from DI (else the system clock). The journal bootstrap
    /// resolves the peer shard region through <paramref name="peerRegion"/> when it runs.
    /// </summary>
    /// <param name="builder">The Akka configuration builder.</param>
    /// <param name="options">Selector settings (validated here).</param>
    /// <param name="peerRegion">Finds the peer shard region in the registry (e.g. <c>r =&gt; r.TryGet&lt;PeerRegionKey&gt;(out var a) ? a : null</c>); null = no journal bootstrap.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="Core.Validation.InvalidInputException">An option is out of range.</exception>
    public static AkkaConfigurationBuilder WithPeerActorsSelector(this AkkaConfigurationBuilder builder, SelectorOptions options,
        Func<IReadOnlyActorRegistry, IActorRef?>? peerRegion = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        builder.WithVersionedJsonSerializer(SelectorSerializer.SerializerName, SelectorSerializer.Registry, system => new SelectorSerializer(system));
        builder.WithActors((system, registry, resolver) =>
        {
            var time = resolver.GetService<TimeProvider>() ?? TimeProvider.System;
            var selector = system.ActorOf(
                SelectorActor.Props(options, time, peerRegion is null ? null : new Func<IActorRef?>(() => peerRegion(registry))),
                options.ActorName);
            registry.Register<SelectorKey>(selector);
        });
        return builder;
    }
}
