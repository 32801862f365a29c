using Prometheus;

namespace PeerActors.Node.Metrics;

/// <summary>
/// Publishes every <see cref="System.Diagnostics.Metrics"/> instrument of meters whose name starts with
/// <see cref="PeerActorsMetrics.MeterName"/> into a private prometheus-net registry (prometheus-net's
/// <see cref="MeterAdapter"/>), and writes that registry as Prometheus text (exposition format 0.0.4).
/// One instance per node; the default prometheus-net registry is not used, so several nodes in one process
/// (tests) do not share series. Instrument names are translated by prometheus-net ('-' → '_').
/// </summary>
public sealed class PrometheusMeterExporter : IDisposable
{
    /// <summary>Content type of the Prometheus text exposition format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly IDisposable _adapter;

    /// <summary>Starts listening to the PeerActors meters (instruments created later are picked up too).</summary>
    public PrometheusMeterExporter()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        _adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            InstrumentFilterPredicate = instrument =>
                instrument.Meter.Name.StartsWith(PeerActorsMetrics.MeterName, StringComparison.Ordinal),
        });
    }

    /// <summary>The private registry the PeerActors instruments are published into.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Writes the current values as Prometheus text to <paramref name="destination"/>.</summary>
    public Task WriteAsync(Stream destination, CancellationToken cancellationToken) =>
        Registry.CollectAndExportAsTextAsync(destination, ExpositionFormat.PrometheusText, cancellationToken);

    /// <summary>Stops listening to the meters.</summary>
    public void Dispose() => _adapter.Dispose();
}
