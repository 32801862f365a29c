using PeerActors.Node.Replay;

namespace PeerActors.Node.Tests.Replay;

public class SpearmanTests
{
    [Theory]
    [InlineData(new[] { 1.0, 2, 3, 4, 5 }, new[] { 2.0, 4, 8, 16, 1000 }, 1.0)]
    [InlineData(new[] { 1.0, 2, 3, 4, 5 }, new[] { 5.0, 4, 3, 2, 1 }, -1.0)]
    [InlineData(new[] { 10.0, 20, 30 }, new[] { -1.0, -2, -3 }, -1.0)]
    // No ties: 1 - 6Σd²/(n(n²-1)) with d = (0,-2,1,1) → Σd² = 6, n = 4 → 1 - 36/60 = 0.4.
    [InlineData(new[] { 1.0, 2, 3, 4 }, new[] { 1.0, 4, 2, 3 }, 0.4)]
    public void Known_values(double[] xs, double[] ys, double expected) =>
        Assert.Equal(expected, Spearman.RankCorrelation(xs, ys), 12);

    [Fact]
    public void Ties_get_average_ranks()
    {
        Assert.Equal([1.0, 2.5, 2.5, 4, 6, 6, 6], Spearman.AverageRanks([1, 2, 2, 3, 5, 5, 5]));
        Assert.Equal([3.0, 1.5, 1.5], Spearman.AverageRanks([9, -1, -1]));
    }

    [Fact]
    public void Textbook_example_with_ties()
    {
        // x = (1,2,2,3,4), y = (1,3,2,2,5): ranks rx = (1,2.5,2.5,4,5), ry = (1,4,2.5,2.5,5).
        // Deviations from 3: dx = (-2,-.5,-.5,1,2), dy = (-2,1,-.5,-.5,2);
        // Σdxdy = 4 - .5 + .25 - .5 + 4 = 7.25; Σdx² = Σdy² = 4 + .25 + .25 + 1 + 4 = 9.5 → ρ = 7.25/9.5.
        Assert.Equal(7.25 / 9.5, Spearman.RankCorrelation([1, 2, 2, 3, 4], [1, 3, 2, 2, 5]), 12);
    }

    [Fact]
    public void Is_invariant_under_monotone_transforms_and_symmetric()
    {
        double[] xs = [3.1, 0.2, 7.7, 5.5, 5.5, 1.0, 9.9];
        double[] ys = [2.0, 1.0, 4.0, 3.0, 6.0, 0.5, 5.0];
        var rho = Spearman.RankCorrelation(xs, ys);
        Assert.Equal(rho, Spearman.RankCorrelation(xs.Select(Math.Exp).ToArray(), ys.Select(y => y * y * y).ToArray()), 12);
        Assert.Equal(rho, Spearman.RankCorrelation(ys, xs), 12);
        Assert.InRange(rho, -1, 1);
    }

    [Theory]
    [InlineData(new double[0], new double[0])]
    [InlineData(new[] { 1.0 }, new[] { 2.0 })]
    [InlineData(new[] { 1.0, 1, 1 }, new[] { 1.0, 2, 3 })]
    [InlineData(new[] { 1.0, 2, 3 }, new[] { 4.0, 4, 4 })]
    public void Undefined_cases_are_NaN(double[] xs, double[] ys) =>
        Assert.True(double.IsNaN(Spearman.RankCorrelation(xs, ys)));

    [Fact]
    public void Length_mismatch_and_non_finite_values_are_rejected()
    {
        Assert.Equal("ys", Assert.Throws<InvalidInputException>(() => Spearman.RankCorrelation([1, 2], [1])).Field);
        Assert.Equal("xs[1]", Assert.Throws<InvalidInputException>(() => Spearman.RankCorrelation([1, double.NaN], [1, 2])).Field);
        Assert.Equal("ys[0]", Assert.Throws<InvalidInputException>(() => Spearman.RankCorrelation([1, 2], [double.PositiveInfinity, 2])).Field);
    }
}
