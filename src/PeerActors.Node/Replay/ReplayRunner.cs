using System.Diagnostics;
using System.Globalization;
using PeerActors.Peers;
using PeerActors.Core.Errors;

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
    public async Task<ReplayReport> RunAsync(SessionReadResult input, Action<ReplayProgressState>? progress = null,
        Action<string>? status = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var wall = Stopwatch.StartNew();
        var plan = ReplayPlanner.Plan(input.Records);
        var totals = plan.Totals;
        var end = totals.LastTs ?? DateTimeOffset.UnixEpoch;
        var peerIds = input.Records.SelectMany(r => new[] { r.Pid1, r.Pid2 }).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).ToArray();
        var problems = new List<string>();

        Dictionary<string, PeerStatsReply?> before;
        int recovered;
        if (_options.ResumeFrom is { } resume)
        {
            before = peerIds.ToDictionary(id => id, _ => (PeerStatsReply?)null, StringComparer.Ordinal);
            recovered = resume.RecoveredPeers;
            status?.Invoke("resuming an interrupted run: the peers skip what they had persisted of it (reliable-delivery marks)");
        }
        else
        {
            status?.Invoke(string.Create(CultureInfo.InvariantCulture, $"checking the journal for {peerIds.Length:N0} peers..."));
            before = await StatsBeforeAsync(peerIds, end, ct).ConfigureAwait(false);
            recovered = before.Count(kv => kv.Value is not null);
            _options.BaselineTaken?.Invoke(new ReplayBaseline(
                before.Values.Aggregate(Int128.Zero, (sum, b) => sum + (b?.IngressBytes ?? 0)),
                before.Values.Sum(b => (long)(b?.Stats.RequestsSent ?? 0)), recovered));
        }
        if (_options.ResumeFrom is null) status?.Invoke(recovered > 0
            ? string.Create(CultureInfo.InvariantCulture,
                $"history recovered from the journal for {recovered:N0} of {peerIds.Length:N0} peers ({wall.Elapsed.TotalSeconds:F1} s)")
            : string.Create(CultureInfo.InvariantCulture, $"no history in the journal for these peers: all {peerIds.Length:N0} are new ({wall.Elapsed.TotalSeconds:F1} s)"));

        status?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"replaying {totals.Sessions:N0} sessions ({totals.Chunks:N0} chunks) at {SpeedText(_options.Driver.Speed)} speed..."));
        var driver = new ReplayDriver(_peers, _limits, _options.Driver);
        var drive = await driver.RunAsync(plan, progress, ct).ConfigureAwait(false);

        status?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"replayed {drive.Events:N0} events in {drive.Elapsed.TotalSeconds:F1} s; collecting the peers' final stats..."));
        if (_peers is ShardRegionReplayPeers reliable && await reliable.DeliveryStatsAsync(ct).ConfigureAwait(false) is { } d)
            status?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"reliable delivery: {d.Produced:N0} observations in {d.BatchesSent:N0} batches ({(d.BatchesSent == 0 ? 0 : (double)d.Produced / d.BatchesSent):F1} per batch), {d.ItemsResent:N0} resent"));
        var after = await StatsAsync(peerIds, end, ct).ConfigureAwait(false);
        var finals = new List<PeerStatsReply>(peerIds.Length);
        // 128-bit sums: Σ over peers of 64-bit counters cannot overflow (two senders of 2^63−1 bytes each are fine).
        Int128 ingress = 0, ingressAfter = 0;
        long requests = 0;
        var missing = 0;
        foreach (var id in peerIds)
        {
            if (after[id] is not { } a)
            {
                missing++;
                continue;
            }
            finals.Add(a);
            var b = before[id];
            ingress += (Int128)a.IngressBytes - (b?.IngressBytes ?? 0);
            ingressAfter += a.IngressBytes;
            requests += (long)(a.Stats.RequestsSent - (b?.Stats.RequestsSent ?? 0));
        }
        if (_options.ResumeFrom is { } from)
        {
            ingress -= from.IngressBefore;
            requests -= from.RequestsBefore;
        }
        if (missing > 0)
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{missing:N0} peers of the input are unknown to the peer actors after the replay"));
        if (ingress != totals.TotalIngressBytes)
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"INGRESS MISMATCH: the peer actors gained {ingress:N0} ingress bytes, the input sums to {totals.TotalIngressBytes:N0} (difference {ingress - totals.TotalIngressBytes:N0})"));
        if (requests != totals.Chunks)
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"REQUEST MISMATCH: the peer actors gained {requests:N0} requests, the input has {totals.Chunks:N0} chunks"));
        if (drive.Rejections > 0)
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"{drive.Rejections:N0} critical commands rejected, e.g. {string.Join("; ", drive.FirstRejections)}"));

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
        var channelsOf = input.Records.GroupBy(r => r.Pid2, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Pid1).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        var top = new List<ReplayTopPeer>();
        // Only peers of this run: a selector may also track peers of earlier runs or other nodes (no final stats here).
        foreach (var r in ranked.Where(r => byId.ContainsKey(r.PeerId)).Take(_options.TopCount))
        {
            var st = byId[r.PeerId];
            var uptime = await UptimeFractionAsync(r.PeerId, channelsOf.GetValueOrDefault(r.PeerId) ?? [], end, ct).ConfigureAwait(false);
            top.Add(new ReplayTopPeer(r.PeerId, r.Score, st.Stats.SrttMs, st.SuccessRate, uptime, st.FlapCount, st.IngressBytes));
        }

        return new ReplayReport
        {
            Files = input.Diagnostics.Files.Select(f => new ReplayReportFile(f.File, f.Format, f.RowsRead, f.RowsSkipped)).ToList(),
            RowsSkipped = input.Diagnostics.RowsSkipped,
            Sessions = drive.SessionsClosed,
            Chunks = drive.Chunks,
            Peers = totals.DistinctPeers,
            Receivers = totals.DistinctReceivers,
            Senders = totals.DistinctSenders,
            Channels = totals.Channels,
            IngressBytesTotal = ingress,
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
            NewPeers = peerIds.Length - recovered,
            LimitBlocks = drive.LimitBlocks,
            LimitsSource = _limits.Description,
            ChannelsOpened = drive.ChannelsOpened,
            ChannelsAlreadyOpen = drive.ChannelsAlreadyOpen,
            Rejections = drive.Rejections,
            TopPeersByScore = top,
            TopPeersSource = _selector.Source,
            TopPeersMatchReference = matchesReference,
            SpearmanScoreVsThroughput = double.IsNaN(rho) ? null : rho,
            SpearmanPairs = xs.Count,
            Problems = problems,
            DataDirectory = _options.DataDirectory,
        };
    }

    /// <summary><c>max</c> or the speed factor.</summary>
    public static string SpeedText(double? speed) =>
        speed is { } s ? s.ToString("0.###", CultureInfo.InvariantCulture) + "x" : "max";

    /// <summary>
    /// The stats before the replay (null = new peer). With an <see cref="IReplayJournalIndex"/> only the peers listed in
    /// the journal are asked (one query instead of recovering every peer actor: a peer that is not listed has no history
    /// and answers <c>peer not found</c> anyway); otherwise, or when the index is not supported, every peer is asked.
    /// </summary>
    private async Task<Dictionary<string, PeerStatsReply?>> StatsBeforeAsync(IReadOnlyList<string> ids, DateTimeOffset now, CancellationToken ct)
    {
        IReadOnlySet<string>? withHistory = null;
        if (_peers is IReplayJournalIndex index)
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
        if (withHistory is null) return await StatsAsync(ids, now, ct).ConfigureAwait(false);
        var asked = await StatsAsync(ids.Where(withHistory.Contains).ToArray(), now, ct).ConfigureAwait(false);
        var all = new Dictionary<string, PeerStatsReply?>(ids.Count, StringComparer.Ordinal);
        foreach (var id in ids) all[id] = asked.GetValueOrDefault(id);
        return all;
    }

    /// <summary>GetPeerStats for every id (bounded concurrency); null = <c>peer not found</c>.</summary>
    private async Task<Dictionary<string, PeerStatsReply?>> StatsAsync(IReadOnlyList<string> ids, DateTimeOffset now, CancellationToken ct)
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
        var dict = new Dictionary<string, PeerStatsReply?>(ids.Count, StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++) dict[ids[i]] = results[i];
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
