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
        var b = new ReplayTotalsBuilder();
        foreach (var s in sessions) b.Add(s);
        return b.Build();
    }
}

/// <summary>
/// Accumulates <see cref="ReplayTotals"/> one session at a time, so that a replay of many files can total its input
/// while reading it once, without holding the sessions: memory is O(distinct peers + channels), not O(sessions).
/// </summary>
public sealed class ReplayTotalsBuilder
{
    private readonly HashSet<string> _peers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _receivers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _receiversOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int S, long C, Int128 B, Int128 T, double SumAvg)> _acc = new(StringComparer.Ordinal);
    private int _sessions;
    private long _chunks;
    private Int128 _bytes, _time;
    private DateTimeOffset? _first, _last;

    /// <summary>Adds one session.</summary>
    /// <exception cref="OverflowException">Σ cnt exceeds <see cref="long.MaxValue"/>.</exception>
    public void Add(SessionRecord s)
    {
        ArgumentNullException.ThrowIfNull(s);
        // One string instance per peer id for the whole run (records of later files share it).
        var pid1 = Intern(s.Pid1);
        var pid2 = Intern(s.Pid2);
        _receivers.Add(pid1);
        if (!_receiversOf.TryGetValue(pid2, out var rs)) _receiversOf[pid2] = rs = new HashSet<string>(StringComparer.Ordinal);
        rs.Add(pid1);
        _sessions = checked(_sessions + 1);
        _chunks = checked(_chunks + s.Cnt);
        _bytes += s.TotalBytes;
        _time += s.TotalTimespentMs;
        if (_first is null || s.MinTs < _first) _first = s.MinTs;
        if (_last is null || s.MaxTs > _last) _last = s.MaxTs;
        var a = _acc.GetValueOrDefault(pid2);
        _acc[pid2] = (a.S + 1, a.C + s.Cnt, a.B + s.TotalBytes, a.T + s.TotalTimespentMs, a.SumAvg + s.ThroughputAvg);
    }

    private string Intern(string id)
    {
        if (_peers.TryGetValue(id, out var known)) return known;
        _peers.Add(id);
        return id;
    }

    /// <summary>Every distinct peer id added so far (receivers ∪ senders).</summary>
    public IReadOnlyCollection<string> Peers => _peers;

    /// <summary>The totals of every session added so far.</summary>
    public ReplayTotals Build()
    {
        var perSender = _acc.ToDictionary(kv => kv.Key,
            kv => new SenderTotals(kv.Key, kv.Value.S, kv.Value.C, kv.Value.B, kv.Value.T, kv.Value.SumAvg / kv.Value.S)
            {
                Receivers = _receiversOf[kv.Key].Order(StringComparer.Ordinal).ToArray(),
            },
            StringComparer.Ordinal);
        return new ReplayTotals(_sessions, _chunks, _peers.Count, _receivers.Count, _acc.Count, _receiversOf.Values.Sum(r => r.Count),
            _bytes, _time, _first, _last, perSender);
    }
}
