namespace PeerActors.Node.Replay;

/// <summary>Per-sender aggregates over its sessions (a sender is <c>pid2</c>).</summary>
/// <param name="SenderId">The sender.</param>
/// <param name="Sessions">Sessions in which it sent.</param>
/// <param name="Chunks">Sum of <c>cnt</c>.</param>
/// <param name="Bytes">Sum of <c>total_bytes</c> (= ingress attributed to it in the replay); 128-bit, so it cannot overflow.</param>
/// <param name="TimespentMs">Sum of <c>total_timespent</c>, ms.</param>
/// <param name="MeanThroughputAvgKBps">Unweighted mean of <c>throughput_avg</c> over its sessions, KB/s (for reference only).</param>
public sealed record SenderTotals(string SenderId, int Sessions, long Chunks, Int128 Bytes, Int128 TimespentMs, double MeanThroughputAvgKBps)
{
    /// <summary>
    /// The sender's mean observed throughput, KB/s (= bytes/ms): <c>Σ total_bytes / Σ total_timespent</c> over
    /// its sessions, i.e. time-weighted; <see cref="double.NaN"/> when the total time is 0. This is the
    /// quantity the replay's rank correlation uses.
    /// </summary>
    public double MeanObservedThroughputKBps => TimespentMs > 0 ? (double)Bytes / (double)TimespentMs : double.NaN;

    /// <summary>The distinct receivers it sent to (its channels: channel id = receiver id), ordinal order.</summary>
    public IReadOnlyList<string> Receivers { get; init; } = [];
}

/// <summary>
/// Totals computed directly from the records (not from the replay steps), to cross-check a replay:
/// the step stream must contain <see cref="Chunks"/> chunk steps whose bytes add up to <see cref="TotalIngressBytes"/>, etc.
/// </summary>
/// <param name="Sessions">Number of sessions.</param>
/// <param name="Chunks">Σ cnt.</param>
/// <param name="DistinctPeers">|{pid1} ∪ {pid2}|.</param>
/// <param name="DistinctReceivers">|{pid1}|.</param>
/// <param name="DistinctSenders">|{pid2}|.</param>
/// <param name="Channels">Distinct (pid2, pid1) pairs.</param>
/// <param name="TotalIngressBytes">Σ total_bytes (128-bit: Σ of many 64-bit values cannot overflow).</param>
/// <param name="TotalTimespentMs">Σ total_timespent, ms.</param>
/// <param name="FirstTs">Earliest min_ts, or null when there are no sessions.</param>
/// <param name="LastTs">Latest max_ts, or null when there are no sessions.</param>
/// <param name="PerSender">Aggregates keyed by sender id (ordinal).</param>
public sealed record ReplayTotals(
    int Sessions,
    long Chunks,
    int DistinctPeers,
    int DistinctReceivers,
    int DistinctSenders,
    int Channels,
    Int128 TotalIngressBytes,
    Int128 TotalTimespentMs,
    DateTimeOffset? FirstTs,
    DateTimeOffset? LastTs,
    IReadOnlyDictionary<string, SenderTotals> PerSender)
{
    /// <summary>The channel ids (receivers) of <paramref name="senderId"/>; empty for a peer that never sent.</summary>
    public IReadOnlyList<string> ChannelsOf(string senderId) =>
        PerSender.TryGetValue(senderId, out var s) ? s.Receivers : [];

    /// <summary>Computes the totals of <paramref name="sessions"/> (no validation; see <see cref="ReplayPlanner.Plan"/>).</summary>
    public static ReplayTotals From(IReadOnlyList<SessionRecord> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var peers = new HashSet<string>(StringComparer.Ordinal);
        var receivers = new HashSet<string>(StringComparer.Ordinal);
        var receiversOf = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var acc = new Dictionary<string, (int S, long C, Int128 B, Int128 T, double SumAvg)>(StringComparer.Ordinal);
        long chunks = 0;
        Int128 bytes = 0, time = 0;
        DateTimeOffset? first = null, last = null;
        foreach (var s in sessions)
        {
            peers.Add(s.Pid1);
            peers.Add(s.Pid2);
            receivers.Add(s.Pid1);
            if (!receiversOf.TryGetValue(s.Pid2, out var rs)) receiversOf[s.Pid2] = rs = new HashSet<string>(StringComparer.Ordinal);
            rs.Add(s.Pid1);
            chunks = checked(chunks + s.Cnt);
            bytes += s.TotalBytes;
            time += s.TotalTimespentMs;
            if (first is null || s.MinTs < first) first = s.MinTs;
            if (last is null || s.MaxTs > last) last = s.MaxTs;
            var a = acc.GetValueOrDefault(s.Pid2);
            acc[s.Pid2] = (a.S + 1, a.C + s.Cnt, a.B + s.TotalBytes, a.T + s.TotalTimespentMs, a.SumAvg + s.ThroughputAvg);
        }
        var perSender = acc.ToDictionary(kv => kv.Key,
            kv => new SenderTotals(kv.Key, kv.Value.S, kv.Value.C, kv.Value.B, kv.Value.T, kv.Value.SumAvg / kv.Value.S)
            {
                Receivers = receiversOf[kv.Key].Order(StringComparer.Ordinal).ToArray(),
            },
            StringComparer.Ordinal);
        return new ReplayTotals(sessions.Count, chunks, peers.Count, receivers.Count, acc.Count, receiversOf.Values.Sum(r => r.Count),
            bytes, time, first, last, perSender);
    }
}
