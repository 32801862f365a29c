using System.Text.Json.Nodes;
using PeerActors.Node.Health;

namespace PeerActors.Node.Tests.Hosting;

/// <summary>/healthz and /ready of a real embedded node (NodeComposition) through its start and a cluster leave.</summary>
public sealed class HealthEndpointTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("peeractors-health-").FullName;
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
    }

    private async Task<(HttpStatusCode Status, JsonObject? Body)> GetAsync(string hostAndPort, string path)
    {
        try
        {
            using var response = await _http.GetAsync($"http://{hostAndPort}{path}");
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, JsonNode.Parse(text) as JsonObject);
        }
        catch (HttpRequestException)
        {
            return (0, null); // the endpoint is gone (host stopped)
        }
    }

    /// <summary>Polls until <paramref name="until"/> holds for the answer of <paramref name="path"/>; returns that answer.</summary>
    private async Task<(HttpStatusCode Status, JsonObject? Body)> PollAsync(string hostAndPort, string path,
        Func<(HttpStatusCode Status, JsonObject? Body), bool> until)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var answer = await GetAsync(hostAndPort, path);
            if (until(answer)) return answer;
            Assert.True(DateTime.UtcNow < deadline, $"{path} never reached the expected state; last answer {(int)answer.Status} {answer.Body}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Liveness_and_readiness_follow_the_node_through_start_and_leave()
    {
        var settings = NodeSettingsLoader.Load(
            new NodeOverrides { DataDir = _dataDir, Port = 0, Endpoint = "127.0.0.1:0" },
            new Dictionary<string, string?>(), AppContext.BaseDirectory);
        using var host = NodeComposition.BuildHost(settings, logging => logging.SetMinimumLevel(LogLevel.Warning));
        await host.StartAsync();
        var endpoint = await host.Services.GetRequiredService<ManagementEndpoint>().WhenBound.WaitAsync(Deadline);
        var address = endpoint.ToString();

        var ready = await PollAsync(address, ManagementHostedService.ReadinessPath, a => a.Status == HttpStatusCode.OK);
        var checks = ready.Body!["checks"]!.AsObject();
        Assert.Equal("Healthy", ready.Body["status"]!.GetValue<string>());
        Assert.Equal(
            new[] { NodeHealthChecks.ClusterMemberUpCheck, NodeHealthChecks.JournalCheck, NodeHealthChecks.ShardRegionCheck },
            checks.Select(c => c.Key).OrderBy(k => k, StringComparer.Ordinal).ToArray());
        Assert.All(checks, c => Assert.Equal("Healthy", c.Value!["status"]!.GetValue<string>()));
        var live = await GetAsync(address, ManagementHostedService.LivenessPath);
        Assert.Equal(HttpStatusCode.OK, live.Status);

        // Leave: the member goes Leaving → Exiting → Removed; /ready turns 503 (while the endpoint still answers).
        var system = host.Services.GetRequiredService<ActorSystem>();
        var cluster = Cluster.Get(system);
        cluster.Leave(cluster.SelfAddress);
        var notReady = await PollAsync(address, ManagementHostedService.ReadinessPath, a => a.Status != HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Equal("Unhealthy", notReady.Body!["checks"]![NodeHealthChecks.ClusterMemberUpCheck]!["status"]!.GetValue<string>());
        await system.WhenTerminated.WaitAsync(Deadline);
        var afterLeave = await GetAsync(address, ManagementHostedService.LivenessPath);
        Assert.NotEqual(HttpStatusCode.OK, afterLeave.Status); // 503 (ActorSystem terminated) or the endpoint is gone
        await host.StopAsync();
    }
}
