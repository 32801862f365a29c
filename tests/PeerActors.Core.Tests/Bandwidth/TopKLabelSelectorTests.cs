namespace PeerActors.Core.Tests.Bandwidth;

public class TopKLabelSelectorTests
{
    private static KeyValuePair<string, long> P(string id, long bytes) => new(id, bytes);

    [Fact]
    public void Keeps_top_k_by_bytes_with_ordinal_ties()
    {
        var totals = new[] { P("b", 10), P("a", 10), P("c", 50), P("d", 1), P("B", 10) };
        Assert.Equal(["c", "B", "a"], TopKLabelSelector.SelectTopK(totals, 3)); // "B" < "a" < "b" ordinally
    }

    [Fact]
    public void Labels_others_as_other()
    {
        var s = new TopKLabelSelector(1);
        s.Update([P("x", 5), P("y", 9)]);
        Assert.Equal("y", s.LabelFor("y"));
        Assert.Equal(TopKLabelSelector.OtherLabel, s.LabelFor("x"));
        Assert.Equal(TopKLabelSelector.OtherLabel, s.LabelFor("never-seen"));

        s.Update([P("x", 50), P("y", 9)]); // recomputed on each export
        Assert.Equal("x", s.LabelFor("x"));
        Assert.Equal("other", s.LabelFor("y"));
    }

    [Fact]
    public void Zero_k_and_k_larger_than_n()
    {
        Assert.Empty(TopKLabelSelector.SelectTopK([P("a", 1)], 0));
        Assert.Equal(["b", "a"], TopKLabelSelector.SelectTopK([P("a", 1), P("b", 2)], 10));
        Assert.Throws<InvalidInputException>(() => new TopKLabelSelector(-1));
    }

    [Property(MaxTest = 300)]
    public bool Matches_a_full_sort(int[] bytes, byte k)
    {
        var totals = bytes.Select((b, i) => P($"p{i % 37}-{i}", Math.Abs((long)b) % 20)).ToArray();
        var expected = totals
            .OrderByDescending(t => t.Value)
            .ThenBy(t => t.Key, StringComparer.Ordinal)
            .Take(k % 16)
            .Select(t => t.Key);
        return expected.SequenceEqual(TopKLabelSelector.SelectTopK(totals, k % 16));
    }
}
