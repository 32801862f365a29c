using PeerActors.Node.Replay;
using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

/// <summary>Independent sums over a CSV slice (plain text parsing, not the replay readers).</summary>
internal sealed record SliceSums(int Sessions, long Chunks, long Bytes, int Peers, int Senders)
{
    /// <summary>Writes the header and the first <paramref name="n"/> data lines of the bundled sample to a temp file.</summary>
    public static (string Path, SliceSums Sums) FirstSessionsOfSample(int n)
    {
        var lines = File.ReadAllLines(Bundled("sample.csv"));
        var slice = lines.Take(n + 1).ToArray();
        var path = WriteText(TempDir(), $"sample-first-{n}.csv", string.Join("\n", slice) + "\n");
        var header = SplitCsvLine(slice[0]);
        int Col(string c) => Array.IndexOf(header, c);
        long chunks = 0, bytes = 0;
        var peers = new HashSet<string>();
        var senders = new HashSet<string>();
        foreach (var line in slice.Skip(1))
        {
            var f = SplitCsvLine(line);
            chunks += long.Parse(f[Col("cnt")], CultureInfo.InvariantCulture);
            bytes += long.Parse(f[Col("total_bytes")], CultureInfo.InvariantCulture);
            peers.Add(f[Col("pid1")]);
            peers.Add(f[Col("pid2")]);
            senders.Add(f[Col("pid2")]);
        }
        return (path, new SliceSums(slice.Length - 1, chunks, bytes, peers.Count, senders.Count));
    }
}

public sealed class ReplayRunnerTests
{
    private static ReplayRunner Runner(FakeReplayPeers peers) =>
        new(peers, new ResourceManagerReplayLimits(ConcreteLimitConfig.Infinite), new StatsReplaySelector(), new ReplayRunOptions { TopCount = 5 });

    [Fact]
    public async Task Report_totals_equal_independent_sums_of_the_file_and_a_second_run_recovers_every_peer()
    {
        var (path, sums) = SliceSums.FirstSessionsOfSample(100);
        var input = SessionSource.Read([path], strict: true);
        var peers = new FakeReplayPeers();

        var first = await Runner(peers).RunAsync(input);
        var second = await Runner(peers).RunAsync(input);

        Assert.Equal((sums.Sessions, sums.Chunks, sums.Peers, sums.Bytes), (first.Sessions, first.Chunks, first.Peers, first.IngressBytesTotal));
        Assert.Equal(sums.Bytes, first.ExpectedIngressBytes);
        Assert.True(first.IngressBytesMatch);
        Assert.Empty(first.Problems);
        Assert.Equal((0, sums.Peers), (first.RecoveredPeers, first.NewPeers));
        Assert.Equal(5, first.TopPeersByScore.Count);
        Assert.Equal(sums.Senders, first.SpearmanPairs);
        Assert.NotNull(first.SpearmanScoreVsThroughput);

        // Same peers again: all recovered; the delta is still exactly this run's bytes.
        Assert.Equal((sums.Peers, 0), (second.RecoveredPeers, second.NewPeers));
        Assert.Equal(sums.Bytes, second.IngressBytesTotal);
        Assert.Equal(2 * sums.Bytes, second.IngressBytesAfter);
        Assert.Equal(first.Channels, second.ChannelsAlreadyOpen);
        Assert.Empty(second.Problems);
        Assert.Contains("history recovered from the journal", second.ToText());
    }

    [Fact]
    public async Task Json_report_has_the_documented_keys()
    {
        var (path, _) = SliceSums.FirstSessionsOfSample(20);
        var report = await Runner(new FakeReplayPeers()).RunAsync(SessionSource.Read([path], strict: true));

        using var doc = JsonDocument.Parse(report.ToJson());
        var root = doc.RootElement;
        foreach (var key in new[] { "sessions", "chunks", "peers", "ingressBytesTotal", "eventsPerSecond", "recoveredPeers", "limitBlocks", "topPeersMatchReference",
                     "topPeersByScore", "spearmanScoreVsThroughput", "wallSeconds", "rowsSkipped", "files" })
            Assert.True(root.TryGetProperty(key, out _), $"missing key {key}");
        var top = root.GetProperty("topPeersByScore")[0];
        foreach (var key in new[] { "id", "score", "srttMs", "successRate", "uptimeFraction", "flapCount", "ingressBytes" })
            Assert.True(top.TryGetProperty(key, out _), $"missing key topPeersByScore[0].{key}");
        Assert.Equal(report.Sessions, root.GetProperty("sessions").GetInt32());
        Assert.Equal(report.IngressBytesTotal, root.GetProperty("ingressBytesTotal").GetInt64());
    }

    [Fact]
    public async Task Top_peers_are_in_descending_score_order_with_their_stats()
    {
        var (path, _) = SliceSums.FirstSessionsOfSample(100);
        var report = await Runner(new FakeReplayPeers()).RunAsync(SessionSource.Read([path], strict: true));

        var scores = report.TopPeersByScore.Select(p => p.Score).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.All(report.TopPeersByScore, p => Assert.InRange(p.SuccessRate, 0, 1));
    }
}
