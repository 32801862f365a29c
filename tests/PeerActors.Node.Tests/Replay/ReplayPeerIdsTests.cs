using PeerActors.Node.Replay;

namespace PeerActors.Node.Tests.Replay;

/// <summary>The replay's peer table: dense indexes in order of first appearance, one instance per id, set semantics.</summary>
public sealed class ReplayPeerIdsTests
{
    [Fact]
    public void Ids_get_dense_indexes_in_order_of_first_appearance_and_keep_their_first_instance_through_growth()
    {
        var table = new ReplayPeerIds();
        var first = Enumerable.Range(0, 50_000).Select(i => $"peer-{i * 7919 % 50_000}").ToArray();
        foreach (var id in first) table.Add(id);
        // The same ids again as new instances (a file read again), and a few new ones.
        foreach (var id in first) Assert.Equal(Array.IndexOf(first, id), table.Add(new string(id.AsSpan())));
        Assert.Equal(50_000, table.Add("late"));
        table.Freeze();

        Assert.Equal(50_001, table.Count);
        Assert.Equal(first.Append("late"), table.ToArray()); // index order
        for (var i = 0; i < first.Length; i++)
        {
            Assert.Same(first[i], table[i]);
            Assert.Same(first[i], table.Canonical(new string(first[i].AsSpan())));
            Assert.Equal(i, table.IndexOf(first[i]));
        }
        Assert.Equal(-1, table.IndexOf("peer-50000"));
        Assert.Null(table.Canonical("nobody"));
        Assert.False(table.Contains("nobody"));
        Assert.False(table.Contains(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => table[50_001]);
        Assert.Throws<InvalidOperationException>(() => table.Add("after"));
    }

    [Fact]
    public void Set_comparisons_are_ordinal_and_count_each_id_once()
    {
        var table = new ReplayPeerIds();
        foreach (var id in new[] { "a", "b", "c" }) table.Add(id);

        Assert.True(table.SetEquals(["c", "b", "a", "a"]));
        Assert.False(table.SetEquals(["a", "b", "C"]));
        Assert.True(table.IsSubsetOf(["a", "b", "c"]) && !table.IsProperSubsetOf(["a", "b", "c", "c"]));
        Assert.True(table.IsProperSubsetOf(["a", "b", "c", "d"]));
        Assert.True(table.IsSupersetOf(["a", "a"]) && table.IsProperSupersetOf(["a", "b", "b"]) && !table.IsProperSupersetOf(["a", "b", "c"]));
        Assert.True(table.Overlaps(["x", "b"]) && !table.Overlaps(["x"]));
    }
}
