namespace PeerActors.Benchmarks.Harness;

/// <summary>Nearest-rank percentiles over recorded samples.</summary>
public static class Percentiles
{
    /// <summary>The p-th percentile (0–100) of <paramref name="samples"/> by nearest rank; NaN when empty.</summary>
    public static double Of(IReadOnlyList<double> samples, double p)
    {
        if (samples.Count == 0) return double.NaN;
        var sorted = samples.ToArray();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
