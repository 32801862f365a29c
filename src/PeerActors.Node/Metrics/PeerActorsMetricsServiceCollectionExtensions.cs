using OpenTelemetry.Metrics;

namespace PeerActors.Node.Metrics;

/// <summary>DI registration of PeerActors metrics: OpenTelemetry with its Prometheus exporter.</summary>
public static class PeerActorsMetricsServiceCollectionExtensions
{
    /// <summary>Name of the PeerActors meters' prefix ("PeerActors"); OpenTelemetry subscribes to <see cref="MeterWildcard"/>.</summary>
    public const string MeterName = "PeerActors";

    /// <summary>Wildcard that matches every PeerActors meter ("PeerActors*"), as accepted by OpenTelemetry's AddMeter.</summary>
    public const string MeterWildcard = MeterName + "*";

    /// <summary>Prefix every exported PeerActors series gets (<c>peeractors.</c>, <c>peeractors_</c> in Prometheus).</summary>
    public const string SeriesPrefix = "peeractors.";

    /// <summary>
    /// Registers an OpenTelemetry MeterProvider (OpenTelemetry.Extensions.Hosting) subscribed to every
    /// <c>PeerActors*</c> meter, renaming each instrument to <c>peeractors.{instrument}</c>, with the OpenTelemetry
    /// Prometheus exporter (served by the management endpoint at <c>/metrics</c>). Prometheus names follow the
    /// OpenTelemetry conventions: '.' and '-' become '_', the unit is appended (<c>_bytes</c>, <c>_seconds</c>),
    /// counters are typed <c>counter</c> and end in <c>_total</c>, histograms are Prometheus histograms.
    /// <paramref name="configure"/> lets the host add exporters, e.g. <c>b =&gt; b.AddOtlpExporter()</c>
    /// (package OpenTelemetry.Exporter.OpenTelemetryProtocol, not referenced here).
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Optional further configuration of the meter provider (exporters, views).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddPeerActorsOpenTelemetry(this IServiceCollection services, Action<MeterProviderBuilder>? configure = null)
    {
        services.AddOpenTelemetry().WithMetrics(builder =>
        {
            builder.AddMeter(MeterWildcard)
                .AddView(instrument => instrument.Meter.Name.StartsWith(MeterName, StringComparison.Ordinal)
                    ? new MetricStreamConfiguration { Name = SeriesPrefix + instrument.Name }
                    : null)
                .AddPrometheusExporter(o =>
                {
                    // One scrape = current values (the default 300 ms cache would hide an update made just before).
                    o.ScrapeResponseCacheDurationMilliseconds = 0;
                    o.TargetInfoEnabled = false;
                });
            configure?.Invoke(builder);
        });
        return services;
    }
}
