using System.Diagnostics;
using Akka.Actor;
using PeerActors.Benchmarks.Harness;
using PeerActors.Peers;
using PeerActors.Selection;
using PeerActors.Tests.SelectionActor;

namespace PeerActors.Benchmarks.Suites;

/// <summary>
/// <c>selector-restart</c> (issue 11, "the selector needs no wake-up"): N peers in a SQLite journal (100,000; 10,000 with
/// <c>--quick</c>; <c>--peers N</c> to choose), the node restarted, time until its selector tracks all N and how many peer
/// actors were started for it: the selector's own snapshot + catch-up against the old bootstrap (every peer of the
/// journal woken through the peer host, fixed 2,000/s throttle, no bound on recoveries in flight) in the same run.
/// Also: catch-up after K peers changed while the node was down, and the latency of a query to a sleeping peer during
/// the old wake-up wave against the bounded wake that replaced it (the fallback when there is no snapshot).
/// </summary>
/// <remarks>
/// The old bootstrap takes minutes at 100,000 peers, so it runs for a bounded time (<c>--baseline-seconds</c>, default
/// 30; 6 with <c>--quick</c>) and its time to N is extrapolated from the rate it reached (printed as such).
/// </remarks>
public sealed class SelectorRestartSuite : IBenchmarkSuite
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Pid = "selector-bench";

    /// <inheritdoc />
    public string Name => "selector-restart";

    /// <inheritdoc />
    public string Description => "selector complete after a restart: own snapshot + catch-up vs waking every peer (SQLite, 100k peers)";

    private static SelectorOptions WithSnapshots(TimeSpan interval) => new()
    {
        BootstrapFromJournal = true,
        SnapshotInterval = interval,
        SnapshotPersistenceId = Pid,
    };

    private static int Arg(BenchmarkOptions o, string name, int fallback)
    {
        var i = o.Args.ToList().IndexOf(name);
        return i >= 0 && i + 1 < o.Args.Count && int.TryParse(o.Args[i + 1], out var v) ? v : fallback;
    }

    /// <inheritdoc />
    public async Task RunAsync(BenchmarkOptions options, ResultReporter report)
    {
        var n = Arg(options, "--peers", options.Quick ? 10_000 : 100_000);
        var changed = Math.Max(1, n / 100);
        var baselineSeconds = Arg(options, "--baseline-seconds", options.Quick ? 6 : 30);
        var dir = Directory.CreateTempSubdirectory("peeractors-selector-restart-");
        var db = Path.Combine(dir.FullName, "journal.db");
        var ids = Enumerable.Range(0, n).Select(i => $"bench{i:D7}").ToArray();
        var interval = TimeSpan.FromSeconds(1);
        try
        {
            // 1. Seed: N peers with a persisted history; the selector of this first run saves its snapshot at shutdown.
            var sw = Stopwatch.StartNew();
            await using (var seed = SelectorRestartNode.Start(db, WithSnapshots(interval), logLevel: "ERROR"))
            {
                await seed.AwaitStartupAsync(TimeSpan.FromSeconds(60));
                await Seed(seed, ids);
                await AwaitTracked(seed, n, TimeSpan.FromMinutes(5));
                await Task.Delay(interval * 3); // two ticks: a checkpoint mark after the last event becomes the offset
            }
            Console.WriteLine($"# seeded {n} peers in {sw.Elapsed.TotalSeconds:F1} s ({new FileInfo(db).Length / 1e6:F0} MB database, selector snapshot {SnapshotBytes(db) / 1e6:F1} MB)");

            // 2. Restart with the snapshot: time until complete and every peer tracked; peer actors started.
            var (restartS, restartStarted, loaded) = await TimeRestart(db, n, WithSnapshots(TimeSpan.FromMinutes(5)));
            Console.WriteLine($"# restart: {restartS:F2} s, {loaded} snapshot entries, {restartStarted} peer actors started");

            // 3. K peers change while the node is down, then restart: only they are woken.
            await using (var offline = SelectorRestartNode.Start(db, new SelectorOptions { SnapshotPersistenceId = "offline" }, logLevel: "ERROR"))
            {
                await Task.WhenAll(ids.Take(changed).Select(id =>
                    offline.Peers.Ask<CommandAck>(new RecordPayment(id, 7, T0.AddHours(1)), TimeSpan.FromSeconds(60))));
            }
            var (catchUpS, catchUpStarted, _) = await TimeRestart(db, n, WithSnapshots(TimeSpan.FromMinutes(5)));
            Console.WriteLine($"# catch-up of {changed} changed peers: {catchUpS:F2} s, {catchUpStarted} peer actors started");

            // 4. Baseline: the old bootstrap (no snapshot; wake every peer at 2,000/s with no bound on recoveries in flight),
            //    with a query to a sleeping peer every 250 ms; then the bounded wake (today's fallback) the same way.
            // A query's timeout: 10 s (the management endpoint's), 5 s in the quick run to keep it under 30 s.
            var queryTimeout = TimeSpan.FromSeconds(options.Quick ? 5 : 10);
            var old = await WakeWave(db, ids, new SelectorOptions { BootstrapFromJournal = true, SnapshotPersistenceId = "old", WakeMaxInFlight = 1_000_000 }, baselineSeconds, queryTimeout);
            var bounded = await WakeWave(db, ids, new SelectorOptions { BootstrapFromJournal = true, SnapshotPersistenceId = "bounded" }, baselineSeconds, queryTimeout);
            var oldToN = old.Tracked >= n ? old.Seconds : n / Math.Max(old.Rate, 1e-9);
            Console.WriteLine($"# old bootstrap: {old.Tracked} peers tracked after {old.Seconds:F1} s ({old.Rate:F0}/s{(old.Tracked >= n ? "" : $", {n} extrapolated to {oldToN:F0} s")}), " +
                              $"{old.Started} peer actors started; query to a sleeping peer p50 {Percentiles.Of(old.QueryMs, 50):F0} ms p99 {Percentiles.Of(old.QueryMs, 99):F0} ms, {old.TimedOut} of {old.QueryMs.Count} timed out ({queryTimeout.TotalSeconds:F0} s)");
            Console.WriteLine($"# bounded wake (no snapshot): {bounded.Tracked} peers after {bounded.Seconds:F1} s ({bounded.Rate:F0}/s); " +
                              $"query p50 {Percentiles.Of(bounded.QueryMs, 50):F0} ms p99 {Percentiles.Of(bounded.QueryMs, 99):F0} ms, {bounded.TimedOut} of {bounded.QueryMs.Count} timed out");

            report.Figure("selector-restart", $"time_to_complete_{n}", restartS, "s", oldToN, oldToN / restartS);
            report.Figure("selector-restart", $"peer_actors_started_{n}", restartStarted, "1", n, n / (double)Math.Max(1, restartStarted));
            report.Figure("selector-restart", $"catchup_{changed}_changed_of_{n}", catchUpS, "s", oldToN, oldToN / catchUpS);
            report.Figure("selector-restart", $"catchup_{changed}_changed_peer_actors_started", catchUpStarted, "1", n, n / (double)Math.Max(1, catchUpStarted));
            report.Latency("selector-restart", "query_sleeping_peer_during_wake_p99", Percentiles.Of(bounded.QueryMs, 99), "ms",
                Percentiles.Of(old.QueryMs, 99), Percentiles.Of(bounded.QueryMs, 50), Percentiles.Of(bounded.QueryMs, 99));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Environment.GetEnvironmentVariable("PEERACTORS_BENCH_KEEP") is null) { try { dir.Delete(recursive: true); } catch (IOException) { } }
            else Console.WriteLine($"# kept {db}");
        }
    }

    /// <summary>
    /// Writes one <see cref="PaymentRecorded"/> per peer straight to the journal (1,000 peers per write, as a peer actor
    /// would persist it: sequence number 1, persistence id <c>peer-&lt;id&gt;</c>) and gives the node's selector the inputs
    /// that peer actor would publish for it (version 1). Creating 100,000 peer actors one by one would take ~15 minutes on
    /// SQLite; the restart measured afterwards does not depend on how the journal was filled.
    /// </summary>
    private static async Task Seed(SelectorRestartNode node, string[] ids)
    {
        var journal = Akka.Persistence.Persistence.Instance.Apply(node.System).JournalFor(null);
        var writer = Guid.NewGuid().ToString();
        var r = new Random(1);
        foreach (var chunk in ids.Chunk(1000))
        {
            var writes = new List<Akka.Persistence.AtomicWrite>(chunk.Length);
            foreach (var id in chunk)
            {
                var amount = 1 + r.Next(5000);
                var e = new PaymentRecorded(amount, T0);
                writes.Add(new Akka.Persistence.AtomicWrite(new Akka.Persistence.Persistent(e, 1, "peer-" + id, string.Empty, false, ActorRefs.NoSender, writer)));
                var stats = new Core.Stats.PeerStats(Core.Identity.PeerId.Parse(id), T0);
                stats.RecordPayment(amount);
                node.Selector.Tell(new PeerScoreInputs(stats.ToState(), 1, [], []));
            }
            var done = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
            var replies = node.System.ActorOf(Props.Create(() => new WriteReplies(done)));
            journal.Tell(new Akka.Persistence.WriteMessages(writes, replies, 1));
            var result = await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
            node.System.Stop(replies);
            if (result is Akka.Persistence.WriteMessagesFailed f) throw new InvalidOperationException("seeding the journal failed", f.Cause);
        }
    }

    /// <summary>Completes with the journal's <c>WriteMessagesSuccessful</c> / <c>WriteMessagesFailed</c>.</summary>
    private sealed class WriteReplies : ReceiveActor
    {
        public WriteReplies(TaskCompletionSource<object> done)
        {
            Receive<Akka.Persistence.WriteMessagesSuccessful>(m => done.TrySetResult(m));
            Receive<Akka.Persistence.WriteMessagesFailed>(m => done.TrySetResult(m));
            Receive<Akka.Persistence.WriteMessageRejected>(m => done.TrySetException(m.Cause));
            ReceiveAny(_ => { });
        }
    }

    private static long SnapshotBytes(string db)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT COALESCE(MAX(LENGTH(snapshot)), 0) FROM snapshot WHERE persistence_id = '{Pid}'";
        return Convert.ToInt64(cmd.ExecuteScalar());
    }

    private static async Task AwaitTracked(SelectorRestartNode node, int n, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while ((await node.Client(TimeSpan.FromSeconds(30)).SummaryAsync(T0)).PeerCount < n)
        {
            if (sw.Elapsed > timeout) throw new TimeoutException($"selector did not track {n} peers within {timeout}");
            await Task.Delay(50);
        }
    }

    private static async Task<(double Seconds, int Started, int Loaded)> TimeRestart(string db, int n, SelectorOptions options)
    {
        var sw = Stopwatch.StartNew();
        await using var node = SelectorRestartNode.Start(db, options, logLevel: "ERROR");
        var status = await node.AwaitStartupAsync(TimeSpan.FromMinutes(5));
        await AwaitTracked(node, n, TimeSpan.FromMinutes(5));
        var seconds = sw.Elapsed.TotalSeconds;
        // What the periodic and the shutdown save cost (the shutdown phase allows 10 s by default).
        var save = Stopwatch.StartNew();
        var saved = await node.Selector.Ask<SelectorSnapshotSaved>(SaveSelectorSnapshot.Instance, TimeSpan.FromMinutes(2));
        Console.WriteLine($"# snapshot save: {saved.Entries} peers in {save.Elapsed.TotalSeconds:F2} s{(saved.Error is null ? "" : $" ({saved.Error})")}");
        return (seconds, node.Starts.Count, status.SnapshotEntries);
    }

    private sealed record Wave(int Tracked, double Seconds, double Rate, int Started, List<double> QueryMs, int TimedOut);

    /// <summary>Starts a node without a snapshot (full wake) for at most <paramref name="seconds"/>, querying sleeping peers meanwhile.</summary>
    private static async Task<Wave> WakeWave(string db, string[] ids, SelectorOptions options, int seconds, TimeSpan queryTimeout)
    {
        var sw = Stopwatch.StartNew();
        await using var node = SelectorRestartNode.Start(db, options, logLevel: "ERROR");
        var queries = new List<double>();
        var timedOut = 0;
        var r = new Random(7);
        var tracked = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            await Task.Delay(250);
            // A peer from the last tenth of the ids (persistence ids are listed in id order): not woken yet.
            var id = ids[ids.Length - 1 - r.Next(Math.Max(1, ids.Length / 10))];
            var q = Stopwatch.StartNew();
            try
            {
                await node.Peers.Ask<object>(new GetPeerStats(id, T0), queryTimeout);
                queries.Add(q.Elapsed.TotalMilliseconds);
            }
            catch (AskTimeoutException)
            {
                queries.Add(queryTimeout.TotalMilliseconds);
                timedOut++;
            }
            tracked = (await node.Client(TimeSpan.FromSeconds(30)).SummaryAsync(T0)).PeerCount;
            if (tracked >= ids.Length) break;
        }
        var elapsed = sw.Elapsed.TotalSeconds;
        return new Wave(tracked, elapsed, tracked / elapsed, node.Starts.Count, queries, timedOut);
    }
}
