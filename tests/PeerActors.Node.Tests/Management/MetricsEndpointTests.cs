using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using PeerActors.Node.Metrics;
using Xunit;

namespace PeerActors.Node.Tests.Management;

[Collection(ManagementCollection.Name)]
public sealed class MetricsEndpointTests(ManagementNodeFixture node)
{
    private static async Task<(HttpStatusCode Status, string? ContentType, string Body)> ScrapeAsync(string hostAndPort, string? token = null)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://{hostAndPort}/") };
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Parses Prometheus text: TYPE per metric name, and sample lines "name{labels} value".</summary>
    private static (Dictionary<string, string> Types, List<(string Name, string Labels, double Value)> Samples) Parse(string text)
    {
        var types = new Dictionary<string, string>();
        var samples = new List<(string, string, double)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.Equal(4, parts.Length);
                types[parts[2]] = parts[3];
                continue;
            }
            if (line.StartsWith('#')) continue;
            var brace = line.IndexOf('{');
            var space = line.LastIndexOf(' ');
            Assert.True(space > 0, $"sample line without value: {line}");
            var name = brace > 0 && brace < space ? line[..brace] : line[..space];
            var labels = brace > 0 && brace < space ? line[(brace + 1)..line.LastIndexOf('}')] : "";
            Assert.Matches("^[a-zA-Z_:][a-zA-Z0-9_:]*$", name);
            samples.Add((name, labels, double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture)));
        }
        return (types, samples);
    }

    [Fact]
    public async Task Metrics_exports_a_counter_of_a_PeerActors_meter_as_prometheus_text()
    {
        using var meter = new Meter("PeerActors.Tests.Metrics");
        var counter = meter.CreateCounter<long>("test-scrapes");
        counter.Add(5);
        counter.Add(2);
        using var other = new Meter("NotPeerActors.Tests");
        other.CreateCounter<long>("foreign-counter").Add(1);

        var (status, contentType, body) = await ScrapeAsync(node.OpenEndpoint);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/plain", contentType);
        var (types, samples) = Parse(body);
        const string name = "peeractors_tests_metrics_test_scrapes";
        // prometheus-net's meter adapter exports .NET counters as gauges (see PrometheusMeterExporter).
        Assert.Equal("gauge", types[name]);
        Assert.Equal(7, Assert.Single(samples, s => s.Name == name).Value);
        Assert.DoesNotContain(types.Keys, k => k.Contains("foreign", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Contract_instruments_are_exported_with_their_tags()
    {
        // The library's real instruments: a live peer's byte cell feeds ingress-bytes-by-peer; LimitsMetrics counts refusals.
        var cell = PeerActors.Diagnostics.PeerActorsMetrics.Register("peer-metrics-test");
        using var limits = new PeerActors.Limits.LimitsMetrics();
        try
        {
            cell.Set(ingress: 42, egress: 0);
            limits.Blocked(new PeerActors.Limits.LimitRefused("subnet:203.0.113.0/24", PeerActors.Core.ResourceManager.ScopeClass.Subnet,
                PeerActors.Core.ResourceManager.ResourceKind.Connection, PeerActors.Core.ResourceManager.Direction.Inbound, 8, 1, 8, "test"));

            var (_, _, body) = await ScrapeAsync(node.OpenEndpoint);

            var (types, samples) = Parse(body);
            var ingress = Assert.Single(samples, s => s.Name == "peeractors_ingress_bytes_by_peer"
                && s.Labels.Contains("peer_id=\"peer-metrics-test\"", StringComparison.Ordinal));
            Assert.Contains(ingress.Name, types.Keys);
            Assert.Equal(42, ingress.Value);
            var blocked = Assert.Single(samples, s => s.Name == "peeractors_rcmgr_blocked_resources"
                && s.Labels.Contains("scope_class=\"Subnet\"", StringComparison.Ordinal));
            Assert.Contains("resource=\"connection\"", blocked.Labels);
            Assert.Contains("direction=\"Inbound\"", blocked.Labels);
            Assert.True(blocked.Value >= 1);
        }
        finally
        {
            PeerActors.Diagnostics.PeerActorsMetrics.Unregister(cell);
        }
    }

    [Theory]
    [InlineData("ingress-bytes")]
    [InlineData("ingress-bytes-by-peer")]
    [InlineData("egress-bytes")]
    [InlineData("egress-bytes-by-peer")]
    [InlineData("active-peers")]
    [InlineData("ingest-events")]
    [InlineData("journal-writes")]
    [InlineData("rcmgr-allowed-resources")]
    [InlineData("rcmgr-blocked-resources")]
    [InlineData("rcmgr-usage")]
    public void Contract_instrument_exists_on_the_PeerActors_meter(string name)
    {
        using var limits = new PeerActors.Limits.LimitsMetrics();
        _ = PeerActors.Diagnostics.PeerActorsMetrics.IngressBytes; // static instruments exist once the class is touched
        var published = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == MetricNames.MeterName) lock (published) published.Add(instrument.Name);
        };
        listener.Start();

        Assert.Contains(name, published);
    }

    [Fact]
    public async Task Metrics_on_loopback_need_no_token_even_when_commands_do()
    {
        var (status, _, body) = await ScrapeAsync(node.TokenEndpoint);

        Assert.Equal(HttpStatusCode.OK, status);
        Parse(body);
    }
}
