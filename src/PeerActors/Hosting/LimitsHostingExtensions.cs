using PeerActors.Limits;

namespace PeerActors.Hosting;

/// <summary>ActorRegistry key of the limit actors' root (<c>registry.Get&lt;LimitsKey&gt;()</c>).</summary>
public sealed class LimitsKey;

/// <summary>Akka.Hosting registration of the limit actors.</summary>
public static class LimitsHostingExtensions
{
    /// <summary>
    /// Starts the root limit actor (<c>/user/limits</c> by default) with <paramref name="options"/> and registers it
    /// under <see cref="LimitsKey"/>. Limits are resolved (file read, AutoScale) immediately, so bad configuration
    /// throws here. Limits are per node: a peer connected to several nodes is limited on each node separately.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="options">Limit settings.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="PeerActors.Core.Validation.InvalidInputException">Bad limits JSON, value or allowlist entry (the field names the key).</exception>
    public static AkkaConfigurationBuilder WithPeerActorsLimits(this AkkaConfigurationBuilder builder, LimitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var limits = options.ResolveLayers();
        var allowlist = options.BuildAllowlist();
        options.SubnetLimits.Validate();
        return builder.WithActors((system, registry) =>
        {
            var root = StartLimits(system, limits, allowlist, options);
            registry.Register<LimitsKey>(root);
        });
    }

    /// <summary>Starts the root limit actor directly (without Akka.Hosting); returns its reference.</summary>
    /// <param name="system">The actor system.</param>
    /// <param name="options">Limit settings.</param>
    /// <returns>The root actor.</returns>
    /// <exception cref="PeerActors.Core.Validation.InvalidInputException">Bad limits JSON, value or allowlist entry.</exception>
    public static IActorRef StartPeerActorsLimits(this ActorSystem system, LimitsOptions options)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        options.SubnetLimits.Validate();
        return StartLimits(system, options.ResolveLayers(), options.BuildAllowlist(), options);
    }

    private static IActorRef StartLimits(ActorSystem system, Core.ResourceManager.LimitLayers limits, Core.ResourceManager.Allowlist allowlist, LimitsOptions options)
    {
        var metrics = new LimitsMetrics();
        system.RegisterOnTermination(metrics.Dispose);
        return system.ActorOf(LimitsRootActor.Props(limits, allowlist, options.SubnetLimits, metrics, options.IdleSweepInterval, options.TimeProvider, options.SetFile, options.ReputationPolicy, options.HeldReleaseDelay), options.ActorName);
    }
}
