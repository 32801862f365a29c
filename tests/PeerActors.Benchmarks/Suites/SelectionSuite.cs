using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using PeerActors.Benchmarks.Harness;
using PeerActors.Core.Identity;
using PeerActors.Core.Selection;
using PeerActors.Core.Stats;
using PeerActors.Selection;
using PeerActors.Serialization;

namespace PeerActors.Benchmarks.Suites;

/// <summary>
/// <c>selection</c>: top-10 selection through the selector actor (Ask) over 1,000 / 10,000 / 100,000 peers
/// against a full sort of the same population (the <see cref="PeerSelector"/> reference) in the same run;
/// extra lines for other strategies at the largest n; and the staleness of the selectors of a 3-node
/// in-process cluster (publication on one node → applied by every node's selector).
/// </summary>
public sealed class SelectionSuite : IBenchmarkSuite
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public string Name => "selection";

    /// <inheritdoc />
    public string Description => "top-10 selection via the selector actor vs full sort (1k/10k/100k peers); 3-node staleness";

    /// <inheritdoc />
    public async Task RunAsync(BenchmarkOptions options, ResultReporter report)
    {
        var sizes = new[] { 1_000, 10_000, 100_000 };
        using (var system = ActorSystem.Create("selection-bench", "akka.loglevel = WARNING"))
        {
            foreach (var n in sizes)
                await RunSize(system, n, options.Quick, report, extraStrategies: n == sizes[^1]);
        }
        await RunStaleness(options.Quick, report);
    }

    internal static PeerStatsState RandomPeer(Random r, int i)
    {
        var req = (ulong)r.Next(0, 5000);
        var succ = req == 0 ? 0 : (ulong)r.NextInt64(0, (long)req + 1);
        var st = new PeerStatsState
        {
            PeerId = PeerId.Parse($"12D3KooW{i:D8}{r.Next():x8}"),
            ConnectedAt = T0.AddSeconds(-r.Next(60, 86_400)),
            RequestsSent = req, Successes = succ, Timeouts = (req - succ) / 2, Failures = (req - succ) / 3,
            SrttMs = r.Next(10) == 0 ? 0 : r.Next(10, 800), RttvarMs = r.Next(1, 100), RtoMs = 1000,
            BackoffLevel = r.Next(20) == 0 ? 2 : 0,
            BackedOffUntil = r.Next(20) == 0 ? T0.AddSeconds(r.Next(1, 600)) : null,
            LastSuccess = succ > 0 ? T0.AddSeconds(-r.Next(0, 3600)) : null,
            BytesSent = req * 200, BytesReceived = succ * (ulong)r.Next(100, 4000),
            PaidSat = r.Next(50) == 0 ? (ulong)r.Next(1, 10_000) : 0,
            PaymentReceipts = (ulong)r.Next(0, 3), PaymentDefaults = r.Next(100) == 0 ? 1UL : 0,
        };
        if (succ == 0) return st;
        // Throughput estimator sums (issue #14): 0.3–30 weighted samples of 20–2,000 bytes/ms.
        var weight = r.Next(1, 100) * 0.3;
        return st with { ThroughputWeight = weight, ThroughputRateSum = weight * r.Next(20, 2000), ThroughputAt = T0 };
    }

    private static async Task RunSize(ActorSystem system, int n, bool quick, ResultReporter report, bool extraStrategies)
    {
        var r = new Random(n);
        var peers = Enumerable.Range(0, n).Select(i => RandomPeer(r, i)).ToList();
        var selector = system.ActorOf(SelectorActor.Props(new SelectorOptions { SyncOnStart = false }), $"selector-{n}");
        var client = new SelectorClient(selector, TimeSpan.FromSeconds(60));
        foreach (var p in peers) selector.Tell(new PeerScoreInputs(p, 1, [], []));
        var summary = await client.SummaryAsync(T0);
        if (summary.PeerCount != n) throw new InvalidOperationException($"selector has {summary.PeerCount} peers, expected {n}");

        // Baseline: the reference full sort of the same population (same query, same instant).
        var sortRuns = n >= 100_000 ? (quick ? 3 : 5) : (quick ? 10 : 30);
        var sortMs = new List<double>();
        var query = SelectionQuery.Default;
        PeerSelector.Select(peers, query, T0, 0, new Random(1)); // JIT
        for (var i = 0; i < sortRuns; i++)
        {
            var sw = Stopwatch.StartNew();
            PeerSelector.Select(peers, query, T0.AddMilliseconds(i), 0, new Random(1));
            sortMs.Add(sw.Elapsed.TotalMilliseconds);
        }
        var baseline = Percentiles.Of(sortMs, 50);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var iterations = quick ? 300 : 2000;
        var lat = await Measure(client, new SelectPeers(), iterations);
        report.Latency("selection", $"top10_{n}_p99", Percentiles.Of(lat, 99), "ms", baseline, Percentiles.Of(lat, 50), Percentiles.Of(lat, 99));

        if (!extraStrategies) return;
        var few = quick ? 100 : 400;
        foreach (var (name, q) in new (string, SelectPeers)[]
                 {
                     ("weighted_w05", new SelectPeers(PaymentWeight: 0.5)),
                     ("utility", new SelectPeers(Strategy: SelectionStrategy.UtilityUcb)),
                     ("titfortat", new SelectPeers(Strategy: SelectionStrategy.TitForTat)),
                     ("latency", new SelectPeers(Strategy: SelectionStrategy.LowestLatency)),
                     ("success", new SelectPeers(Strategy: SelectionStrategy.HighestSuccessRate)),
                     ("roundrobin", new SelectPeers(Strategy: SelectionStrategy.RoundRobin)),
                     ("random", new SelectPeers(Strategy: SelectionStrategy.Random, Seed: 7)),
                     ("throughput", new SelectPeers(Strategy: SelectionStrategy.Throughput)),
                     ("throughput_w05", new SelectPeers(Strategy: SelectionStrategy.Throughput, PaymentWeight: 0.5)),
                 })
        {
            var sw = Stopwatch.StartNew();
            PeerSelector.Select(peers, q.ToQuery(), T0, 0, new Random(1));
            var sort = sw.Elapsed.TotalMilliseconds;
            var l = await Measure(client, q, few);
            report.Latency("selection", $"{name}_top10_{n}_p99", Percentiles.Of(l, 99), "ms", sort, Percentiles.Of(l, 50), Percentiles.Of(l, 99));
        }
    }

    // The query instant only moves forward (a query before the index clock takes the exact slow path).
    private static long _tick;

    private static async Task<List<double>> Measure(SelectorClient client, SelectPeers q, int iterations)
    {
        for (var i = 0; i < 200; i++) await client.SelectAsync(q with { Now = T0.AddMilliseconds(++_tick) });
        var lat = new List<double>(iterations);
        for (var i = 0; i < iterations; i++)
        {
            var query = q with { Now = T0.AddMilliseconds(++_tick) };
            var start = Stopwatch.GetTimestamp();
            var reply = await client.SelectAsync(query);
            lat.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (reply.Peers.Count == 0) throw new InvalidOperationException("empty selection");
        }
        return lat;
    }

    // ------------------------------------------------------------------ staleness

    private static Config NodeConfig() => ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.cluster.roles = [peeractors]
            akka.cluster.pub-sub.gossip-interval = 200ms
            akka.cluster.downing-provider-class = ""
            """)
        .WithFallback(SelectorSerializer.Registry.ToHocon(SelectorSerializer.SerializerName, typeof(SelectorSerializer)))
        .WithFallback(PeerSerializer.Registry.ToHocon(PeerSerializer.SerializerName, typeof(PeerSerializer)));

    /// <summary>Records when each node's selector applied each version (Stopwatch ticks).</summary>
    private sealed class AppliedRecorder : ReceiveActor
    {
        public AppliedRecorder(int node, ConcurrentDictionary<(int Node, long Version), long> seen) =>
            Receive<ScoreInputsApplied>(m => seen.TryAdd((node, m.Version), Stopwatch.GetTimestamp()));

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(ScoreInputsApplied));
    }

    /// <summary>
    /// Three ActorSystems on 127.0.0.1 form a cluster, each with a selector. Updates are published at a
    /// known instant on a rotating node (as a peer actor does at a flush) and the time until each node's
    /// selector has applied it is recorded. The flush interval (default 1 s) adds to this: a peer actor
    /// publishes at its next flush after an observation.
    /// </summary>
    private static async Task RunStaleness(bool quick, ResultReporter report)
    {
        var systems = Enumerable.Range(0, 3).Select(_ => ActorSystem.Create("staleness", NodeConfig())).ToArray();
        try
        {
            var seed = Cluster.Get(systems[0]).SelfAddress;
            foreach (var s in systems) await Cluster.Get(s).JoinAsync(seed);
            var seen = new ConcurrentDictionary<(int Node, long Version), long>();
            for (var node = 0; node < 3; node++)
            {
                var i = node;
                systems[i].ActorOf(SelectorActor.Props(new SelectorOptions { SyncOnStart = false, PublishAppliedEvents = true }), "peeractors-selector");
                systems[i].ActorOf(Props.Create(() => new AppliedRecorder(i, seen)));
            }
            var mediators = systems.Select(s => DistributedPubSub.Get(s).Mediator).ToArray();
            // One peer per publishing node: versions of a peer then come from one node, in order.
            var peersByNode = Enumerable.Range(0, 3).Select(i => RandomPeer(new Random(i), i)).ToArray();

            // Wait until every node's subscription is known everywhere (probe versions until all 3 apply one from each node).
            long version = 0;
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var probes = Enumerable.Range(0, 3).Select(i => { var v = ++version; mediators[i].Tell(new Publish(PeerScoreInputs.Topic, new PeerScoreInputs(peersByNode[i], v, [], []))); return v; }).ToArray();
                await Task.Delay(300);
                if (probes.All(v => Enumerable.Range(0, 3).All(node => seen.ContainsKey((node, v))))) break;
                if (deadline.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("pub-sub registrations did not converge");
            }

            var count = quick ? 300 : 2000;
            var published = new Dictionary<long, (int Node, long At)>();
            var start = version + 1;
            for (var k = 0; k < count; k++)
            {
                var v = ++version;
                var node = k % 3;
                var inputs = new PeerScoreInputs(peersByNode[node] with { RequestsSent = (ulong)k }, v, [], []);
                published[v] = (node, Stopwatch.GetTimestamp());
                mediators[node].Tell(new Publish(PeerScoreInputs.Topic, inputs));
                if (k % 10 == 9) await Task.Delay(5); // ≈ 2,000 updates/s cluster-wide
            }
            var wait = Stopwatch.StartNew();
            while (wait.Elapsed < TimeSpan.FromSeconds(10) && Enumerable.Range(0, 3).Any(n => !seen.ContainsKey((n, version)))) await Task.Delay(20);

            var remote = new List<double>();
            var all = new List<double>();
            var missing = 0;
            for (var v = start; v <= version; v++)
            {
                var (from, at) = published[v];
                for (var node = 0; node < 3; node++)
                {
                    if (!seen.TryGetValue((node, v), out var applied)) { missing++; continue; }
                    var ms = Stopwatch.GetElapsedTime(at, applied).TotalMilliseconds;
                    all.Add(ms);
                    if (node != from) remote.Add(ms);
                }
            }
            const double flushMs = 1000;
            report.Latency("selection", "staleness_3node_remote_p99", Percentiles.Of(remote, 99), "ms", flushMs, Percentiles.Of(remote, 50), Percentiles.Of(remote, 99));
            report.Latency("selection", "staleness_3node_all_p99", Percentiles.Of(all, 99), "ms", flushMs, Percentiles.Of(all, 50), Percentiles.Of(all, 99));
            Console.WriteLine($"staleness: {count} updates, {remote.Count} remote + {all.Count - remote.Count} local applications measured, {missing} not applied within 10 s; bound ≈ flush interval ({flushMs} ms) + p99 above");
        }
        finally
        {
            await Task.WhenAll(systems.Select(s => s.Terminate()));
        }
    }
}
