using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using PeerActors.Benchmarks.Harness;
using PeerActors.Core.ResourceManager;
using PeerActors.Hosting;
using PeerActors.Limits;

namespace PeerActors.Benchmarks.Suites;

/// <summary>
/// Stream cycles (open → set protocol → set service → close) through the limit actors, against the same cycles on
/// the Core <see cref="ResourceManager"/> called directly (the baseline, single-threaded, no actors); and the same
/// cycle with the combined open (<c>OpenStream</c> with protocol and service in one request) + close, answered
/// (<c>CloseAsync</c>) or one-way (<c>CloseStream</c>). An untimed
/// counting phase then prints messages per cycle (every message a limit actor receives, client requests included, plus
/// every reply; issue 15's budget is 8) and bytes allocated per cycle (whole process, against Core's cycle).
/// </summary>
public sealed class LimitsSuite : IBenchmarkSuite
{
    /// <inheritdoc />
    public string Name => "limits";

    /// <inheritdoc />
    public string Description => "limit actors: stream cycles/s and per-cycle latency vs Core ResourceManager";

    /// <inheritdoc />
    public async Task RunAsync(BenchmarkOptions options, ResultReporter report)
    {
        var duration = TimeSpan.FromSeconds(options.Quick ? 5 : 20);
        const int peers = 64, protocols = 4, services = 2;
        // --clients N: concurrent client tasks (default 32).
        int concurrency = 32;
        var ci = options.Args.ToList().IndexOf("--clients");
        if (ci >= 0 && ci + 1 < options.Args.Count) concurrency = int.Parse(options.Args[ci + 1], System.Globalization.CultureInfo.InvariantCulture);

        // ---- baseline: Core ResourceManager, direct calls
        var rm = new ResourceManager(ConcreteLimitConfig.Infinite);
        var coreLat = new List<double>();
        long coreCycles = 0;
        var sw = Stopwatch.StartNew();
        var coreEnd = TimeSpan.FromSeconds(options.Quick ? 2 : 5);
        while (sw.Elapsed < coreEnd)
        {
            for (int i = 0; i < 1000; i++, coreCycles++)
            {
                long t0 = Stopwatch.GetTimestamp();
                var s = rm.OpenStream("peer" + (coreCycles % peers), Direction.Outbound);
                s.SetProtocol("/p/" + (coreCycles % protocols));
                s.SetService("svc" + (coreCycles % services));
                s.Done();
                if ((coreCycles & 63) == 0) coreLat.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
            }
        }

        double coreRate = coreCycles / sw.Elapsed.TotalSeconds;

        // ---- actors
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        using var system = ActorSystem.Create("limits-bench", config);
        var root = system.StartPeerActorsLimits(new LimitsOptions { Limits = ConcreteLimitConfig.Infinite });
        var client = new LimitsClient(root);
        var peerIds = Enumerable.Range(0, peers).Select(i => "peer" + i).ToArray();
        var protoIds = Enumerable.Range(0, protocols).Select(i => "/p/" + i).ToArray();
        var svcIds = Enumerable.Range(0, services).Select(i => "svc" + i).ToArray();

        async Task<int> Worker(int w, DateTime end, List<double> lat)
        {
            int n = 0;
            while (DateTime.UtcNow < end)
            {
                long t0 = Stopwatch.GetTimestamp();
                var s = (await client.OpenStreamAsync(peerIds[(w + n) % peers], Direction.Outbound)).Unwrap();
                (await client.SetProtocolAsync(s, protoIds[n % protocols])).Unwrap();
                (await client.SetServiceAsync(s, svcIds[n % services])).Unwrap();
                (await client.CloseAsync(s.Ref)).Unwrap();
                if ((n & 15) == 0) lat.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
                n++;
            }

            return n;
        }

        // warm-up
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Worker(w, DateTime.UtcNow.AddSeconds(1), new List<double>())));

        var lats = Enumerable.Range(0, concurrency).Select(_ => new List<double>()).ToArray();
        sw.Restart();
        var end = DateTime.UtcNow + duration;
        var counts = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => Worker(w, end, lats[w]))));
        double actorRate = counts.Sum() / sw.Elapsed.TotalSeconds;

        // single-client latency (no queueing behind other clients)
        var single = new List<double>();
        var singleSw = Stopwatch.StartNew();
        var singleCycles = await Worker(0, DateTime.UtcNow.AddSeconds(options.Quick ? 1 : 3), single);
        Console.WriteLine($"# single client: {singleCycles / singleSw.Elapsed.TotalSeconds:0} cycles/s");
        var all = single;

        // The same cycle with the combined open (OpenStream with protocol + service: one request, one chain) + close;
        // oneWay: the close is CloseStream (no answer, rcmgr's Done()) instead of CloseAsync.
        async Task<int> CombinedWorker(int w, DateTime until, bool oneWay)
        {
            int n = 0;
            while (DateTime.UtcNow < until)
            {
                var s = (await client.OpenStreamAsync(peerIds[(w + n) % peers], Direction.Outbound, protoIds[n % protocols], svcIds[n % services])).Unwrap();
                if (oneWay) client.CloseStream(s);
                else (await client.CloseAsync(s.Ref)).Unwrap();
                n++;
            }

            return n;
        }

        async Task<double> CombinedRate(bool oneWay)
        {
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => CombinedWorker(w, DateTime.UtcNow.AddSeconds(1), oneWay)));
            var combinedSw = Stopwatch.StartNew();
            var combinedEnd = DateTime.UtcNow + duration;
            var combinedCounts = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => CombinedWorker(w, combinedEnd, oneWay))));
            return combinedCounts.Sum() / combinedSw.Elapsed.TotalSeconds;
        }

        double combinedRate = await CombinedRate(oneWay: false);
        double oneWayRate = await CombinedRate(oneWay: true);

        // ---- counting phase (untimed): messages and allocated bytes per cycle, all clients at once.
        const int countedPerWorker = 300;
        async Task<(double Messages, double Requests, double Bytes)> Count(bool combined, bool oneWay = false)
        {
            LimitsDiagnostics.Reset();
            LimitsDiagnostics.Enabled = true;
            long bytes0 = GC.GetTotalAllocatedBytes(precise: true);
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
            {
                for (int i = 0; i < countedPerWorker; i++) await OneCycle(combined, oneWay, w + i);
            })));
            // One-way closes (and every close's releases) may still be in flight: count until the actors are quiet.
            for (int quiet = 0; quiet < 3;)
            {
                long before = Interlocked.Read(ref LimitsDiagnostics.ActorMessages);
                await Task.Delay(20);
                quiet = Interlocked.Read(ref LimitsDiagnostics.ActorMessages) == before ? quiet + 1 : 0;
            }

            long bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes0;
            LimitsDiagnostics.Enabled = false;
            double cycles = (double)concurrency * countedPerWorker;
            long msgs = Interlocked.Read(ref LimitsDiagnostics.ActorMessages), replies = Interlocked.Read(ref LimitsDiagnostics.Replies);
            return ((msgs + replies) / cycles, msgs / cycles, bytes / cycles);
        }

        async Task OneCycle(bool combined, bool oneWay, int k)
        {
            StreamHandle s;
            if (combined)
            {
                s = (await client.OpenStreamAsync(peerIds[k % peers], Direction.Outbound, protoIds[k % protocols], svcIds[k % services])).Unwrap();
            }
            else
            {
                s = (await client.OpenStreamAsync(peerIds[k % peers], Direction.Outbound)).Unwrap();
                (await client.SetProtocolAsync(s, protoIds[k % protocols])).Unwrap();
                (await client.SetServiceAsync(s, svcIds[k % services])).Unwrap();
            }

            if (oneWay) client.CloseStream(s);
            else (await client.CloseAsync(s.Ref)).Unwrap();
        }

        var fourCalls = await Count(combined: false);
        var fourCallsOneWay = await Count(combined: false, oneWay: true);
        var combinedCount = await Count(combined: true);
        var oneWayCount = await Count(combined: true, oneWay: true);
        long coreBytes0 = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 10_000; i++)
        {
            var s = rm.OpenStream(peerIds[i % peers], Direction.Outbound);
            s.SetProtocol(protoIds[i % protocols]);
            s.SetService(svcIds[i % services]);
            s.Done();
        }

        double coreBytes = (GC.GetTotalAllocatedBytes(precise: true) - coreBytes0) / 10_000.0;

        report.Throughput("limits", "stream_cycles_per_s", actorRate, "1/s", coreRate);
        report.Throughput("limits", "stream_cycles_combined_open_per_s", combinedRate, "1/s", coreRate);
        report.Throughput("limits", "stream_cycles_combined_open_oneway_close_per_s", oneWayRate, "1/s", coreRate);
        double p50 = Percentiles.Of(all, 50), p99 = Percentiles.Of(all, 99);
        double coreP99 = Percentiles.Of(coreLat, 99);
        report.Latency("limits", "cycle_latency_p99", p99, "us", coreP99, p50, p99);
        var loaded = lats.SelectMany(x => x).ToList();
        Console.WriteLine($"# actors: {counts.Sum()} cycles with {concurrency} concurrent clients; loaded latency p50={Percentiles.Of(loaded, 50):0} us p99={Percentiles.Of(loaded, 99):0} us; single-client p50={p50:0} us p99={p99:0} us");
        Console.WriteLine($"# core: {coreCycles} cycles, p50={Percentiles.Of(coreLat, 50):0.##} us p99={coreP99:0.##} us");
        // Messages: every message a limit actor receives (client requests included) plus every reply to a client;
        // baseline = issue 15's budget of 8 per cycle, ratio = budget / value (bigger is better).
        report.Figure("limits", "messages_per_cycle", fourCalls.Messages, "msg", 8, 8 / fourCalls.Messages);
        report.Figure("limits", "messages_per_cycle_oneway_close", fourCallsOneWay.Messages, "msg", 8, 8 / fourCallsOneWay.Messages);
        report.Figure("limits", "messages_per_cycle_combined_open", combinedCount.Messages, "msg", 8, 8 / combinedCount.Messages);
        report.Figure("limits", "messages_per_cycle_combined_open_oneway_close", oneWayCount.Messages, "msg", 8, 8 / oneWayCount.Messages);
        // Bytes allocated per cycle (whole process, client side included) against Core's in-process cycle.
        report.Figure("limits", "bytes_per_cycle", fourCalls.Bytes, "B", coreBytes, coreBytes / fourCalls.Bytes);
        Console.WriteLine($"# per four-call cycle: {fourCalls.Requests:0.##} actor messages (4 client requests included) + {fourCalls.Messages - fourCalls.Requests:0.##} replies, {fourCalls.Bytes:0} B; combined open: {combinedCount.Requests:0.##} + {combinedCount.Messages - combinedCount.Requests:0.##}, {combinedCount.Bytes:0} B; with one-way close: four-call {fourCallsOneWay.Requests:0.##} + {fourCallsOneWay.Messages - fourCallsOneWay.Requests:0.##}, combined {oneWayCount.Requests:0.##} + {oneWayCount.Messages - oneWayCount.Requests:0.##}, {oneWayCount.Bytes:0} B; core {coreBytes:0} B");
        await system.Terminate();
    }
}
