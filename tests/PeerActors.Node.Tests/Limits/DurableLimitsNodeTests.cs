namespace PeerActors.Node.Tests.Limits;

/// <summary><c>peeractl limits set</c> on a real node survives a restart of that node (same data directory).</summary>
public sealed class DurableLimitsNodeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("peeractors-durable-limits-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    private async Task<T> WithNodeAsync<T>(Func<Func<string[], Task<(int Code, string Out, string Err)>>, Task<T>> body)
    {
        var settings = NodeSettingsLoader.Load(new NodeOverrides { DataDir = _dataDir, Port = 0, Endpoint = "127.0.0.1:0" },
            new Dictionary<string, string?>(), AppContext.BaseDirectory);
        using var host = NodeComposition.BuildHost(settings);
        await host.StartAsync();
        try
        {
            var endpoint = (await host.Services.GetRequiredService<ManagementEndpoint>().WhenBound.WaitAsync(Timeout)).ToString();
            return await body(async args =>
            {
                var o = new StringWriter();
                var e = new StringWriter();
                var code = await PeerCtl.RunAsync(["--host", endpoint, .. args], o, e, _ => null, null);
                return (code, o.ToString(), e.ToString());
            });
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static string Error(string json) =>
        System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("error").GetString()!;

    [Fact]
    public async Task Limits_set_then_restart_then_the_value_is_still_set_and_show_says_it_came_from_set()
    {
        await WithNodeAsync(async run =>
        {
            var set = await run(["limits", "set", "peer:QmNoisy", """{"StreamsInbound": 3, "Memory": "blockAll"}"""]);
            Assert.True(set.Code == 0, set.Out + set.Err);
            var negative = await run(["--json", "limits", "set", "peer:QmNoisy", """{"StreamsInbound": -1}"""]);
            Assert.Equal(PeerCtl.ExitCodes.Usage, negative.Code); // invalid-input
            Assert.StartsWith("limit.StreamsInbound: must be a whole number ≥ 0", Error(negative.Out));
            var bogus = await run(["--json", "limits", "set", "bogus:x", """{"Conns": 1}"""]);
            Assert.StartsWith("scope: bogus:x: unknown scope kind 'bogus'", Error(bogus.Out));
            return 0;
        });
        Assert.True(File.Exists(Path.Combine(_dataDir, "limits-set.json")));

        await WithNodeAsync(async run =>
        {
            var stat = await run(["limits", "stat", "peer:QmNoisy"]);
            Assert.Contains(stat.Out.Split('\n'), l => l.Contains("streams_in") && l.TrimEnd().EndsWith(" 3"));
            Assert.Contains(stat.Out.Split('\n'), l => l.Contains("memory") && l.TrimEnd().EndsWith("blockAll"));
            var show = await run(["limits", "show"]);
            var row = show.Out.Split('\n').Single(l => l.StartsWith("Peer[QmNoisy]"));
            Assert.Contains("set:StreamsInbound,Memory", row);
            Assert.EndsWith("default", show.Out.Split('\n').Single(l => l.StartsWith("Transient")).TrimEnd());
            return 0;
        });
    }
}
