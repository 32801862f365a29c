using PeerActors.Core.ResourceManager;
using PeerActors.Core.Selection;
using PeerActors.Node.Replay;
using PeerActors.Peers;
using Xunit;
using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

/// <summary>Replay of several files streamed (scanned once, re-read as the merge reaches them), per-file totals, and a
/// report that is built from the selector's inputs without asking every peer.</summary>
public sealed class ReplayStreamingTests
{
    /// <summary>The bundled sample split into two CSV files: rows 1–500 and 501–1000 (both span the whole day, so they overlap in time).</summary>
    private static (string A, string B) SplitSample()
    {
        var lines = File.ReadAllLines(Bundled("sample.csv"));
        var dir = TempDir();
        var a = WriteText(dir, "part-a.csv", string.Join("\n", lines.Take(501)) + "\n");
        var b = WriteText(dir, "part-b.csv", string.Join("\n", lines.Take(1).Concat(lines.Skip(501))) + "\n");
        return (a, b);
    }

    /// <summary>The first <paramref name="sessions"/> rows of the bundled sample (2020-07-03) as day 1, and the same rows moved to 2020-07-04 as day 2.</summary>
    private static (string Day1, string Day2) TwoDays(int sessions)
    {
        var lines = File.ReadAllLines(Bundled("sample.csv"));
        var dir = TempDir();
        var day1 = WriteText(dir, "day1.csv", string.Join("\n", lines.Take(sessions + 1)) + "\n");
        var day2 = WriteText(dir, "day2.csv", string.Join("\n",
            lines.Take(1).Concat(lines.Skip(1).Take(sessions).Select(l => l.Replace("2020-07-03", "2020-07-04")))) + "\n");
        return (day1, day2);
    }

    [Fact]
    public async Task A_streamed_plan_of_two_overlapping_files_yields_exactly_the_steps_of_the_in_memory_plan()
    {
        var (a, b) = SplitSample();
        var inMemory = ReplayPlanner.Plan(SessionSource.Read([a, b], strict: true).Records);

        var scan = await SessionSource.ScanAsync([a, b], strict: true, ReplayInputLimits.Default);

        Assert.Equal(inMemory.Steps.ToList(), scan.Plan.Steps.ToList());
        Assert.Equal(inMemory.Totals.TotalIngressBytes, scan.Plan.Totals.TotalIngressBytes);
        Assert.Equal(inMemory.Totals.Chunks, scan.Plan.Totals.Chunks);
        Assert.Equal(inMemory.Totals.DistinctPeers, scan.Peers.Count);
        Assert.Equal([0, 500], scan.Plan.Files.Select(f => f.FirstSession));
        Assert.Equal(inMemory.Totals.TotalIngressBytes, scan.Plan.Files[0].Bytes + scan.Plan.Files[1].Bytes);
        Assert.Throws<InvalidOperationException>(() => scan.Plan.Sessions);
    }

    [Fact]
    public async Task A_streamed_plan_names_each_peer_with_one_string_instance_across_files()
    {
        // Both days hold the same peers: each file read brings new instances of their ids, and what keeps an id for the
        // whole run (delivery marks, selector index, endpoints) must hold one copy per peer, not one per file.
        var (day1, day2) = TwoDays(50);

        var scan = await SessionSource.ScanAsync([day1, day2], strict: true, ReplayInputLimits.Default);
        var steps = scan.Plan.Steps.ToList(); // one pass: each pass reads the files again
        var ids = steps.OfType<ChunkTransferred>().Select(c => c.SenderId).Concat(steps.OfType<PeerActors.Node.Replay.PeerOnline>().Select(p => p.PeerId)).ToList();

        Assert.Contains(ids, id => id.Length > 0);
        Assert.All(ids.GroupBy(id => id, StringComparer.Ordinal),
            g => Assert.All(g, id => Assert.Same(g.First(), id)));
    }

    [Fact]
    public async Task Files_given_out_of_time_order_are_merged_in_time_order_without_holding_every_file()
    {
        // Day 2 given before day 1: the merge must load day 1 first (it starts earlier) and keep time order.
        var (day1, day2) = TwoDays(100);

        var scan = await SessionSource.ScanAsync([day2, day1], strict: true, ReplayInputLimits.Default);
        var steps = scan.Plan.Steps.ToList();

        Assert.True(steps.Zip(steps.Skip(1)).All(p => p.Item1.At <= p.Item2.At), "steps out of time order");
        Assert.Equal(200, steps.OfType<SessionClosed>().Count());
        // Sessions keep the command-line numbering: day2's are 0–99, day1's 100–199.
        Assert.All(steps.Where(s => s.At.Day == 4), s => Assert.InRange(s.SessionIndex, 0, 99));
        Assert.Equal(1, scan.Plan.FileOf(100));
        Assert.Equal(0, scan.Plan.FileOf(99));
    }

