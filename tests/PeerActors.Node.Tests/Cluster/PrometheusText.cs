using System.Text.RegularExpressions;

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

    /// <summary>TYPE of each metric family declared in <paramref name="text"/> (family name → type).</summary>
    public static Dictionary<string, string> Types(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in text.Split('\n').Select(l => CommentLine().Match(l)).Where(m => m.Success && m.Groups[1].Value == "TYPE"))
            types[m.Groups[2].Value] = m.Groups[3].Value.Trim();
        return types;
    }
}
