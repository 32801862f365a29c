using System.Diagnostics;
using PeerActors.Peers;

namespace PeerActors.Node.Replay;

/// <summary>Settings of a <see cref="ReplayRunner"/>.</summary>
public sealed record ReplayRunOptions
{
    /// <summary>Driver settings (speed, backpressure).</summary>
    public ReplayDriverOptions Driver { get; init; } = new();

    /// <summary>Size of <see cref="ReplayReport.TopPeersByScore"/>. Default 10.</summary>
    public int TopCount { get; init; } = 10;

    /// <summary>Concurrent queries when asking every peer for its stats before and after. Default 128.</summary>
    public int QueryParallelism { get; init; } = 128;

    /// <summary>Data directory shown in the report.</summary>
    public string DataDirectory { get; init; } = "";

    /// <summary>
    /// Resuming an interrupted run: its baseline replaces the "before" query (the peers already hold part of this very
    /// input), and the gains are checked as Σ after − baseline. Null for a fresh run.
    /// </summary>
    public ReplayBaseline? ResumeFrom { get; init; }

    /// <summary>Called with the totals before a fresh run begins (so that a later <c>--resume</c> can use them).</summary>
    public Action<ReplayBaseline>? BaselineTaken { get; init; }
}

/// <summary>
/// One replay end to end: plans the sessions, asks every peer of the plan for its stats (a peer that answers is
/// <em>recovered</em> from the journal, <c>peer not found</c> = new; with an <see cref="IReplayJournalIndex"/> only the
/// peers the journal lists are asked, the others are new), drives the plan (<see cref="ReplayDriver"/>), asks every
/// peer again (its replies come after every observation sent to it, so all are applied), cross-checks the ingress
/// bytes against the planner's total, ranks the peers (Weighted) and correlates scores with observed throughput.
/// </summary>
public sealed class ReplayRunner
{
    private readonly IReplayPeers _peers;
    private readonly IReplayLimits _limits;
    private readonly IReplaySelector _selector;
    private readonly ReplayRunOptions _options;