    [Fact]
    public async Task The_report_gives_per_file_totals_that_add_up_to_the_whole()
    {
        var (a, b) = SplitSample();
        var scan = await SessionSource.ScanAsync([a, b], strict: true, ReplayInputLimits.Default);
        var runner = new ReplayRunner(new FakeReplayPeers(), new ResourceManagerReplayLimits(ConcreteLimitConfig.Infinite),
            new StatsReplaySelector(), new ReplayRunOptions { TopCount = 3 });

        var report = await runner.RunAsync(scan);

        Assert.Empty(report.Problems);
        Assert.Equal(2, report.PerFile.Count);
        Assert.All(report.PerFile, f => Assert.True(f.Complete, f.ToString()));
        Assert.Equal([500, 500], report.PerFile.Select(f => f.SessionsReplayed));
        Assert.Equal(report.Events, report.PerFile.Sum(f => f.Events));
        Assert.Equal(report.ExpectedIngressBytes, report.PerFile[0].IngressBytesReplayed + report.PerFile[1].IngressBytesReplayed);
        Assert.Contains("part-a.csv", report.ToText());
    }

    [Fact]
    public async Task Memory_is_sampled_once_per_file_when_its_last_session_closes()
    {
        var (day1, day2) = TwoDays(40);
        var scan = await SessionSource.ScanAsync([day1, day2], strict: true, ReplayInputLimits.Default);
        var samples = 0;
        var runner = new ReplayRunner(new FakeReplayPeers(), new ResourceManagerReplayLimits(ConcreteLimitConfig.Infinite), new StatsReplaySelector(),
            new ReplayRunOptions
            {
                TopCount = 3,
                // Each sample's live-actor figure is its ordinal, so the test sees which file got which sample.
                Driver = new ReplayDriverOptions { Memory = () => ReplayMemorySample.Current(() => ++samples) },
            });

        var report = await runner.RunAsync(scan);

        Assert.Equal(2, samples);
        Assert.Equal([1L, 2L], report.PerFile.Select(f => f.Memory!.LivePeerActors));
        Assert.All(report.PerFile, f => Assert.True(f.Memory!.WorkingSetBytes > 0 && f.Memory.GcHeapBytes > 0 && f.Memory.GcCommittedBytes >= f.Memory.GcHeapBytes / 2));
        Assert.Contains("then RSS", report.ToText());
        using var json = ReplayReport.ParseJson(report.ToJson());
        Assert.True(json.RootElement.GetProperty("perFile")[1].GetProperty("memory").GetProperty("workingSetBytes").GetInt64() > 0);
    }

    /// <summary>A selector that holds score inputs of its own (as the selector actor does), computed here from the fake peers' stats.</summary>
    /// <param name="peers">The fake peers whose stats the inputs are computed from.</param>
    /// <param name="missingSender">Leave the top sender out, as after a node died before publishing its last inputs.</param>
    /// <param name="dropped">Peers the selector no longer holds (as after its retention window dropped them).</param>
    /// <param name="shortTop">The top peer's inputs show one request fewer than the peer has.</param>
    /// <param name="retention">The retention window the selector says it has.</param>
    private sealed class InputsSelector(FakeReplayPeers peers, bool missingSender = false, IReadOnlySet<string>? dropped = null,
        bool shortTop = false, TimeSpan? retention = null) : IReplaySelector
    {
        public string Source => "inputs selector";

        public TimeSpan? Retention => retention;

        public Task<IReadOnlyList<ReplayRankedPeer>> SelectWeightedAsync(int count, DateTimeOffset now, IReadOnlyList<PeerStatsReply> finalStats, CancellationToken ct) =>
            new StatsReplaySelector().SelectWeightedAsync(count, now, finalStats, ct);

        public async Task<IReadOnlyList<ReplayRankedInputs>?> RunPeerInputsAsync(IReadOnlySet<string> runPeers,
            Func<IReadOnlyList<ReplayRankedInputs>, bool> settled, DateTimeOffset now, CancellationToken ct)
        {
            var stats = new List<PeerStatsReply>();
            foreach (var id in runPeers.Order(StringComparer.Ordinal))
                if (await peers.AskAsync(new GetPeerStats(id, now), ct) is PeerStatsReply s) stats.Add(s);
            var ranked = PeerSelector.Select(stats.Select(s => s.Stats),
                new SelectionQuery { Strategy = SelectionStrategy.Weighted, Count = stats.Count, Fairness = false }, now, 0, new Random(0));
            var list = ranked.Peers.Select(p => new ReplayRankedInputs(p.PeerId.Value, p.Score, p.Inputs))
                .Where(r => !missingSender || r.Inputs.RequestsSent == 0 || r.PeerId != ranked.Peers[0].PeerId.Value)
                .Where(r => dropped is null || !dropped.Contains(r.PeerId)).ToList();
            if (shortTop) list[0] = list[0] with { Inputs = list[0].Inputs with { RequestsSent = list[0].Inputs.RequestsSent - 1 } };
            Assert.Equal(!missingSender && !shortTop, settled(list));
            peers.Sent.Clear(); // only what the runner asks afterwards counts
            return list;
        }
    }

