using PeerActors.Node.Replay;

namespace PeerActors.Node.Tests.ClusterNodes;

/// <summary>
/// The delivery guarantees, with real processes: the bundled real sample replayed into a PostgreSQL cluster at
/// 3600× (about 25 s of wall time) while a node joins or dies. The replay is a cluster member with another role: a
/// shard-region proxy that hosts nothing, sending through the reliable-delivery producer.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterReplayTests(PostgresServer postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private static string Sample => Path.Combine(AppContext.BaseDirectory, "data", "p2p-live-streaming", "sample.csv");

    private static long ExpectedIngress()
    {
        var read = SessionSource.ReadAsync([Sample], strict: true, CancellationToken.None).GetAwaiter().GetResult();
        return (long)ReplayPlanner.Plan(read.Records).Totals.TotalIngressBytes;
    }

    private Task<ProcessResult> StartReplay(NodeCluster cluster, string reportJson, string speed = "3600")
    {
        var dataDir = Directory.CreateTempSubdirectory("peeractors-replay-").FullName;
        var args = new List<string> { NodeProcess.NodeAssembly, "replay", Sample, "--config", "cluster", "--speed", speed,
            "--connection-string", cluster.ConnectionString, "--data-dir", dataDir, "--report-json", reportJson };
        foreach (var s in cluster.Seeds) args.AddRange(["--seed", s]);
        return ProcessRunner.RunAsync(ProcessRunner.DotnetHost(), args, Timeout, dataDir);
    }

    /// <summary>Bounded poll until the journal holds at least <paramref name="rows"/> peer events (the replay is under way).</summary>
    private async Task WaitForJournalRowsAsync(string db, long rows)
    {
        await Poll.UntilAsync(async () =>
        {
            var n = await postgres.ScalarAsync(db, "SELECT count(*) FROM journal WHERE persistence_id LIKE 'peer-%'");
            return n is long c && c >= rows;
        }, Timeout, $"{rows} journal rows", TimeSpan.FromMilliseconds(250));
    }

    /// <summary>The coordinator keeps its state in ddata: no coordinator writer at all in the journal (a second
    /// coordinator started by the replay member used to interleave its writes with node 1's).</summary>
    private async Task AssertNoCoordinatorInJournalAsync(string db)
    {
        var n = await postgres.ScalarAsync(db, "SELECT count(DISTINCT persistence_id) FROM journal WHERE persistence_id LIKE '/system/sharding/%'");
        Assert.Equal(0L, n);
    }

    private void Report(string name, ProcessResult replay, NodeCluster cluster, string reportJson, long expected, TimeSpan took)
    {
        output.WriteLine($"{name}: replay exit {replay.ExitCode} after {took.TotalSeconds:F1} s");
        output.WriteLine(ProcessRunner.Tail(replay.Combined.Split('\n'), 25));
        var drops = cluster.AllLines.Count(l => l.Contains("buffered messages to shard", StringComparison.Ordinal) && l.Contains("Dropping", StringComparison.Ordinal));
        var newerWriter = cluster.AllLines.Count(l => l.Contains("newer writer", StringComparison.Ordinal) || l.Contains("duplicate key", StringComparison.Ordinal));
        output.WriteLine($"{name}: hand-off drop warnings in node logs {drops} (each recovered by a resend), coordinator writer conflicts {newerWriter}");
        Assert.Equal(0, newerWriter);
        Assert.True(replay.ExitCode == 0, replay.Combined);
        using var report = JsonDocument.Parse(File.ReadAllText(reportJson));
        var ingress = report.RootElement.GetProperty("ingressBytesTotal").GetInt64();
        output.WriteLine($"{name}: ingress applied {ingress:N0}, expected {expected:N0}, lost {expected - ingress:N0}");
        Assert.Equal(expected, ingress);
    }

    [Fact]
    public async Task A_node_joining_under_load_loses_nothing_and_the_replay_member_hosts_no_shards()
    {
        var db = "replay_join";
        var cs = await postgres.CreateDatabaseAsync(db);
        await using var cluster = await NodeCluster.StartAsync(output, cs, count: 2);
        var expected = ExpectedIngress();
        var reportJson = Path.Combine(Path.GetTempPath(), $"replay-join-{Guid.NewGuid():N}.json");
        var sw = Stopwatch.StartNew();
        var replay = StartReplay(cluster, reportJson);

        await WaitForJournalRowsAsync(db, 200);
        var third = await cluster.AddNodeAsync("node3");
        output.WriteLine($"join: node3 started after {sw.Elapsed.TotalSeconds:F1} s of replay; joined");
        var result = await replay;
        Assert.False(replay.IsFaulted);
        await AssertNoCoordinatorInJournalAsync(db);
        Report("join", result, cluster, reportJson, expected, sw.Elapsed);
        Assert.False(third.HasExited);
    }

    [Fact]
    public async Task A_node_killed_mid_replay_loses_nothing_and_the_replay_finishes()
    {
        var db = "replay_kill";
        var cs = await postgres.CreateDatabaseAsync(db);
        await using var cluster = await NodeCluster.StartAsync(output, cs, count: 3);
        var expected = ExpectedIngress();
        var reportJson = Path.Combine(Path.GetTempPath(), $"replay-kill-{Guid.NewGuid():N}.json");
        var sw = Stopwatch.StartNew();
        var replay = StartReplay(cluster, reportJson);

        await WaitForJournalRowsAsync(db, 300);
        cluster.Nodes[2].Kill();
        output.WriteLine($"kill: node3 SIGKILLed after {sw.Elapsed.TotalSeconds:F1} s of replay");
        var result = await replay;
        await AssertNoCoordinatorInJournalAsync(db);
        Report("kill", result, cluster, reportJson, expected, sw.Elapsed);
    }
}
