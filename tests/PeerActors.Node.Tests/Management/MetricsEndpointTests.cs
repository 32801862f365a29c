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
        PeerActorsMetrics.IngressBytesByPeer.Add(42, new KeyValuePair<string, object?>(PeerActorsMetrics.Tags.PeerId, "peer-metrics-test"));
        PeerActorsMetrics.RcmgrBlockedResources.Add(1,
            new(PeerActorsMetrics.Tags.Resource, "streams"), new(PeerActorsMetrics.Tags.ScopeClass, "peer"), new(PeerActorsMetrics.Tags.Direction, "inbound-test"));

        var (_, _, body) = await ScrapeAsync(node.OpenEndpoint);

        var (types, samples) = Parse(body);
        var ingress = Assert.Single(samples, s => s.Labels.Contains("peer_id=\"peer-metrics-test\"", StringComparison.Ordinal));
        Assert.Equal("peeractors_ingress_bytes_by_peer", ingress.Name);
        Assert.Contains(ingress.Name, types.Keys);
        Assert.True(ingress.Value >= 42);
        var blocked = Assert.Single(samples, s => s.Labels.Contains("direction=\"inbound-test\"", StringComparison.Ordinal));
        Assert.Equal("peeractors_rcmgr_blocked_resources", blocked.Name);
        Assert.Contains("resource=\"streams\"", blocked.Labels);
        Assert.Contains("scope_class=\"peer\"", blocked.Labels);
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
        var instruments = new System.Diagnostics.Metrics.Instrument[]
        {
            PeerActorsMetrics.IngressBytes, PeerActorsMetrics.IngressBytesByPeer, PeerActorsMetrics.EgressBytes, PeerActorsMetrics.EgressBytesByPeer,
            PeerActorsMetrics.ActivePeers, PeerActorsMetrics.IngestEvents, PeerActorsMetrics.JournalWrites,
            PeerActorsMetrics.RcmgrAllowedResources, PeerActorsMetrics.RcmgrBlockedResources, PeerActorsMetrics.RcmgrUsage,
        };

        var instrument = Assert.Single(instruments, i => i.Name == name);

        Assert.Equal("PeerActors", instrument.Meter.Name);
    }

    [Fact]
    public async Task Metrics_on_loopback_need_no_token_even_when_commands_do()
    {
        var (status, _, body) = await ScrapeAsync(node.TokenEndpoint);

        Assert.Equal(HttpStatusCode.OK, status);
        Parse(body);
    }
}
