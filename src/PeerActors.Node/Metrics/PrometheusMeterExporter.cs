using Prometheus;

namespace PeerActors.Node.Metrics;

/// <summary>
/// Publishes every <see cref="System.Diagnostics.Metrics"/> instrument of meters whose name starts with
/// <see cref="MetricNames.MeterName"/> into a private prometheus-net registry (prometheus-net's
/// <see cref="MeterAdapter"/>), and writes that registry as Prometheus text (exposition format 0.0.4).
/// </summary>
/// <remarks>
/// <para>Process-wide (<see cref="Shared"/>): .NET meters are process-global, and prometheus-net's adapter keeps
/// per-instrument state in static tables that a second, later-disposed adapter would clear; one adapter per
/// process avoids both double work and that hazard. The default prometheus-net registry is not used.</para>
/// <para>Translation by prometheus-net 8.2.1: the series name is <c>{meter}_{instrument}</c> lowercased with
/// '-' and '.' turned into '_' (meter "PeerActors", instrument "ingress-bytes" → <c>peeractors_ingress_bytes</c>),
/// tags become labels, and counters, up/down counters and gauges are all exported with <c># TYPE gauge</c>
/// (prometheus-net does so because a .NET counter may be re-created and restart from zero);
/// histograms are Prometheus histograms. Series not updated for 5 minutes are dropped (MetricsExpireAfter).</para>
/// </remarks>
public sealed class PrometheusMeterExporter
{
    /// <summary>Content type of the Prometheus text exposition format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly Lazy<PrometheusMeterExporter> Instance = new(() => new PrometheusMeterExporter(), LazyThreadSafetyMode.ExecutionAndPublication);

    // Keeps the adapter (and its MeterListener) alive for the life of the process.
    private readonly IDisposable _adapter;

    private PrometheusMeterExporter()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            // MeterAdapterOptions.MetricFactory wins over Registry when set (its default is the default registry).
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(Registry),
            InstrumentFilterPredicate = instrument =>
                instrument.Meter.Name.StartsWith(MetricNames.MeterName, StringComparison.Ordinal),
        });
    }

    /// <summary>The process-wide exporter (created, and listening, on first use).</summary>
    public static PrometheusMeterExporter Shared => Instance.Value;

    /// <summary>The private registry the PeerActors instruments are published into.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Writes the current values as Prometheus text to <paramref name="destination"/>.</summary>
    public Task WriteAsync(Stream destination, CancellationToken cancellationToken) =>
        Registry.CollectAndExportAsTextAsync(destination, ExpositionFormat.PrometheusText, cancellationToken);
}
