namespace PeerActors.Node.Replay;

/// <summary>Spearman's rank correlation coefficient ρ.</summary>
public static class Spearman
{
    /// <summary>
    /// Spearman's ρ of paired samples: the Pearson correlation of their ranks, tied values getting the
    /// average of the ranks they span (so ties are handled exactly, not by the 1 − 6Σd²/(n(n²−1)) shortcut,
    /// which is only exact without ties). Result in [−1, 1].
    /// </summary>
    /// <param name="xs">First sample (finite values).</param>
    /// <param name="ys">Second sample, same length, paired by index.</param>
    /// <returns>ρ, or <see cref="double.NaN"/> when it is undefined: fewer than 2 pairs, or either sample
    /// has zero rank variance (all its values equal).</returns>
    /// <exception cref="ArgumentNullException">A sample is null.</exception>
    /// <exception cref="InvalidInputException">The lengths differ (field <c>ys</c>) or a value is NaN/±∞ (field <c>xs[i]</c>/<c>ys[i]</c>).</exception>
    public static double RankCorrelation(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        if (xs.Count != ys.Count)
            throw new InvalidInputException("ys", $"must have the same length as xs ({xs.Count}), got {ys.Count}");
        for (var i = 0; i < xs.Count; i++)
        {
            Guard.Finite(xs[i], $"xs[{i}]");
            Guard.Finite(ys[i], $"ys[{i}]");
        }
        if (xs.Count < 2)
            return double.NaN;

        var rx = AverageRanks(xs);
        var ry = AverageRanks(ys);
        var n = rx.Length;
        var mean = (n + 1) / 2.0; // average ranks always sum to n(n+1)/2
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < n; i++)
        {
            var dx = rx[i] - mean;
            var dy = ry[i] - mean;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0)
            return double.NaN;
        return Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1.0, 1.0);
    }

    /// <summary>1-based ranks; a group of equal values gets the mean of the ranks it occupies.</summary>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var n = values.Count;
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        Array.Sort(order, (a, b) => values[a].CompareTo(values[b]));
        var ranks = new double[n];
        var start = 0;
        while (start < n)
        {
            var end = start;
            while (end + 1 < n && values[order[end + 1]] == values[order[start]])
                end++;
            var rank = (start + end) / 2.0 + 1; // mean of 1-based positions start+1..end+1
            for (var k = start; k <= end; k++)
                ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }
}
