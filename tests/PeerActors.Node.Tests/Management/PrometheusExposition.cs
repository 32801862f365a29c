using System.Diagnostics.Metrics;

namespace PeerActors.Node.Tests.Management;

/// <summary>One metric family of a Prometheus text exposition.</summary>
public sealed record PrometheusFamily(string Name, string Type, string Help, List<(string Series, string Labels, double Value)> Samples);

/// <summary>
/// Parses Prometheus text exposition (0.0.4) and checks what a Prometheus user expects of PeerActors' series:
/// every family has TYPE and HELP, HELP is prose (no CLR type names such as <c>Counter`1</c>), counters are typed
/// <c>counter</c> and end in <c>_total</c>, nothing typed gauge ends in <c>_total</c>, and every System.Diagnostics.Metrics
/// <see cref="Counter{T}"/> of the PeerActors meters is exported as a counter.
/// </summary>
public static class PrometheusExposition
{
    /// <summary>Families by name.</summary>
    public static Dictionary<string, PrometheusFamily> Parse(string text)
    {
        var families = new Dictionary<string, PrometheusFamily>(StringComparer.Ordinal);
        PrometheusFamily Family(string name) =>
            families.TryGetValue(name, out var f) ? f : families[name] = new PrometheusFamily(name, "", "", []);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal) || line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', 4);
                var name = parts[2];
                var rest = parts.Length > 3 ? parts[3] : "";
                families[name] = line[2] == 'T' ? Family(name) with { Type = rest } : Family(name) with { Help = rest };
                continue;
            }
            if (line.StartsWith('#')) continue;
            var brace = line.IndexOf('{');
            var space = line.LastIndexOf(' ');
            Assert.True(space > 0, $"sample line without value: {line}");
            var series = brace > 0 && brace < space ? line[..brace] : line[..space];
            var labels = brace > 0 && brace < space ? line[(brace + 1)..line.LastIndexOf('}')] : "";
            Assert.Matches("^[a-zA-Z_:][a-zA-Z0-9_:]*$", series);
            var value = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            var owner = families.Keys.Where(k => series == k || series.StartsWith(k + "_", StringComparison.Ordinal))
                .OrderByDescending(k => k.Length).FirstOrDefault();
            Assert.True(owner is not null, $"sample {series} has no TYPE line");
            families[owner!].Samples.Add((series, labels, value));
        }
        return families;
    }

    /// <summary>
    /// Asserts the conventions above on every <c>peeractors_</c> family of <paramref name="text"/>, and that each
    /// counter instrument in <paramref name="counters"/> (instrument names of PeerActors meters) is exported as
    /// <c>peeractors_{name}[_unit]_total</c> typed <c>counter</c>.
    /// </summary>
    public static Dictionary<string, PrometheusFamily> AssertConventions(string text, IEnumerable<string> counters)
    {
        var families = Parse(text);
        foreach (var f in families.Values.Where(f => f.Name.StartsWith("peeractors_", StringComparison.Ordinal)))
        {
            Assert.True(f.Type is "counter" or "gauge" or "histogram", $"{f.Name}: TYPE '{f.Type}'");
            Assert.False(string.IsNullOrWhiteSpace(f.Help), $"{f.Name}: no HELP");
            Assert.DoesNotContain('`', f.Help);
            if (f.Type == "counter") Assert.EndsWith("_total", f.Name);
            else Assert.False(f.Name.EndsWith("_total", StringComparison.Ordinal), $"{f.Name} ends in _total but is typed {f.Type}");
        }
        foreach (var counter in counters)
        {
            var stem = "peeractors_" + counter.Replace('-', '_').Replace('.', '_');
            var family = families.Values.FirstOrDefault(f => f.Name.StartsWith(stem, StringComparison.Ordinal)
                && f.Name.EndsWith("_total", StringComparison.Ordinal) && f.Name.Length <= stem.Length + "_bytes_total".Length);
            var asGauge = families.Values.FirstOrDefault(f => f.Name == stem || f.Name == stem + "_bytes");
            Assert.True(asGauge is null || asGauge.Type != "gauge", $"counter '{counter}' is exported as a gauge ({asGauge?.Name})");
            Assert.True(family is not null, $"counter '{counter}' is not exported as {stem}[_unit]_total");
            Assert.Equal("counter", family!.Type);
        }
        return families;
    }

    /// <summary>Names of the <see cref="Counter{T}"/> instruments published on meters named <c>PeerActors</c>.</summary>
    public static List<string> PeerActorsCounters()
    {
        _ = PeerActors.Diagnostics.PeerActorsMetrics.IngressBytes; // the static instruments exist once the class is touched
        var names = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == "PeerActors" && instrument.GetType().IsGenericType
                && instrument.GetType().GetGenericTypeDefinition() == typeof(Counter<>))
                lock (names) names.Add(instrument.Name);
        };
        listener.Start();
        return names.Distinct().ToList();
    }
}
