using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PeerActors.Benchmarks.Harness;
using PeerActors.Hosting;
using PeerActors.Node;
using PeerActors.Node.Commands;
using PeerActors.Node.Configuration;
using PeerActors.Peers;
using PeerActors.Selection;

namespace PeerActors.Benchmarks.Suites;

/// <summary>
/// <c>recovery</c> (issue 11, "one peer's recovery p99 ≤ 10 ms on a journal of that size"): on a replay's SQLite data
/// directory, the wall time of a <see cref="GetPeerStats"/> to a sleeping peer — its actor started through the shard
/// region, its latest snapshot and the events after it read from the journal — against the same query to that peer
/// once awake (baseline, same run). One query at a time, so each figure is one recovery's latency, not a throughput.
/// The node is the production composition (<c>run</c>'s), with the embedded defaults.
/// </summary>
/// <remarks>
/// <c>--data-dir DIR</c>: a replay's data directory (e.g. the 28 days' <c>/tmp/month</c>; it is opened by this node, so
/// no other process may use it). Without it the bundled sample is replayed into a temporary directory first.
/// <c>--peers N</c>: how many peers, drawn evenly over the journal's peers (default 1,000; 200 with <c>--quick</c>).
/// </remarks>
public sealed class RecoverySuite : IBenchmarkSuite
{
    /// <inheritdoc />
    public string Name => "recovery";

    /// <inheritdoc />
    public string Description => "one sleeping peer's recovery (query latency) on a replay's SQLite journal vs the same query once awake";

    private static string? StringArg(BenchmarkOptions o, string name)
    {
        var i = o.Args.ToList().IndexOf(name);
        return i >= 0 && i + 1 < o.Args.Count ? o.Args[i + 1] : null;
    }

    /// <inheritdoc />
    public async Task RunAsync(BenchmarkOptions options, ResultReporter report)
    {
        var n = int.TryParse(StringArg(options, "--peers"), out var p) ? p : options.Quick ? 200 : 1_000;
        var dataDir = StringArg(options, "--data-dir");
        string? temp = null;
        if (dataDir is null)
        {
            temp = Directory.CreateTempSubdirectory("peeractors-recovery-").FullName;
            dataDir = temp;
            Console.WriteLine($"replaying the bundled sample into {dataDir} ...");
            var quiet = new StringWriter();
            var code = await NodeCli.InvokeAsync(["replay", Traces.Sample(), "--data-dir", dataDir], quiet, quiet);
            if (code != 0) throw new InvalidOperationException($"the sample replay failed (exit {code}):\n{quiet}");
        }
        try
        {
            var ids = PeerIds(dataDir, n);
            var journalBytes = new FileInfo(Path.Combine(dataDir, "peeractors.db")).Length;
            Console.WriteLine($"{ids.Count:N0} peers of the journal ({journalBytes / 1e6:F0} MB) in {dataDir}");
            var (cold, warm) = await MeasureAsync(dataDir, ids);
            Console.WriteLine($"sleeping peer: p50 {Percentiles.Of(cold, 50):F2} ms, p99 {Percentiles.Of(cold, 99):F2} ms, max {cold.Max():F2} ms; awake: p50 {Percentiles.Of(warm, 50):F2} ms, p99 {Percentiles.Of(warm, 99):F2} ms");
            report.Latency(Name, "sleeping_peer_query_p99", Percentiles.Of(cold, 99), "ms", Percentiles.Of(warm, 99),
                Percentiles.Of(cold, 50), Percentiles.Of(cold, 99));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (temp is not null) Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary><paramref name="n"/> peer ids spread evenly over the journal's peers (ordered by persistence id).</summary>
    private static IReadOnlyList<string> PeerIds(string dataDir, int n)
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(dataDir, "peeractors.db")};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT DISTINCT persistence_id FROM journal WHERE persistence_id >= 'peer-' AND persistence_id < 'peer.' AND deleted = 0 ORDER BY persistence_id";
        var all = new List<string>();
        using (var r = cmd.ExecuteReader())
            while (r.Read()) all.Add(r.GetString(0)["peer-".Length..]);
        if (all.Count == 0) throw new InvalidOperationException($"no peer in the journal of {dataDir}");
        var step = Math.Max(1.0, all.Count / (double)n);
        return Enumerable.Range(0, Math.Min(n, all.Count)).Select(i => all[(int)(i * step)]).ToList();
    }

    private static async Task<(List<double> Cold, List<double> Warm)> MeasureAsync(string dataDir, IReadOnlyList<string> ids)
    {
        var settings = NodeSettingsLoader.Load(
            new NodeOverrides { DataDir = dataDir, Port = 0, Endpoint = "127.0.0.1:0" },
            new Dictionary<string, string?>(), AppContext.BaseDirectory);
        using var host = NodeComposition.BuildHost(settings, logging => logging.SetMinimumLevel(LogLevel.Warning), batch: true);
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
            await up.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var registry = host.Services.GetRequiredService<ActorRegistry>();
            var region = registry.Get<PeerRegionKey>();
            // The selector loads its snapshot (every peer's score inputs) at start; measure once that is done.
            var selector = registry.Get<SelectorKey>();
            var bootstrap = Stopwatch.StartNew();
            SelectorBootstrapStatus status;
            while (!(status = await selector.Ask<SelectorBootstrapStatus>(GetSelectorBootstrapStatus.Instance, TimeSpan.FromSeconds(30))).Complete)
            {
                if (bootstrap.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"the selector's start-up did not complete in 2 min: {status}");
                await Task.Delay(100);
            }
            Console.WriteLine($"selector start-up complete {bootstrap.Elapsed.TotalSeconds:F1} s after the member was up: {status}");
            // Warm-up: the shard region, the journal's and snapshot store's first connections and the JIT, on peers
            // outside the measured set's first queries (the last 20 ids are measured last and stay cold until then).
            foreach (var id in ids.Take(Math.Min(20, ids.Count / 10))) await AskAsync(region, id);
            var cold = new List<double>(ids.Count);
            var warm = new List<double>(ids.Count);
            foreach (var id in ids.Skip(Math.Min(20, ids.Count / 10)))
            {
                cold.Add(await AskAsync(region, id));
                warm.Add(await AskAsync(region, id));
            }
            foreach (var (ms, id) in cold.Zip(ids.Skip(Math.Min(20, ids.Count / 10))).OrderByDescending(x => x.Item1).Take(5))
                Console.WriteLine($"  slowest: {ms:F1} ms  {id}");
            return (cold, warm);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>One <see cref="GetPeerStats"/> round trip in ms; throws unless the peer answers with its stats.</summary>
    private static async Task<double> AskAsync(IActorRef region, string id)
    {
        var sw = Stopwatch.StartNew();
        var reply = await region.Ask<object>(new GetPeerStats(id), TimeSpan.FromSeconds(30));
        var ms = sw.Elapsed.TotalMilliseconds;
        if (reply is not PeerStatsReply) throw new InvalidOperationException($"peer {id}: expected its stats, got {reply}");
        return ms;
    }
}
