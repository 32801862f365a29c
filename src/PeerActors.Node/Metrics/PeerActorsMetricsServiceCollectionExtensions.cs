using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace PeerActors.Node.Metrics;

/// <summary>DI registration of PeerActors metrics for OpenTelemetry.</summary>
public static class PeerActorsMetricsServiceCollectionExtensions
{
    /// <summary>
    /// Registers an OpenTelemetry MeterProvider (OpenTelemetry.Extensions.Hosting) subscribed to every
    /// <c>PeerActors*</c> meter. <paramref name="configure"/> lets the host add exporters, e.g.
    /// <c>b =&gt; b.AddOtlpExporter()</c> (package OpenTelemetry.Exporter.OpenTelemetryProtocol, not referenced here).
    /// Independent of the Prometheus <c>/metrics</c> endpoint, which reads the meters directly.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Optional further configuration of the meter provider (exporters, views).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddPeerActorsOpenTelemetry(this IServiceCollection services, Action<MeterProviderBuilder>? configure = null)
    {
        services.AddOpenTelemetry().WithMetrics(builder =>
        {
            builder.AddMeter(MetricNames.MeterWildcard);
            configure?.Invoke(builder);
        });
        return services;
    }
}
