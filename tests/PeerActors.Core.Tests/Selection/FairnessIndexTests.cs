using FsCheck.Fluent;
using static PeerActors.Core.Tests.Selection.SelectionTestData;

namespace PeerActors.Core.Tests.Selection;

/// <summary>The index's vectorised fairness pass against the reference (id-order total), including exact 0.30 boundaries.</summary>
public class FairnessIndexTests
{
    [Theory]
    // rates 3 : 1 : 1 : 1 : 4  → shares 0.3 exactly and 0.4: only the 0.4 peer is over 30 %.
    [InlineData(new ulong[] { 3, 1, 1, 1, 4 }, new[] { "e" })]
    // 3 : 7 with three idle peers: share 0.3 exactly is kept, 0.7 dropped.
    [InlineData(new ulong[] { 3, 7, 0, 0, 0 }, new[] { "b" })]
    // five equal peers: 0.2 each, nobody dropped.
    [InlineData(new ulong[] { 5, 5, 5, 5, 5 }, new string[0])]
    // one peer has everything: dropping it would leave four, so it is dropped.
    [InlineData(new ulong[] { 0, 0, 0, 0, 9 }, new[] { "e" })]
    public void Exact_boundary_shares_match_the_reference(ulong[] requests, string[] dropped)
    {
        var peers = requests.Select((r, i) => Peer(((char)('a' + i)).ToString(), requests: r * 3600)).ToList();
        var result = Both(peers, new SelectionQuery { Count = 10 }, T0);
        Assert.Equal(dropped, result.FairnessDropped.Select(p => p.Value));
    }

    [Fact]
    public void Large_population_drops_the_heavy_peer_and_keeps_everyone_else()
    {
        var peers = Enumerable.Range(0, 20_000).Select(i => Peer($"p{i:D5}", requests: (ulong)(i % 7), successes: (ulong)(i % 5 == 0 ? i % 7 : 0))).ToList();
        peers.Add(Peer("heavy", requests: 1_000_000, successes: 1_000_000, srtt: 10));
        var result = Both(peers, new SelectionQuery { Count = 10 }, T0);
        Assert.Equal(["heavy"], result.FairnessDropped.Select(p => p.Value));
        Assert.Equal(20_000, result.CandidateCount);
    }

    [Fact]
    public void Connected_at_far_from_the_anchor_uses_the_exact_scalar_path()
    {
        // 2^52 ticks ≈ 14 years: the second peer is out of the vector path's exact range.
        var peers = new[]
        {
            Peer("a", requests: 10), Peer("b", requests: 10, connectedAt: T0.AddYears(-30)), Peer("c", requests: 10),
            Peer("d", requests: 10), Peer("e", requests: 100_000),
        };
        var index = new PeerRankingIndex();
        foreach (var p in peers) index.Upsert(p);
        var q = new SelectionQuery { Count = 10 };
        Assert.True(PeerSelector.Select(peers, q, T0, 0, new Random(1)).SameAs(index.Select(q, T0)));
        Assert.True(index.Remove(PeerId.Parse("b")));
        Assert.True(PeerSelector.Select(peers.Where(p => p.PeerId.Value != "b"), q, T0, 0, new Random(1)).SameAs(index.Select(q, T0)));
    }

    [Property(MaxTest = 100)]
    public void Fairness_and_rotation_match_the_reference_after_swap_removes(int seed)
    {
        var r = new Random(seed);
        var index = new PeerRankingIndex();
        var live = new Dictionary<string, Core.Stats.PeerStatsState>();
        for (var step = 0; step < 60; step++)
        {
            var id = $"p{r.Next(40):D2}";
            if (r.Next(4) == 0 && live.Remove(id)) { Assert.True(index.Remove(PeerId.Parse(id))); continue; }
            var st = Peer(id, requests: (ulong)new[] { 0, 1, 3, 7, 10, 30, 1000 }[r.Next(7)],
                connectedAt: T0.AddSeconds(-new[] { 5, 20, 100, 3600 }[r.Next(4)]));
            live[id] = st;
            index.Upsert(st);
            var q = new SelectionQuery
            {
                Strategy = new[] { SelectionStrategy.Weighted, SelectionStrategy.RoundRobin, SelectionStrategy.Random }[r.Next(3)],
                Count = r.Next(0, 6), RandomSeed = r.Next(),
            };
            var rr = index.RoundRobinIndex;
            var reference = PeerSelector.Select(live.Values, q, T0, rr, new Random(q.RandomSeed!.Value));
            Assert.True(reference.SameAs(index.Select(q, T0)), $"step {step} {q.Strategy}");
        }
    }
}
