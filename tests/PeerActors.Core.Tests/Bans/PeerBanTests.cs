using PeerActors.Core.Bans;
using static PeerActors.Core.Tests.Selection.SelectionTestData;

namespace PeerActors.Core.Tests.Bans;

public class PeerBanTests
{
    public static TheoryData<string?, double?, string?, string> BadBans => new()
    {
        { null, null, "spam", "until" },                     // neither
        { "2025-03-01T13:00:00Z", 60, "spam", "until" },     // both
        { "2025-03-01T12:00:00Z", null, "spam", "until" },   // not after observedAt
        { null, 0, "spam", "duration" },
        { null, -5, "spam", "duration" },
        { null, 60, "", "reason" },
        { null, 60, "bad\nreason", "reason" },
        { null, 60, new string('x', 257), "reason" },
    };

    [Theory]
    [MemberData(nameof(BadBans))]
    public void Create_refuses_bad_input_naming_the_field(string? until, double? seconds, string? reason, string field)
    {
        var e = Assert.Throws<InvalidInputException>(() => PeerBan.Create(T0,
            until is null ? null : DateTimeOffset.Parse(until, System.Globalization.CultureInfo.InvariantCulture),
            seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), reason));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void A_ban_is_active_strictly_before_its_end_on_the_observation_clock()
    {
        var ban = PeerBan.Create(T0, null, TimeSpan.FromMinutes(30), "spam");
        Assert.Equal(T0.AddMinutes(30), ban.Until);
        Assert.True(ban.IsActive(T0));
        Assert.True(ban.IsActive(T0.AddMinutes(30).AddTicks(-1)));
        Assert.False(ban.IsActive(T0.AddMinutes(30)));
        Assert.Equal(TimeSpan.Zero, ban.Remaining(T0.AddHours(1)));
    }

    [Theory]
    [InlineData(ResourceKind.Stream, Direction.Inbound, "peer:QmBad: cannot reserve inbound stream: peer banned until 2025-03-01T12:30:00Z (spam)")]
    [InlineData(ResourceKind.Connection, Direction.Outbound, "peer:QmBad: cannot reserve outbound connection: peer banned until 2025-03-01T12:30:00Z (spam)")]
    public void Ban_list_refusal_names_the_peer_scope_the_ban_and_its_expiry(ResourceKind resource, Direction dir, string message)
    {
        var bans = new BanList();
        bans.Update("QmBad", PeerBan.Create(T0, null, TimeSpan.FromMinutes(30), "spam"), version: 1);
        var e = bans.Check("QmBad", resource, dir, T0.AddMinutes(1));
        Assert.NotNull(e);
        Assert.Equal(message, e.Message);
        Assert.Equal(ScopeClass.Peer, e.ScopeClass);
        Assert.Equal(T0.AddMinutes(30), e.BannedUntil);
        Assert.Null(bans.Check("QmBad", resource, dir, T0.AddMinutes(30))); // expired on the observation clock
        Assert.Null(bans.Check("QmGood", resource, dir, T0));
    }

    [Fact]
    public void Ban_list_ignores_an_older_update_arriving_late()
    {
        var bans = new BanList();
        bans.Update("QmX", PeerBan.Create(T0, null, TimeSpan.FromHours(1), "first"), version: 3);
        bans.Update("QmX", null, version: 5); // unbanned at v5
        Assert.False(bans.Update("QmX", PeerBan.Create(T0, null, TimeSpan.FromHours(1), "old"), version: 4));
        Assert.Null(bans.Active("QmX", T0));
        Assert.True(bans.Update("QmX", PeerBan.Create(T0, null, TimeSpan.FromHours(1), "new"), version: 6));
        Assert.Equal("new", bans.Active("QmX", T0)!.Reason);
        bans.Prune(T0.AddHours(2));
        Assert.Equal(0, bans.Count);
    }

    public static TheoryData<SelectionStrategy> Strategies() => new(Enum.GetValues<SelectionStrategy>());

    [Theory]
    [MemberData(nameof(Strategies))]
    public void A_banned_peer_is_excluded_by_every_strategy_until_the_ban_ends(SelectionStrategy strategy)
    {
        var peers = new[] { Peer("best", 10, 10, 20, lastSuccess: T0), Peer("b", 10, 8, 60), Peer("c", 10, 5, 100) };
        var until = T0.AddMinutes(10);
        var q = new SelectionQuery { Strategy = strategy, Fairness = false, Count = 10, RandomSeed = 7 };
        var during = BothWithBan(peers, "best", until, q, T0);
        Assert.DoesNotContain("best", Ids(during));
        Assert.Equal(2, during.Peers.Count);
        var after = BothWithBan(peers, "best", until, q, until);
        Assert.Contains("best", Ids(after));
    }

    [Fact]
    public void A_banned_peer_is_not_returned_as_a_backed_off_fallback_either()
    {
        var peers = new[] { Peer("a", 10, 1, backedOffUntil: T0.AddSeconds(5)), Peer("b", 10, 1, backedOffUntil: T0.AddSeconds(9)) };
        var r = BothWithBan(peers, "a", T0.AddHours(1), new SelectionQuery { Fairness = false }, T0);
        Assert.True(r.BackedOffFallback);
        Assert.Equal(["b"], Ids(r));
    }

    [Fact]
    public void Unbanning_in_the_index_brings_the_peer_back()
    {
        var index = new PeerRankingIndex(new Random(1));
        var a = Peer("a", 10, 10, 20);
        index.Upsert(a, null, T0.AddHours(1));
        index.Upsert(Peer("b", 10, 5, 50));
        Assert.Equal(["b"], index.Select(new SelectionQuery { Fairness = false }, T0).Ids.Select(i => i.Value));
        index.Upsert(a, null, null);
        Assert.Equal(["a", "b"], index.Select(new SelectionQuery { Fairness = false }, T0).Ids.Select(i => i.Value));
    }

    private static SelectionResult BothWithBan(PeerStatsState[] peers, string banned, DateTimeOffset until, SelectionQuery q, DateTimeOffset now)
    {
        var entries = peers.Select(p => new PeerEntry(p, PeerTags.Empty, p.PeerId.Value == banned ? until : null)).ToList();
        var reference = PeerSelector.Select(entries, q, now, 0, new Random(q.RandomSeed ?? 1));
        var index = new PeerRankingIndex(new Random(q.RandomSeed ?? 1));
        foreach (var e in entries) index.Upsert(e.State, e.Tags, e.BannedUntil);
        var fast = index.Select(q, now);
        Assert.True(reference.SameAs(fast), $"index {string.Join(",", fast.Ids)} vs reference {string.Join(",", reference.Ids)}");
        return reference;
    }
}