    /// <summary>Creates a runner.</summary>
    public ReplayRunner(IReplayPeers peers, IReplayLimits limits, IReplaySelector selector, ReplayRunOptions? options = null)
    {
        _peers = peers ?? throw new ArgumentNullException(nameof(peers));
        _limits = limits ?? throw new ArgumentNullException(nameof(limits));
        _selector = selector ?? throw new ArgumentNullException(nameof(selector));
        _options = options ?? new ReplayRunOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.TopCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.QueryParallelism, 1);
    }

    /// <summary>Runs the replay of <paramref name="input"/> and builds the report.</summary>
    /// <param name="input">What <see cref="SessionSource.Read(IEnumerable{string}, bool)"/> returned.</param>
    /// <param name="progress">Progress callback of the driver.</param>
    /// <param name="status">One-line status messages (phases), or null.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The report.</returns>
    /// <exception cref="Core.Validation.InvalidInputException">A record breaks the planner's rules.</exception>
    public Task<ReplayReport> RunAsync(SessionReadResult input, Action<ReplayProgressState>? progress = null,
        Action<string>? status = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return RunAsync(ReplayPlanner.Plan(input.Records), input.Diagnostics, progress, status, ct);
    }

    /// <summary>Runs the streamed replay of <paramref name="input"/> (the files are read again as the replay reaches them) and builds the report.</summary>
    /// <param name="input">What <see cref="SessionSource.ScanAsync(IReadOnlyList{string}, bool, ReplayInputLimits, Action{string}?, CancellationToken)"/> returned.</param>
    /// <param name="progress">Progress callback of the driver.</param>
    /// <param name="status">One-line status messages (phases), or null.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The report, with per-file totals.</returns>
    public Task<ReplayReport> RunAsync(SessionScan input, Action<ReplayProgressState>? progress = null,
        Action<string>? status = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return RunAsync(input.Plan, input.Diagnostics, progress, status, ct);
    }

    private async Task<ReplayReport> RunAsync(ReplayPlan plan, ReadDiagnostics diagnostics,
        Action<ReplayProgressState>? progress, Action<string>? status, CancellationToken ct)
    {
        var wall = Stopwatch.StartNew();
        var totals = plan.Totals;
        var end = totals.LastTs ?? DateTimeOffset.UnixEpoch;
        // The run's peers are the plan's peer table (ids interned once for the whole run); what the runner keeps across
        // the replay is per recovered peer only.
        var peerIds = totals.Peers;
        var problems = new List<string>();

        // The recovered peers' counters before the replay (a peer without an entry is new), and their sums.
        Dictionary<string, PeerBefore> before;
        int recovered;
        Int128 baseIngress;
        long baseRequests;
        if (_options.ResumeFrom is { } resume)
        {
            before = new Dictionary<string, PeerBefore>(StringComparer.Ordinal);
            recovered = resume.RecoveredPeers;
            (baseIngress, baseRequests) = (resume.IngressBefore, resume.RequestsBefore);
            status?.Invoke("resuming an interrupted run: the peers skip what they had persisted of it (reliable-delivery marks)");
        }
        else
        {
            status?.Invoke(string.Create(CultureInfo.InvariantCulture, $"checking the journal for {peerIds.Count:N0} peers..."));
            before = await StatsBeforeAsync(peerIds, end, ct).ConfigureAwait(false);
            recovered = before.Count;
            (baseIngress, baseRequests) = (before.Values.Aggregate(Int128.Zero, (sum, b) => sum + b.IngressBytes),
                before.Values.Sum(b => (long)b.RequestsSent));
            _options.BaselineTaken?.Invoke(new ReplayBaseline(baseIngress, baseRequests, recovered));
        }
        if (_options.ResumeFrom is null) status?.Invoke(recovered > 0
            ? string.Create(CultureInfo.InvariantCulture,
                $"history recovered from the journal for {recovered:N0} of {peerIds.Count:N0} peers ({wall.Elapsed.TotalSeconds:F1} s)")
            : string.Create(CultureInfo.InvariantCulture, $"no history in the journal for these peers: all {peerIds.Count:N0} are new ({wall.Elapsed.TotalSeconds:F1} s)"));

        status?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"replaying {totals.Sessions:N0} sessions ({totals.Chunks:N0} chunks) at {SpeedText(_options.Driver.Speed)} speed..."));
        var driver = new ReplayDriver(_peers, _limits, _options.Driver);
        var drive = await driver.RunAsync(plan, progress, ct).ConfigureAwait(false);

        status?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"replayed {drive.Events:N0} events in {drive.Elapsed.TotalSeconds:F1} s"));
        if (_peers is ShardRegionReplayPeers reliable && await reliable.DeliveryStatsAsync(ct).ConfigureAwait(false) is { } d)
            status?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"reliable delivery: {d.Produced:N0} observations in {d.BatchesSent:N0} batches ({(d.BatchesSent == 0 ? 0 : (double)d.Produced / d.BatchesSent):F1} per batch), {d.ItemsResent:N0} resent"));
        // The report comes from the selector's own inputs and the replay's tallies when the selector holds inputs: asking
        // every peer would wake every passivated peer from the journal, one by one (minutes at a month of data).
        status?.Invoke("collecting the report from the selector's score inputs (no peer is woken)...");
        // With a retention window the selector no longer holds the run's peers that went quiet long before the end, so
        // the run's total cannot be met: each peer it does hold must then show exactly its recovered count plus its chunks.
        // (A resumed run knows only the recovered total, not each peer's, so it keeps the total check.)
        var perPeer = _selector.Retention is not null && _options.ResumeFrom is null;
        (long Before, long Chunks) Expected(IReadOnlyList<ReplayRankedInputs> l) =>
            perPeer ? ExpectedRequests(l, before, totals) : (baseRequests, totals.Chunks);
        var rankedInputs = await _selector.RunPeerInputsAsync(peerIds,
            l => Expected(l) is var (b, c) && SumRequests(l) >= b + c, end, ct).ConfigureAwait(false);
        if (rankedInputs is not null && Expected(rankedInputs) is var (expectedBefore, expectedChunks)
            && SumRequests(rankedInputs) != expectedBefore + expectedChunks)
        {
            // The selector's picture is short (or over): a node that died right after persisting took its last unpublished
            // score inputs with it, and a peer that gets no further message never publishes them again. The journal is
            // right (the delivery producer made sure of it), so ask the peers themselves.
            status?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"the selector's inputs account for {SumRequests(rankedInputs) - expectedBefore:N0} of the {expectedChunks:N0} requests they should (a node may have died before publishing); asking the peers instead"));
            rankedInputs = null;
        }
        var dropped = rankedInputs is not null && perPeer ? peerIds.Count - rankedInputs.Count : 0;
        if (dropped > 0)
            status?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"the selector no longer holds {dropped:N0} of the run's {peerIds.Count:N0} peers (inactive for longer than its retention window, {_selector.Retention}); the {rankedInputs!.Count:N0} it holds account exactly for their requests"));
        if (rankedInputs is not null && await _selector.SaveSnapshotNowAsync(ct).ConfigureAwait(false) is { } notSaved)
            status?.Invoke($"the selector's snapshot was not saved now ({notSaved}): the node's next start catches up from an older offset");
        var outcome = rankedInputs is not null
            ? await FromSelectorInputsAsync(rankedInputs, totals, drive, baseIngress, Expected(rankedInputs).Before, perPeer, end, problems, ct)
                .ConfigureAwait(false)
            : await FromFinalStatsAsync(before, totals, end, problems, status, wall, ct).ConfigureAwait(false);
        var (ingress, ingressAfter, requests, top, matchesReference, rho, spearmanPairs) = outcome;
        if (ingress != totals.TotalIngressBytes)
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"INGRESS MISMATCH: the peer actors gained {ingress:N0} ingress bytes, the input sums to {totals.TotalIngressBytes:N0} (difference {ingress - totals.TotalIngressBytes:N0})"));
        if (requests != totals.Chunks)
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"REQUEST MISMATCH: the peer actors gained {requests:N0} requests, the input has {totals.Chunks:N0} chunks"));
        if (drive.Rejections > 0)
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"{drive.Rejections:N0} critical commands rejected, e.g. {string.Join("; ", drive.FirstRejections)}"));
        status?.Invoke(string.Create(CultureInfo.InvariantCulture, $"report built ({wall.Elapsed.TotalSeconds:F1} s)"));

        return new ReplayReport
        {
            Files = diagnostics.Files.Select(f => new ReplayReportFile(f.File, f.Format, f.RowsRead, f.RowsSkipped)).ToList(),
            PerFile = plan.Files.Select((f, i) => new ReplayFileTotals(f.File, f.Sessions, drive.PerFile[i].SessionsClosed, f.Chunks,
                drive.PerFile[i].Chunks, f.Bytes, drive.PerFile[i].ChunkBytes, drive.PerFile[i].Events, f.FirstStart, f.LastEnd)
            {
                Memory = drive.PerFile[i].Memory,
            }).ToList(),
            RowsSkipped = diagnostics.RowsSkipped,
            LivePeerActorsMax = drive.LivePeerActorsMax,
            SelectorDroppedPeers = _selector.Retention is null ? null : dropped,
            DriverWaits = drive.Waits,
            Sessions = drive.SessionsClosed,
            Chunks = drive.Chunks,
            Peers = totals.DistinctPeers,
            Receivers = totals.DistinctReceivers,
            Senders = totals.DistinctSenders,
            Channels = totals.Channels,
            IngressBytesTotal = ingress,
            ReportSource = rankedInputs is not null ? ReplayReport.FromSelectorInputs : ReplayReport.FromFinalStats,
            ExpectedIngressBytes = totals.TotalIngressBytes,
            IngressBytesAfter = ingressAfter,
            RequestsApplied = requests,
            Events = drive.Events,
            EventsPerSecond = drive.EventsPerSecond,
            ReplayWallSeconds = drive.Elapsed.TotalSeconds,
            WallSeconds = wall.Elapsed.TotalSeconds,
            Speed = SpeedText(_options.Driver.Speed),
            TraceStart = totals.FirstTs,
            TraceEnd = totals.LastTs,
            RecoveredPeers = recovered,
            Resumed = _options.ResumeFrom is not null,
            NewPeers = peerIds.Count - recovered,
            LimitBlocks = drive.LimitBlocks,
            LimitsSource = _limits.Description,
            ChannelsOpened = drive.ChannelsOpened,
            ChannelsAlreadyOpen = drive.ChannelsAlreadyOpen,
            Rejections = drive.Rejections,
            TopPeersByScore = top,
            TopPeersSource = _selector.Source,
            TopPeersMatchReference = matchesReference,
            SpearmanScoreVsThroughput = double.IsNaN(rho) ? null : rho,
            SpearmanPairs = spearmanPairs,
            Problems = problems,
            DataDirectory = _options.DataDirectory,
        };
    }

    private sealed record Outcome(Int128 Ingress, Int128 IngressAfter, long Requests, List<ReplayTopPeer> Top, bool MatchesReference,
        double Rho, int SpearmanPairs);

    /// <summary>
    /// What the peers of <paramref name="ranked"/> must show after the run: each its count recovered before the run plus
    /// the chunks it sent in the run (a receiver sends none).
    /// </summary>
    private static (long Before, long Chunks) ExpectedRequests(IReadOnlyList<ReplayRankedInputs> ranked, Dictionary<string, PeerBefore> before,
        ReplayTotals totals)
    {
        long recovered = 0, chunks = 0;
        foreach (var r in ranked)
        {
            if (before.TryGetValue(r.PeerId, out var b)) recovered += (long)b.RequestsSent;
            chunks += totals.ChunksOf(r.PeerId); // no SenderTotals made: this runs on every poll of the selector
        }
        return (recovered, chunks);
    }

    private static long SumRequests(IReadOnlyList<ReplayRankedInputs> ranked)
    {
        long sum = 0;
        foreach (var r in ranked) sum += (long)r.Inputs.RequestsSent;
        return sum;
    }

    /// <summary>
    /// The report's figures without waking any peer but the top N: requests from the selector's inputs (what the peers
    /// published after persisting), ingress from the replay's tally of chunk bytes every peer acknowledged, Spearman over
    /// the selector's scores, and the final stats of only the top N (asked, to show SRTT, flaps, uptime).
    /// </summary>
    /// <c>baseRequests</c> = what the ranked peers held before the run (the run's recovered total without <c>partial</c>).
    /// <c>partial</c> = the selector dropped inactive peers (retention): the senders it no longer holds are expected, and their
    /// chunks count from the replay's tally (each acknowledged by its peer) instead of from the selector.
    private async Task<Outcome> FromSelectorInputsAsync(IReadOnlyList<ReplayRankedInputs> ranked, ReplayTotals totals, ReplayDriveResult drive,
        Int128 baseIngress, long baseRequests, bool partial, DateTimeOffset end, List<string> problems, CancellationToken ct)
    {
        var requests = SumRequests(ranked) - baseRequests;
        var byId = new Dictionary<string, ReplayRankedInputs>(ranked.Count, StringComparer.Ordinal);
        foreach (var r in ranked) byId[r.PeerId] = r;
        long droppedChunks = 0;
        var unknownSenders = 0;
        foreach (var (id, s) in totals.PerSender)
        {
            if (byId.ContainsKey(id)) continue;
            unknownSenders++;
            droppedChunks += s.Chunks;
        }
        if (partial) requests += droppedChunks;
        else if (unknownSenders > 0)
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{unknownSenders:N0} senders of the input are unknown to the selector after the replay"));

        // Spearman: each sender's Weighted score with w = 0 (score · payment_reliability_multiplier) vs its mean observed throughput.
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var (id, s) in totals.PerSender.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!byId.TryGetValue(id, out var r) || !double.IsFinite(s.MeanObservedThroughputKBps)) continue;
            xs.Add(r.Inputs.BaseScore * r.Inputs.PaymentMultiplier);
            ys.Add(s.MeanObservedThroughputKBps);
        }

        var topIds = ranked.Take(_options.TopCount).Select(r => r.PeerId).ToArray();
        var finals = (await StatsAsync(topIds, end, ct).ConfigureAwait(false)).Values.ToList();
        var finalsById = finals.ToDictionary(f => f.Stats.PeerId.Value, StringComparer.Ordinal);
        // Cross-check: the reference ranking of these peers' final stats has the selector's order, and the selector's inputs
        // are the peers' own (same request counts).
        // Same query as the selector's (Weighted, no fairness, w = 0).
        var reference = Core.Selection.PeerSelector.Select(finals.Select(f => f.Stats),
            new Core.Selection.SelectionQuery { Strategy = Core.Selection.SelectionStrategy.Weighted, Count = Math.Max(1, topIds.Length), Fairness = false },
            end, 0, new Random(0));
        var matches = reference.Peers.Select(p => p.PeerId.Value).SequenceEqual(topIds, StringComparer.Ordinal)
            && topIds.All(id => finalsById.TryGetValue(id, out var f) && f.Stats.RequestsSent == byId[id].Inputs.RequestsSent);
        var top = new List<ReplayTopPeer>();
        foreach (var id in topIds)
        {
            if (!finalsById.TryGetValue(id, out var st)) continue;
            var uptime = await UptimeFractionAsync(id, totals.ChannelsOf(id), end, ct).ConfigureAwait(false);
            top.Add(new ReplayTopPeer(id, byId[id].Score, st.Stats.SrttMs, st.SuccessRate, uptime, st.FlapCount, st.IngressBytes));
        }
        var ingress = drive.ChunkBytes;
        return new Outcome(ingress, baseIngress + ingress, requests, top, matches, Spearman.RankCorrelation(xs, ys), xs.Count);
    }

    /// <summary>The report's figures from every peer's final stats (every peer is asked): for selectors without inputs of their own.</summary>
    private async Task<Outcome> FromFinalStatsAsync(Dictionary<string, PeerBefore> before, ReplayTotals totals,
        DateTimeOffset end, List<string> problems, Action<string>? status, Stopwatch wall, CancellationToken ct)
    {
        // Ordinal order: the final stats go to the ranking in this order.
        var peerIds = totals.Peers.Order(StringComparer.Ordinal).ToArray();
        status?.Invoke(string.Create(CultureInfo.InvariantCulture, $"asking all {peerIds.Length:N0} peers for their final stats..."));
        var after = await StatsAsync(peerIds, end, ct).ConfigureAwait(false);
        var finals = new List<PeerStatsReply>(peerIds.Length);
        // 128-bit sums: Σ over peers of 64-bit counters cannot overflow (two senders of 2^63−1 bytes each are fine).
        Int128 ingress = 0, ingressAfter = 0;
        long requests = 0;
        var missing = 0;
        foreach (var id in peerIds)
        {
            if (!after.TryGetValue(id, out var a))
            {
                missing++;
                continue;
            }
            finals.Add(a);
            var b = before.GetValueOrDefault(id);
            ingress += (Int128)a.IngressBytes - b.IngressBytes;
            ingressAfter += a.IngressBytes;
            requests += (long)(a.Stats.RequestsSent - b.RequestsSent);
        }
        if (_options.ResumeFrom is { } from)
        {
            ingress -= from.IngressBefore;
            requests -= from.RequestsBefore;
        }
        if (missing > 0)
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{missing:N0} peers of the input are unknown to the peer actors after the replay"));

        // Spearman: each sender's Weighted score (blend with w = 0: score · payment_reliability_multiplier) vs its
        // mean observed throughput Σ bytes / Σ ms.
        var byId = finals.ToDictionary(s => s.Stats.PeerId.Value, StringComparer.Ordinal);
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var (id, s) in totals.PerSender.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!byId.TryGetValue(id, out var st) || !double.IsFinite(s.MeanObservedThroughputKBps)) continue;
            xs.Add(st.Score * st.PaymentReliabilityMultiplier);
            ys.Add(s.MeanObservedThroughputKBps);
        }
        var rho = Spearman.RankCorrelation(xs, ys);

        status?.Invoke(string.Create(CultureInfo.InvariantCulture, $"final stats collected ({wall.Elapsed.TotalSeconds:F1} s); ranking peers..."));
        var ranked = await _selector.SelectWeightedAsync(_options.TopCount, end, finals, ct).ConfigureAwait(false);
        // Cross-check against the reference algorithm over the same final stats (identical when the selector is up to date).
        var reference = _selector is StatsReplaySelector
            ? ranked
            : await new StatsReplaySelector().SelectWeightedAsync(_options.TopCount, end, finals, ct).ConfigureAwait(false);
        var matchesReference = ranked.Select(p => p.PeerId).SequenceEqual(reference.Select(p => p.PeerId), StringComparer.Ordinal);
        var top = new List<ReplayTopPeer>();
        // Only peers of this run: a selector may also track peers of earlier runs or other nodes (no final stats here).
        foreach (var r in ranked.Where(r => byId.ContainsKey(r.PeerId)).Take(_options.TopCount))
        {
            var st = byId[r.PeerId];
            var uptime = await UptimeFractionAsync(r.PeerId, totals.ChannelsOf(r.PeerId), end, ct).ConfigureAwait(false);
            top.Add(new ReplayTopPeer(r.PeerId, r.Score, st.Stats.SrttMs, st.SuccessRate, uptime, st.FlapCount, st.IngressBytes));
        }
        return new Outcome(ingress, ingressAfter, requests, top, matchesReference, rho, xs.Count);
    }


    /// <summary><c>max</c> or the speed factor.</summary>
    public static string SpeedText(double? speed) =>
        speed is { } s ? s.ToString("0.###", CultureInfo.InvariantCulture) + "x" : "max";

    /// <summary>
    /// The stats before the replay of the recovered peers (a peer without an entry is new). With an
    /// <see cref="IReplayJournalIndex"/> only the peers listed in the journal are asked (one query instead of recovering
    /// every peer actor: a peer that is not listed has no history and answers <c>peer not found</c> anyway); otherwise, or
    /// when the index is not supported, every peer is asked.
    /// </summary>
    private async Task<Dictionary<string, PeerBefore>> StatsBeforeAsync(IReadOnlyList<string> ids, DateTimeOffset now, CancellationToken ct)
    {
        IReadOnlySet<string>? withHistory = null;
        var index = _peers as IReplayJournalIndex;
        if (index is not null)
        {
            try
            {
                withHistory = await index.PeersWithHistoryAsync(ct).ConfigureAwait(false);
            }
            catch (NotSupportedException)
            {
                withHistory = null; // no index: ask every peer
            }
        }
        if (withHistory is not null) index!.AnnounceNewPeers(ids.Where(id => !withHistory.Contains(id)).ToArray());
        var asked = await StatsAsync(withHistory is null ? ids : ids.Where(withHistory.Contains).ToArray(), now, ct).ConfigureAwait(false);
        var before = new Dictionary<string, PeerBefore>(asked.Count, StringComparer.Ordinal);
        foreach (var (id, reply) in asked) before[id] = new PeerBefore(reply.IngressBytes, reply.Stats.RequestsSent);
        return before;
    }

    /// <summary>What the report needs of a recovered peer's stats before the replay (kept for the whole run, so not the whole reply).</summary>
    private readonly record struct PeerBefore(ulong IngressBytes, ulong RequestsSent);

    /// <summary>GetPeerStats for every id (bounded concurrency); a peer that answers <c>peer not found</c> has no entry.</summary>
    private async Task<Dictionary<string, PeerStatsReply>> StatsAsync(IReadOnlyList<string> ids, DateTimeOffset now, CancellationToken ct)
    {
        var results = new PeerStatsReply?[ids.Count];
        await Parallel.ForAsync(0, ids.Count, new ParallelOptions { MaxDegreeOfParallelism = _options.QueryParallelism, CancellationToken = ct },
            async (i, token) =>
            {
                var reply = await _peers.AskAsync(new GetPeerStats(ids[i], now), token).ConfigureAwait(false);
                results[i] = reply switch
                {
                    PeerStatsReply s => s,
                    CommandRejected { Error: ErrorCodes.PeerNotFound } => null,
                    CommandRejected r => throw new InvalidOperationException($"GetPeerStats({ids[i]}) rejected: {r.Error}: {r.Message}"),
                    _ => throw new InvalidOperationException($"GetPeerStats({ids[i]}): unexpected reply {reply.GetType().Name}"),
                };
            }).ConfigureAwait(false);
        var dict = new Dictionary<string, PeerStatsReply>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
            if (results[i] is { } r) dict[ids[i]] = r;
        return dict;
    }

    /// <summary>Σ uptime / Σ lifetime over the peer's channels at <paramref name="now"/>; null without channels or lifetime.</summary>
    private async Task<double?> UptimeFractionAsync(string peerId, IReadOnlyList<string> channels, DateTimeOffset now, CancellationToken ct)
    {
        double life = 0, up = 0;
        foreach (var c in channels)
        {
            if (await _peers.AskAsync(new GetChannelUptime(peerId, c, now), ct).ConfigureAwait(false) is ChannelUptimeReply u)
            {
                life += u.Lifetime.TotalMilliseconds;
                up += u.Uptime.TotalMilliseconds;
            }
        }
        return life > 0 ? up / life : null;
    }
}
