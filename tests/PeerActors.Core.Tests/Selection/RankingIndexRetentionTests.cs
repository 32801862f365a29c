using PeerActors.Core.Identity;
using PeerActors.Core.Selection;
using Xunit;
using static PeerActors.Core.Tests.Selection.SelectionTestData;

namespace PeerActors.Core.Tests.Selection;

/// <summary>
/// Dropping peers without recent activity (the selector's retention window, issue 11: memory that follows the active
/// peers) and the version the index keeps per peer for its owner.
/// </summary>
public class RankingIndexRetentionTests
{
    public static TheoryData<string, PeerStatsState, DateTimeOffset> LastActivityCases => new()
    {
        { "first seen only", Peer("a", connectedAt: T0), T0 },
        { "a later success", Peer("a", 1, 1, lastSuccess: T0.AddHours(2), connectedAt: T0), T0.AddHours(2) },
        { "a later failure", Peer("a", 1, connectedAt: T0) with { LastFailure = T0.AddHours(3) }, T0.AddHours(3) },
        { "a later throughput sample", Peer("a", connectedAt: T0) with { ThroughputAt = T0.AddHours(4) }, T0.AddHours(4) },
        { "the latest of all", Peer("a", 1, 1, lastSuccess: T0.AddHours(1), connectedAt: T0) with { LastFailure = T0.AddHours(5) }, T0.AddHours(5) },
        // A backoff that ends later is not activity: it is a deadline the peer set nothing in motion for.
        { "not a backoff deadline", Peer("a", 1, backedOffUntil: T0.AddDays(1), connectedAt: T0), T0 },
        { "an offset instant, in UTC", Peer("a", connectedAt: new DateTimeOffset(2025, 3, 1, 14, 0, 0, TimeSpan.FromHours(2))), T0 },
    };

    [Theory]
    [MemberData(nameof(LastActivityCases))]
    public void Last_activity_is_the_latest_instant_the_inputs_record(string what, PeerStatsState state, DateTimeOffset expected)
    {
        Assert.True(expected == SelectionMath.LastActivity(state), what);
    }

    [Fact]
    public void Peers_last_active_before_the_cutoff_are_dropped_and_the_rest_answer_as_the_reference()
    {
        var index = new PeerRankingIndex(new Random(1));
        var old = Peer("old", 10, 9, srtt: 20, lastSuccess: T0.AddDays(-10), connectedAt: T0.AddDays(-12));
        var edge = Peer("edge", 10, 5, srtt: 30, connectedAt: T0.AddDays(-7));
        var fresh = Peer("fresh", 10, 8, srtt: 40, lastSuccess: T0.AddHours(-1), connectedAt: T0.AddDays(-30));
        var banned = Peer("banned", 4, 4, connectedAt: T0.AddDays(-8));
        foreach (var p in new[] { old, edge, fresh }) index.Upsert(p);
        index.Upsert(banned, null, T0.AddDays(3));

        var dropped = index.RemoveInactive(T0.AddDays(-7));

        Assert.Equal(["banned", "old"], dropped.Select(d => d.Value).Order(StringComparer.Ordinal));
        Assert.Equal(2, index.Count);
        Assert.False(index.Contains(PeerId.Parse("old")));
        var q = new SelectionQuery { Strategy = SelectionStrategy.Weighted, Count = 5, Fairness = false };
        var reference = PeerSelector.Select([edge, fresh], q, T0, 0, new Random(1));
        Assert.True(reference.SameAs(index.Select(q, T0)));
        Assert.Equal(index.Summary(T0), PeerSelector.Summary([edge, fresh], T0));
    }

    [Fact]
    public void A_dropped_peer_comes_back_with_its_next_inputs()
    {
        var index = new PeerRankingIndex();
        index.Upsert(Peer("a", 1, 1, connectedAt: T0.AddDays(-40)), null, null, version: 3);
        Assert.Single(index.RemoveInactive(T0.AddDays(-30)));
        Assert.False(index.TryGetVersion(PeerId.Parse("a"), out _));

        index.Upsert(Peer("a", 2, 2, lastSuccess: T0, connectedAt: T0.AddDays(-40)), null, null, version: 4);

        Assert.True(index.TryGetVersion(PeerId.Parse("a"), out var v));
        Assert.Equal(4, v);
        Assert.Empty(index.RemoveInactive(T0.AddDays(-30)));
    }

    [Fact]
    public void The_activity_clock_is_the_latest_activity_ever_upserted_and_never_goes_back()
    {
        var index = new PeerRankingIndex();
        Assert.Equal(long.MinValue, index.LatestActivityTicks);
        index.Upsert(Peer("a", 1, 1, lastSuccess: T0, connectedAt: T0.AddDays(-1)));
        index.Upsert(Peer("b", connectedAt: T0.AddDays(-3)));
        Assert.Equal(T0.UtcTicks, index.LatestActivityTicks);
        index.Remove(PeerId.Parse("a"));
        Assert.Equal(T0.UtcTicks, index.LatestActivityTicks);
    }

    [Fact]
    public void The_version_is_kept_per_peer_and_an_upsert_without_one_leaves_it()
    {
        var index = new PeerRankingIndex();
        index.Upsert(Peer("a", 1, 1), null, null, version: 7);
        index.Upsert(Peer("a", 2, 2));
        Assert.True(index.TryGetVersion(PeerId.Parse("a"), out var v));
        Assert.Equal(7, v);
        index.Upsert(Peer("b", 1, 1));
        Assert.True(index.TryGetVersion(PeerId.Parse("b"), out var vb));
        Assert.Equal(0, vb);
        index.Remove(PeerId.Parse("a"));
        Assert.False(index.TryGetVersion(PeerId.Parse("a"), out _));
    }
}
