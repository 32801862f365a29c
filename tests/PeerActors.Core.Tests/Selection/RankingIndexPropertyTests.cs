using FsCheck.Fluent;
using static PeerActors.Core.Tests.Selection.SelectionTestData;

namespace PeerActors.Core.Tests.Selection;

public class RankingIndexPropertyTests
{
    private static readonly string[] Protocols = ["/a", "/b"];
    private static readonly string[] Services = ["s1", "s2"];

    /// <summary>A random peer from a small value alphabet so that ties, equal SRTTs and zero SRTTs are common.</summary>
    private static (PeerStatsState, PeerTags) RandomPeer(Random r, string id)
    {
        ulong Pick(params ulong[] xs) => xs[r.Next(xs.Length)];
        var req = Pick(0, 0, 1, 2, 5, 10, 100, 1000, 50_000);
        var succ = req == 0 ? 0 : (ulong)r.NextInt64(0, (long)Math.Min(req, 10_000) + 1);
        if (r.Next(3) == 0) succ = req;
        var srtt = new[] { 0.0, 0.0, 10, 50, 50, 100, 250, 450, 2000 }[r.Next(9)];
        var backed = r.Next(5) == 0 ? T0.AddSeconds(r.Next(-30, 120)) : (DateTimeOffset?)null;
        var ls = r.Next(2) == 0 ? T0.AddSeconds(r.Next(-120, 30)) : (DateTimeOffset?)null;
        var st = Peer(id, req, succ, srtt,
            timeouts: Pick(0, 0, 1, 3, 10), failures: Pick(0, 0, 1, 4),
            lastSuccess: ls, backedOffUntil: backed, backoffLevel: (int)Pick(0, 0, 1, 2, 12),
            bytesSent: Pick(0, 0, 100, 1000, 100_000), bytesReceived: Pick(0, 100, 1000, 200_000),
            paid: r.Next(4) == 0 ? Pick(1, 32, 5000, 100) : 0, receipts: Pick(0, 0, 0, 1, 3), defaults: r.Next(5) == 0 ? Pick(1, 2, 3) : 0,
            connectedAt: T0.AddSeconds(-r.Next(0, 600)));
        if (r.Next(4) != 0)
        {
            // Throughput estimator sums from a small alphabet too (ties, no evidence, tiny and huge rates).
            var weight = new[] { 0.0, 0.3, 1, 1, 5, 40 }[r.Next(6)];
            var rate = new[] { 0.5, 50, 50, 250, 900, 1e5 }[r.Next(6)];
            st = st with { ThroughputRateSum = weight * rate, ThroughputWeight = weight, ThroughputAt = weight > 0 ? T0 : null };
        }
        var tags = PeerTags.Of(Protocols.Where(_ => r.Next(2) == 0), Services.Where(_ => r.Next(2) == 0));
        return (st, tags);
    }

    private static SelectionQuery RandomQuery(Random r, IReadOnlyList<string> ids) => new()
    {
        Strategy = (SelectionStrategy)r.Next(Enum.GetValues<SelectionStrategy>().Length),
        UnknownLatencyLast = r.Next(2) == 0,
        Count = new[] { 0, 1, 2, 3, 5, 10, 1000 }[r.Next(7)],
        Fairness = r.Next(3) != 0,
        PaymentWeight = new[] { 0, 0, 0.2, 0.5, 0.8, 1.0, 1.5 }[r.Next(7)],
        PaymentDefaultThreshold = (ulong)new[] { 0, 0, 1, 2 }[r.Next(4)],
        Exclude = ids.Count > 0 && r.Next(3) == 0 ? ids.Where(_ => r.Next(6) == 0).Select(i => PeerId.Parse(i)).ToHashSet() : new HashSet<PeerId>(),
        Protocol = r.Next(4) == 0 ? Protocols[r.Next(2)] : null,
        Service = r.Next(4) == 0 ? Services[r.Next(2)] : null,
        RandomSeed = r.Next(),
    };

    private static void AssertSame(PeerRankingIndex index, SelectionQuery q, DateTimeOffset now)
    {
        var rr = index.RoundRobinIndex;
        var entries = index.Entries().ToList();
        var reference = PeerSelector.Select(entries, q, now, rr, new Random(q.RandomSeed!.Value));
        var fast = index.Select(q, now);
        Assert.True(reference.SameAs(fast),
            $"{q} at {now:O}: index [{string.Join(",", fast.Peers.Select(p => $"{p.PeerId}:{p.Score:R}"))}] vs reference [{string.Join(",", reference.Peers.Select(p => $"{p.PeerId}:{p.Score:R}"))}] fb {fast.BackedOffFallback}/{reference.BackedOffFallback} cc {fast.CandidateCount}/{reference.CandidateCount}");
    }

