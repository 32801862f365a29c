using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using PeerActors.Diagnostics;

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

    [Fact]
    public async Task A_counter_of_a_PeerActors_meter_is_a_prometheus_counter_with_total()
    {
        using var meter = new Meter("PeerActors.Tests.Metrics");
        var counter = meter.CreateCounter<long>("test-scrapes", description: "Scrapes counted by the test");
        counter.Add(5);
        counter.Add(2);
        using var other = new Meter("NotPeerActors.Tests");
        other.CreateCounter<long>("foreign-counter").Add(1);

        var (status, contentType, body) = await ScrapeAsync(node.OpenEndpoint);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/plain", contentType);
        var families = PrometheusExposition.Parse(body);
        var family = families["peeractors_test_scrapes_total"];
        Assert.Equal("counter", family.Type);
        Assert.Equal("Scrapes counted by the test", family.Help);
        Assert.Equal(7, Assert.Single(family.Samples).Value);
        Assert.DoesNotContain(families.Keys, k => k.Contains("foreign", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_PeerActors_series_follows_prometheus_conventions()
    {
        using var limits = new PeerActors.Limits.LimitsMetrics();
        var counters = PrometheusExposition.PeerActorsCounters();
        Assert.Contains("ingress-bytes", counters);
        Assert.Contains("journal-writes", counters);

        var (_, _, body) = await ScrapeAsync(node.OpenEndpoint);

        var families = PrometheusExposition.AssertConventions(body, counters.Where(c => !c.StartsWith("rcmgr", StringComparison.Ordinal)));
        // Unlabelled counters are there from the start (0), not only after their first use.
        Assert.Contains("peeractors_ingress_bytes_total", families.Keys);
        Assert.Contains("peeractors_journal_writes_total", families.Keys);
        Assert.Equal("gauge", families["peeractors_active_peers"].Type);
    }

    [Fact]
    public void The_convention_check_fails_on_a_counter_typed_as_gauge()
    {
        const string prometheusNetStyle = """
            # HELP peeractors_ingress_bytes Counter`1 ingress-bytes
            # TYPE peeractors_ingress_bytes gauge
            peeractors_ingress_bytes 42
            """;

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => PrometheusExposition.AssertConventions(prometheusNetStyle, ["ingress-bytes"]));
    }

    [Fact]
    public async Task Journal_write_latency_is_a_histogram_in_seconds()
    {
        PeerActorsMetrics.JournalWriteCompleted(PeerActorsMetrics.JournalWriteStarted());

        var (_, _, body) = await ScrapeAsync(node.OpenEndpoint);

        var family = PrometheusExposition.Parse(body)["peeractors_journal_write_duration_seconds"];
        Assert.Equal("histogram", family.Type);
        Assert.Contains(family.Samples, s => s.Series.EndsWith("_bucket", StringComparison.Ordinal) && s.Labels.Contains("le=\"0.001\"", StringComparison.Ordinal));
        Assert.True(family.Samples.Single(s => s.Series.EndsWith("_count", StringComparison.Ordinal)).Value >= 1);
    }

    [Fact]
    public async Task Per_peer_byte_gauges_have_no_all_zero_series()
    {
        var cell = PeerActorsMetrics.Register("peer-metrics-test");
        using var limits = new PeerActors.Limits.LimitsMetrics();
        try
        {
            // Top-K by bytes across the whole test process (other tests' peers share the static gauge): a value no
            // test peer reaches keeps this one in the top K.
            const long ingressBytes = 1L << 50;
            cell.Set(ingress: ingressBytes, egress: 0);
            limits.Blocked(new PeerActors.Limits.LimitRefused("subnet:203.0.113.0/24", PeerActors.Core.ResourceManager.ScopeClass.Subnet,
                PeerActors.Core.ResourceManager.ResourceKind.Connection, PeerActors.Core.ResourceManager.Direction.Inbound, 8, 1, 8, "test"));

            var (_, _, body) = await ScrapeAsync(node.OpenEndpoint);

            var families = PrometheusExposition.Parse(body);
            var ingress = families.Values.Single(f => f.Name.StartsWith("peeractors_ingress_bytes_by_peer", StringComparison.Ordinal));
            Assert.Equal("peeractors_ingress_bytes_by_peer_bytes", ingress.Name);
            Assert.Equal("gauge", ingress.Type);
            Assert.Equal(ingressBytes, Assert.Single(ingress.Samples, s => s.Labels.Contains("peer_id=\"peer-metrics-test\"", StringComparison.Ordinal)).Value);
            var egress = families.Values.SingleOrDefault(f => f.Name.StartsWith("peeractors_egress_bytes_by_peer", StringComparison.Ordinal));
            Assert.True(egress is null || egress.Samples.All(s => !s.Labels.Contains("peer-metrics-test", StringComparison.Ordinal)));
            var blocked = Assert.Single(families["peeractors_rcmgr_blocked_resources_total"].Samples,
                s => s.Labels.Contains("scope_class=\"Subnet\"", StringComparison.Ordinal));
            Assert.Equal("counter", families["peeractors_rcmgr_blocked_resources_total"].Type);
            Assert.Contains("direction=\"Inbound\"", blocked.Labels);
            Assert.True(blocked.Value >= 1);
        }
        finally
        {
            PeerActorsMetrics.Unregister(cell);
        }
    }

    [Fact]
    public async Task Metrics_on_loopback_need_no_token_even_when_commands_do()
    {
        var (status, _, body) = await ScrapeAsync(node.TokenEndpoint);

        Assert.Equal(HttpStatusCode.OK, status);
        PrometheusExposition.Parse(body);
    }
}
