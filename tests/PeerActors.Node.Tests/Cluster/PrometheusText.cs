using System.Text.RegularExpressions;
using Xunit;

namespace PeerActors.Node.Tests.ClusterNodes;

/// <summary>Checks of the Prometheus text exposition format (0.0.4).</summary>
public static partial class PrometheusText
{
    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*=""([^""\\]|\\.)*"",?)*\})? -?([0-9.eE+-]+|NaN|\+Inf|-Inf)( -?[0-9]+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)( .*)?$")]
    private static partial Regex CommentLine();

    /// <summary>Every line is a HELP/TYPE comment or a sample line; TYPE values are known types.</summary>
    public static void AssertValid(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var m = CommentLine().Match(line);
                Assert.True(m.Success, $"bad comment line: {line}");
                if (m.Groups[1].Value == "TYPE")
                    Assert.Contains(m.Groups[3].Value.Trim(), new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                continue;
            }
            Assert.True(SampleLine().IsMatch(line), $"bad sample line: {line}");
        }
    }

    /// <summary>
    /// True when <paramref name="names"/> has the family of a System.Diagnostics.Metrics instrument of the
    /// PeerActors meter: prometheus-net's MeterAdapter names it "{meter}_{instrument}" with '-' and '.' as '_'
    /// (e.g. peeractors_ingress_bytes); an OpenTelemetry exporter may drop the meter prefix.
    /// </summary>
    public static bool HasInstrument(IReadOnlySet<string> names, string instrument)
    {
        var bare = instrument.Replace('-', '_').Replace('.', '_').ToLowerInvariant();
        return names.Contains(bare) || names.Contains("peeractors_" + bare) || names.Contains(bare + "_total")
            || names.Contains("peeractors_" + bare + "_total");
    }

    /// <summary>Metric family names declared by TYPE lines.</summary>
    public static HashSet<string> MetricNames(string text) =>
        text.Split('\n').Select(l => CommentLine().Match(l)).Where(m => m.Success && m.Groups[1].Value == "TYPE")
            .Select(m => m.Groups[2].Value).ToHashSet();
}
