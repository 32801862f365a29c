using PeerActors.Core.Identity;
using PeerActors.Core.Selection;
using Xunit;
using static PeerActors.Core.Tests.Selection.SelectionTestData;

namespace PeerActors.Core.Tests.Selection;

/// <summary>The index holds one tags instance per distinct tag set, shared by its peers (memory per peer, issue 11).</summary>
public class RankingIndexTagSharingTests
{
    [Fact]
    public void Peers_with_equal_tags_share_one_instance()
    {
        var index = new PeerRankingIndex();
        index.Upsert(Peer("a", 1, 1), PeerTags.Of(["/p", "/q"], ["s"]));
        index.Upsert(Peer("b", 1, 1), PeerTags.Of(["/q", "/p"], ["s"]));
        index.Upsert(Peer("c", 1, 1), PeerTags.Of(["/p"], ["s"]));
        index.Upsert(Peer("d", 1, 1));

        Assert.Equal(2, index.DistinctTagSets);
        var byId = index.Entries().ToDictionary(e => e.State.PeerId.Value);
        Assert.Same(byId["a"].Tags, byId["b"].Tags);
        Assert.NotSame(byId["a"].Tags, byId["c"].Tags);
        Assert.Same(PeerTags.Empty, byId["d"].Tags);
    }

    [Fact]
    public void A_tag_set_is_forgotten_with_its_last_peer()
    {
        var index = new PeerRankingIndex();
        index.Upsert(Peer("a", 1, 1), PeerTags.Of(["/p"]));
        index.Upsert(Peer("b", 1, 1), PeerTags.Of(["/p"]));
        index.Upsert(Peer("a", 2, 2), PeerTags.Of(["/r"]));
        Assert.Equal(2, index.DistinctTagSets);
        index.Remove(PeerId.Parse("b"));
        Assert.Equal(1, index.DistinctTagSets);
        index.Upsert(Peer("a", 3, 3), PeerTags.Empty);
        Assert.Equal(0, index.DistinctTagSets);
    }

    [Fact]
    public void A_caller_changing_its_sets_later_changes_no_peer_in_the_index()
    {
        var index = new PeerRankingIndex();
        var protocols = new HashSet<string>(StringComparer.Ordinal) { "/p" };
        index.Upsert(Peer("a", 1, 1), new PeerTags { Protocols = protocols });
        protocols.Add("/other");
        index.Upsert(Peer("b", 1, 1), PeerTags.Of(["/p"]));

        var r = index.Select(new SelectionQuery { Strategy = SelectionStrategy.Weighted, Count = 5, Protocol = "/other" }, T0);
        Assert.Empty(r.Peers);
        Assert.Equal(1, index.DistinctTagSets);
        r = index.Select(new SelectionQuery { Strategy = SelectionStrategy.Weighted, Count = 5, Protocol = "/p" }, T0);
        Assert.Equal(["a", "b"], Ids(r).Order().ToArray());
    }
}