    [Property(MaxTest = 150)]
    public void Index_equals_reference_under_random_updates_and_time(int seed, PositiveInt size)
    {
        var r = new Random(seed);
        var n = size.Get % 60;
        var index = new PeerRankingIndex();
        var ids = new List<string>();
        for (var i = 0; i < n; i++)
        {
            var id = $"p{r.Next(1000):D3}{(r.Next(2) == 0 ? "A" : "a")}";
            var (st, tags) = RandomPeer(r, id);
            index.Upsert(st, tags);
            if (!ids.Contains(id)) ids.Add(id);
        }
        var now = T0.AddSeconds(r.Next(-60, 30));
        for (var step = 0; step < 25; step++)
        {
            switch (r.Next(6))
            {
                case 0 when ids.Count > 0:
                {
                    var id = ids[r.Next(ids.Count)];
                    var (st, tags) = RandomPeer(r, id);
                    index.Upsert(st, r.Next(2) == 0 ? tags : null);
                    break;
                }
                case 1 when ids.Count > 0:
                {
                    var id = ids[r.Next(ids.Count)];
                    Assert.True(index.Remove(PeerId.Parse(id)));
                    ids.Remove(id);
                    break;
                }
                case 2:
                    now = now.AddSeconds(r.Next(0, 90)).AddTicks(r.Next(0, 3) == 0 ? 0 : r.Next());
                    break;
                case 3:
                    now = now.AddSeconds(-r.Next(0, 20)); // occasionally earlier than the index clock
                    break;
            }
            AssertSame(index, RandomQuery(r, ids), now);
            Assert.Equal(PeerSelector.Summary(index.Entries().Select(e => e.State), now), index.Summary(now));
        }
    }

    [Fact]
    public void Index_equals_reference_on_a_larger_population()
    {
        var r = new Random(11);
        var index = new PeerRankingIndex();
        var ids = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var (st, tags) = RandomPeer(r, $"peer-{i}");
            index.Upsert(st, tags);
            ids.Add($"peer-{i}");
        }
        var now = T0;
        for (var q = 0; q < 150; q++)
        {
            now = now.AddSeconds(r.Next(0, 10));
            AssertSame(index, RandomQuery(r, ids) with { Count = new[] { 1, 10, 50 }[r.Next(3)] }, now);
        }
    }

    [Property(MaxTest = 100)]
    public void Throughput_index_equals_a_full_sort(int seed, PositiveInt size)
    {
        var r = new Random(seed);
        var k = new[] { 0.0, 0.5, 3 }[r.Next(3)];
        var index = new PeerRankingIndex(new Random(1), new ThroughputOptions { PriorSamples = k });
        var ids = new List<string>();
        for (var i = 0; i < size.Get % 200; i++)
        {
            var id = $"t{i:D3}";
            var (st, tags) = RandomPeer(r, id);
            index.Upsert(st, tags);
            ids.Add(id);
        }
        var now = T0;
        for (var step = 0; step < 20; step++)
        {
            if (ids.Count > 0 && r.Next(3) == 0)
            {
                var id = ids[r.Next(ids.Count)];
                var (st, _) = RandomPeer(r, id);
                index.Upsert(st); // the pooled mean moves with every update
            }
            now = now.AddSeconds(r.Next(0, 40));
            var q = RandomQuery(r, ids) with { Strategy = SelectionStrategy.Throughput };
            var rr = index.RoundRobinIndex;
            var reference = PeerSelector.Select(index.Entries().ToList(), q, now, rr, new Random(q.RandomSeed!.Value), index.Throughput);
            var fast = index.Select(q, now);
            Assert.True(reference.SameAs(fast), $"k={k} {q}: [{string.Join(",", fast.Ids)}] vs [{string.Join(",", reference.Ids)}]");
        }
    }

    [Fact]
    public void Many_identical_peers_still_exact()
    {
        var index = new PeerRankingIndex();
        var peers = Enumerable.Range(0, 500).Select(i => Peer($"id{i:D4}")).ToList();
        foreach (var p in peers) index.Upsert(p);
        foreach (var s in Enum.GetValues<SelectionStrategy>())
            foreach (var w in new[] { 0.0, 0.5 })
                AssertSame(index, new SelectionQuery { Strategy = s, PaymentWeight = w, Count = 10, RandomSeed = 5 }, T0);
    }
}
