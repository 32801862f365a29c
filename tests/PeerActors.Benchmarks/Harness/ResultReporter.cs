using System.Globalization;

namespace PeerActors.Benchmarks.Harness;

/// <summary>
/// Prints the machine-readable lines of shared/BENCHMARKS.md:
/// <c>RESULT suite.metric value=V unit=U baseline=B ratio=R [p50=.. p99=..]</c>, where the baseline is
/// measured in the same run and the ratio is oriented so that bigger is better.
/// </summary>
public sealed class ResultReporter(TextWriter output)
{
    private readonly List<string> _lines = new();

    /// <summary>The RESULT lines printed so far.</summary>
    public IReadOnlyList<string> Lines => _lines;

    /// <summary>A throughput-like figure (bigger is better): ratio = value / baseline.</summary>
    public void Throughput(string suite, string metric, double value, string unit, double baseline) =>
        Emit(suite, metric, value, unit, baseline, baseline == 0 ? double.NaN : value / baseline, null, null);

    /// <summary>A latency-like figure (smaller is better): ratio = baseline / value; prints p50 and p99.</summary>
    public void Latency(string suite, string metric, double value, string unit, double baseline, double p50, double p99) =>
        Emit(suite, metric, value, unit, baseline, value == 0 ? double.NaN : baseline / value, p50, p99);

    /// <summary>A figure with an explicit ratio (e.g. "lower is better" counts, where ratio = target / value).</summary>
    public void Figure(string suite, string metric, double value, string unit, double baseline, double ratio) =>
        Emit(suite, metric, value, unit, baseline, ratio, null, null);

    private void Emit(string suite, string metric, double value, string unit, double baseline, double ratio, double? p50, double? p99)
    {
        var ci = CultureInfo.InvariantCulture;
        var line = string.Create(ci,
            $"RESULT {suite}.{metric} value={Fmt(value)} unit={unit} baseline={Fmt(baseline)} ratio={Fmt(ratio)}");
        if (p50 is { } a && p99 is { } b) line += string.Create(ci, $" p50={Fmt(a)} p99={Fmt(b)}");
        _lines.Add(line);
        output.WriteLine(line);
    }

    private static string Fmt(double v) =>
        double.IsNaN(v) ? "NaN" : Math.Abs(v) >= 1000 ? v.ToString("0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);
}
