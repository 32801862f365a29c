using PeerActors.Benchmarks.Harness;
using PeerActors.Core.Identity;
using PeerActors.Core.Selection;
using PeerActors.Core.Stats;
using PeerActors.Selection;

namespace PeerActors.Benchmarks.Suites;

/// <summary>
/// <c>memory</c>: what the selector holds per peer it knows, and what its retention window does to that over many days
/// (issue 11: memory bounded by the active peers; the selector keeps compact score inputs for every peer).
/// <list type="bullet">
/// <item><c>selector_entry_bytes</c>: managed bytes per peer of a <see cref="PeerRankingIndex"/> holding N peers with
/// realistic inputs (36-character ids as in the dataset, instants, counters, RTTs, one of a few tag sets, a version), after
/// the Weighted query a replay's report makes (which builds that order). Baseline: the same inputs kept as received, in a
/// map of the latest <see cref="PeerScoreInputs"/> per peer (what a selector without its own layout would hold, and
/// still no order to rank by). Ratio = baseline / value.</item>
/// <item><c>selector_bytes_day60_retention7d</c>: a synthetic population where 10,000 new peers a day (2,000 with
/// <c>--quick</c>) are active for 1–5 days: the index's bytes after 60 data days with a 7-day retention window swept
/// as the selector does (every 1/16 of the window on the activity clock). Baseline: the same days without retention.
/// Ratio = baseline / value.</item>
/// </list>
/// Bytes are <see cref="GC.GetTotalMemory(bool)"/> differences after full collections. In the first figure the ids are
/// created before the measurement and counted in neither value nor baseline (a node shares one id string, ~96 bytes for 36
/// characters, among its structures); in the second they are counted.
/// </summary>
public sealed class MemorySuite : IBenchmarkSuite
{
    private static readonly DateTimeOffset T0 = new(2020, 3, 15, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public string Name => "memory";

    /// <inheritdoc />
    public string Description => "selector bytes per known peer (vs the inputs kept as received), and with a retention window over 60 data days";

    /// <inheritdoc />
    public Task RunAsync(BenchmarkOptions options, ResultReporter report)
    {
        var n = options.Quick ? 20_000 : 200_000;
        var ids = Enumerable.Range(0, n).Select(i => PeerId.Parse(Id(i))).ToArray();
        var tags = new[] { PeerTags.Of(["/p2p-live/1"], ["live-streaming"]), PeerTags.Of(["/p2p-live/1"], []), PeerTags.Empty };

        var before = Measure();
        var index = new PeerRankingIndex(new Random(1));
        for (var i = 0; i < n; i++) index.Upsert(State(ids[i], i, T0.AddSeconds(i)), tags[i % 3], null, version: i + 1);
        index.Select(new SelectionQuery { Strategy = SelectionStrategy.Weighted, Count = 10, Fairness = false }, T0.AddDays(30));
        var indexBytes = (Measure() - before) / (double)n;
        GC.KeepAlive(index);
        index = null;

        before = Measure();
        var map = new Dictionary<PeerId, PeerScoreInputs>();
        for (var i = 0; i < n; i++)
        {
            var t = tags[i % 3];
            map[ids[i]] = new PeerScoreInputs(State(ids[i], i, T0.AddSeconds(i)), i + 1, t.Protocols.ToArray(), t.Services.ToArray());
        }
        var mapBytes = (Measure() - before) / (double)n;
        GC.KeepAlive(map);
        map = null;
        Console.WriteLine($"# {n:N0} peers: index {indexBytes:F0} B per peer, latest inputs as received {mapBytes:F0} B per peer");
        report.Figure("memory", "selector_entry_bytes", indexBytes, "bytes", mapBytes, mapBytes / indexBytes);

        var perDay = options.Quick ? 2_000 : 10_000;
        var (withBytes, withPeers) = Days(60, perDay, TimeSpan.FromDays(7));
        var (withoutBytes, withoutPeers) = Days(60, perDay, null);
        Console.WriteLine($"# 60 days x {perDay:N0} new peers a day: retention 7d keeps {withPeers:N0} peers in {withBytes / 1048576.0:F1} MiB; " +
                          $"without retention {withoutPeers:N0} peers in {withoutBytes / 1048576.0:F1} MiB");
        report.Figure("memory", "selector_bytes_day60_retention7d", withBytes, "bytes", withoutBytes, withoutBytes / (double)withBytes);
        return Task.CompletedTask;
    }

    /// <summary>Peers arrive <paramref name="perDay"/> a day and stay active 1–5 days (a success every 6 data hours).</summary>
    private static (long Bytes, int Peers) Days(int days, int perDay, TimeSpan? retention)
    {
        var before = Measure();
        var index = new PeerRankingIndex(new Random(1));
        var tags = PeerTags.Of(["/p2p-live/1"], ["live-streaming"]);
        var rng = new Random(7);
        var active = new List<(PeerId Id, int Serial, int LastDay)>();
        var next = 0;
        long lastSweep = long.MinValue;
        for (var day = 0; day < days; day++)
        {
            for (var k = 0; k < perDay; k++, next++) active.Add((PeerId.Parse(Id(next)), next, day + rng.Next(0, 5)));
            for (var quarter = 0; quarter < 4; quarter++)
            {
                var now = T0.AddDays(day).AddHours(6 * quarter);
                foreach (var (id, serial, _) in active) index.Upsert(State(id, serial, now), tags, null, version: day * 4 + quarter + 1);
                if (retention is { } r && (lastSweep == long.MinValue || index.LatestActivityTicks - lastSweep >= r.Ticks / 16))
                {
                    // As SelectorActor.DropInactive: on the activity clock, once it has moved by 1/16 of the window.
                    lastSweep = index.LatestActivityTicks;
                    index.RemoveInactive(new DateTimeOffset(lastSweep - r.Ticks, TimeSpan.Zero));
                }
            }
            active.RemoveAll(a => a.LastDay <= day);
        }
        active.Clear();
        var bytes = Measure() - before;
        var peers = index.Count;
        GC.KeepAlive(index);
        return (bytes, peers);
    }

    private static PeerStatsState State(PeerId id, int serial, DateTimeOffset lastSeen) => new()
    {
        PeerId = id,
        ConnectedAt = T0.AddSeconds(serial % 86_400),
        RequestsSent = (ulong)(50 + serial % 400),
        Successes = (ulong)(45 + serial % 350),
        Timeouts = (ulong)(serial % 5),
        SrttMs = 20 + serial % 700,
        RttvarMs = 5 + serial % 90,
        RtoMs = 1000,
        LastSuccess = lastSeen,
        LastFailure = serial % 4 == 0 ? lastSeen.AddMinutes(-3) : null,
        BytesReceived = (ulong)serial * 65_536,
        ThroughputRateSum = 3.5 + serial % 17,
        ThroughputWeight = 2 + serial % 5,
        ThroughputBurst = 0.25,
        ThroughputAt = lastSeen,
    };

    /// <summary>A 36-character id shaped like the dataset's UUIDs.</summary>
    private static string Id(int i) => new Guid(i, 0x4e2b, 0x1a1c, 1, 2, 3, 4, 5, 6, 7, 8).ToString();

    private static long Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