    /// <summary>Replays <paramref name="scan"/> to fake peers with unlimited limits and a report of the top 5.</summary>
    private static Task<ReplayReport> RunTop5(SessionScan scan, FakeReplayPeers peers, IReplaySelector selector) =>
        new ReplayRunner(peers, new ResourceManagerReplayLimits(ConcreteLimitConfig.Infinite), selector, new ReplayRunOptions { TopCount = 5 })
            .RunAsync(scan);

    [Fact]
    public async Task With_a_selector_holding_inputs_the_report_asks_only_the_top_peers_and_its_checks_still_hold()
    {
        var (path, sums) = SliceSums.FirstSessionsOfSample(200);
        var scan = await SessionSource.ScanAsync([path], strict: true, ReplayInputLimits.Default);
        var peers = new FakeReplayPeers();
        var report = await RunTop5(scan, peers, new InputsSelector(peers));

        Assert.Empty(report.Problems);
        Assert.Equal(ReplayReport.FromSelectorInputs, report.ReportSource);
        Assert.Equal(sums.Bytes, report.IngressBytesTotal);
        Assert.Equal(sums.Chunks, report.RequestsApplied);
        Assert.Equal(sums.Senders, report.SpearmanPairs);
        Assert.Equal(5, report.TopPeersByScore.Count);
        Assert.True(report.TopPeersMatchReference);
        // Woken for the report: the 5 top peers only (not the 200-session slice's every peer).
        Assert.Equal(5, peers.Sent.OfType<GetPeerStats>().Select(m => m.PeerId).Distinct().Count());
    }

    [Fact]
    public async Task When_the_selectors_inputs_fall_short_of_the_chunks_the_report_asks_every_peer_and_stays_exact()
    {
        var (path, sums) = SliceSums.FirstSessionsOfSample(200);
        var scan = await SessionSource.ScanAsync([path], strict: true, ReplayInputLimits.Default);
        var peers = new FakeReplayPeers();
        var report = await RunTop5(scan, peers, new InputsSelector(peers, missingSender: true));

        Assert.Empty(report.Problems);
        Assert.Equal(ReplayReport.FromFinalStats, report.ReportSource);
        Assert.Equal(sums.Bytes, report.IngressBytesTotal);
        Assert.Equal(sums.Chunks, report.RequestsApplied);
    }

    [Fact]
    public async Task With_a_retention_window_the_peers_the_selector_dropped_are_expected_and_the_ones_it_holds_are_checked_one_by_one()
    {
        var (path, sums) = SliceSums.FirstSessionsOfSample(200);
        var scan = await SessionSource.ScanAsync([path], strict: true, ReplayInputLimits.Default);
        var senders = scan.Plan.Totals.PerSender.Keys.Order(StringComparer.Ordinal).ToArray();
        var dropped = senders.Take(7).Concat(scan.Plan.Totals.Peers.Where(p => !senders.Contains(p)).Take(3)).ToHashSet(StringComparer.Ordinal);
        var peers = new FakeReplayPeers();
        var report = await RunTop5(scan, peers, new InputsSelector(peers, dropped: dropped, retention: TimeSpan.FromDays(7)));

        Assert.Empty(report.Problems);
        Assert.Equal(ReplayReport.FromSelectorInputs, report.ReportSource);
        Assert.Equal(10, report.SelectorDroppedPeers);
        Assert.Equal(sums.Chunks, report.RequestsApplied);
        Assert.Equal(sums.Bytes, report.IngressBytesTotal);
        Assert.Equal(sums.Senders - 7, report.SpearmanPairs);
        Assert.Contains("selector retention", report.ToText());
    }

    [Fact]
    public async Task With_a_retention_window_a_held_peer_short_of_its_requests_still_sends_the_report_to_the_peers()
    {
        var (path, sums) = SliceSums.FirstSessionsOfSample(200);
        var scan = await SessionSource.ScanAsync([path], strict: true, ReplayInputLimits.Default);
        var peers = new FakeReplayPeers();
        var report = await RunTop5(scan, peers, new InputsSelector(peers, shortTop: true, retention: TimeSpan.FromDays(7)));

        Assert.Empty(report.Problems);
        Assert.Equal(ReplayReport.FromFinalStats, report.ReportSource);
        Assert.Equal(0, report.SelectorDroppedPeers);
        Assert.Equal(sums.Chunks, report.RequestsApplied);
    }
}
