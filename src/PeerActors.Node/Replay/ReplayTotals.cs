using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

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
}

/// <summary>
/// Totals computed directly from the records (not from the replay steps), to cross-check a replay:
/// the step stream must contain <see cref="Chunks"/> chunk steps whose bytes add up to <see cref="TotalIngressBytes"/>, etc.
/// It also holds what the replay keeps per peer for the whole run: the peer table (<see cref="Peers"/>), the per-sender
/// aggregates and channels, and which sessions open a channel (so that the plan's merge needs no channel set).
/// </summary>
/// <remarks>
/// Memory, for the whole run: the peer table, about 60 bytes per sender (aggregates in one array of structs indexed by the
/// sender's index, no object per sender), 4 bytes per channel and 1 bit per session. Senders are numbered in the order of
/// their peer index, so a sender's index is found by binary search without an int per peer.
/// </remarks>
public sealed class ReplayTotals
{
    // By sender index (senders in peer-index order).
    private readonly SenderSums[] _senders;
    private readonly int[] _senderPeer;
    // A sender's channels (receiver peer indexes, ascending) are _channelReceivers[_channelStart[s] .. _channelStart[s + 1]).
    private readonly int[] _channelStart;
    private readonly int[] _channelReceivers;
    private readonly BitArray _opensChannel;

    internal ReplayTotals(ReplayPeerIds peers, int sessions, long chunks, int distinctReceivers, Int128 totalIngressBytes,
        Int128 totalTimespentMs, DateTimeOffset? firstTs, DateTimeOffset? lastTs, SenderSums[] senders, int[] senderPeer,
        int[] channelStart, int[] channelReceivers, BitArray opensChannel)
    {
        Peers = peers;
        Sessions = sessions;
        Chunks = chunks;
        DistinctReceivers = distinctReceivers;
        TotalIngressBytes = totalIngressBytes;
        TotalTimespentMs = totalTimespentMs;
        FirstTs = firstTs;
        LastTs = lastTs;
        _senders = senders;
        _senderPeer = senderPeer;
        _channelStart = channelStart;
        _channelReceivers = channelReceivers;
        _opensChannel = opensChannel;
        PerSender = new SenderTotalsView(this);
    }

    /// <summary>Number of sessions.</summary>
    public int Sessions { get; }

    /// <summary>Σ cnt.</summary>
    public long Chunks { get; }

    /// <summary>|{pid1} ∪ {pid2}|.</summary>
    public int DistinctPeers => Peers.Count;

    /// <summary>|{pid1}|.</summary>
    public int DistinctReceivers { get; }

    /// <summary>|{pid2}|.</summary>
    public int DistinctSenders => _senders.Length;

    /// <summary>Distinct (pid2, pid1) pairs.</summary>
    public int Channels => _channelReceivers.Length;

    /// <summary>Σ total_bytes (128-bit: Σ of many 64-bit values cannot overflow).</summary>
    public Int128 TotalIngressBytes { get; }

    /// <summary>Σ total_timespent, ms.</summary>
    public Int128 TotalTimespentMs { get; }

    /// <summary>Earliest min_ts, or null when there are no sessions.</summary>
    public DateTimeOffset? FirstTs { get; }

    /// <summary>Latest max_ts, or null when there are no sessions.</summary>
    public DateTimeOffset? LastTs { get; }

    /// <summary>Every distinct peer id of the sessions (receivers ∪ senders), one string instance each, with its index.</summary>
    public ReplayPeerIds Peers { get; }

    /// <summary>
    /// Aggregates keyed by sender id (ordinal). A read-only view: each <see cref="SenderTotals"/> is made when it is read
    /// (the aggregates are kept as structs), so read a sender's once rather than in a loop.
    /// </summary>
    public IReadOnlyDictionary<string, SenderTotals> PerSender { get; }

    /// <summary>The channel ids (receivers) of <paramref name="senderId"/>, ordinal order; empty for a peer that never sent.</summary>
    public IReadOnlyList<string> ChannelsOf(string senderId)
    {
        var s = SenderIndexOf(senderId);
        if (s < 0) return [];
        var from = _channelStart[s];
        var ids = new string[_channelStart[s + 1] - from];
        for (var k = 0; k < ids.Length; k++) ids[k] = Peers[_channelReceivers[from + k]];
        Array.Sort(ids, StringComparer.Ordinal);
        return ids;
    }

    /// <summary>
    /// The index (0 … <see cref="DistinctSenders"/> − 1, in the order of the senders' peer indexes) of sender
    /// <paramref name="senderId"/>, or −1 for a peer that never sent (or no peer of the input).
    /// </summary>
    public int SenderIndexOf(string senderId)
    {
        var p = Peers.IndexOf(senderId);
        if (p < 0) return -1;
        var s = Array.BinarySearch(_senderPeer, p);
        return s >= 0 ? s : -1;
    }

    /// <summary>Σ cnt of <paramref name="senderId"/>'s sessions (its requests in the replay); 0 for a peer that never sent.</summary>
    public long ChunksOf(string senderId)
    {
        var s = SenderIndexOf(senderId);
        return s < 0 ? 0 : _senders[s].Chunks;
    }

    /// <summary>
    /// Whether session <paramref name="sessionIndex"/> opens its (sender, receiver) channel: of the pair's sessions, it is
    /// the first to open in the plan's merge order (min_ts UTC ticks, then session index).
    /// </summary>
    internal bool OpensChannel(int sessionIndex) => _opensChannel[sessionIndex];

    private SenderTotals Materialize(int s)
    {
        ref readonly var a = ref _senders[s];
        return new SenderTotals(Peers[_senderPeer[s]], a.Sessions, a.Chunks, a.Bytes, a.TimespentMs, a.SumThroughputAvg / a.Sessions);
    }

    /// <summary>Computes the totals of <paramref name="sessions"/> (no validation; see <see cref="ReplayPlanner.Plan"/>).</summary>
    public static ReplayTotals From(IReadOnlyList<SessionRecord> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var b = new ReplayTotalsBuilder();
        foreach (var s in sessions) b.Add(s);
        return b.Build();
    }

    /// <summary><see cref="PerSender"/>: the senders in index order, each <see cref="SenderTotals"/> made on access.</summary>
    private sealed class SenderTotalsView(ReplayTotals totals) : IReadOnlyDictionary<string, SenderTotals>
    {
        public int Count => totals.DistinctSenders;

        public SenderTotals this[string key] =>
            TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"'{key}' is not a sender of the input");

        public IEnumerable<string> Keys => Enumerable.Range(0, Count).Select(s => totals.Peers[totals._senderPeer[s]]);

        public IEnumerable<SenderTotals> Values => Enumerable.Range(0, Count).Select(totals.Materialize);

        public bool ContainsKey(string key) => totals.SenderIndexOf(key) >= 0;

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out SenderTotals value)
        {
            var s = totals.SenderIndexOf(key);
            value = s >= 0 ? totals.Materialize(s) : null;
            return value is not null;
        }

        public IEnumerator<KeyValuePair<string, SenderTotals>> GetEnumerator()
        {
            for (var s = 0; s < Count; s++)
            {
                var t = totals.Materialize(s);
                yield return new KeyValuePair<string, SenderTotals>(t.SenderId, t);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>
/// One sender's running sums. Packed to 4 bytes: with the 16-byte alignment of <see cref="Int128"/> each would take 64
/// bytes instead of 52, and there is one per sender for the whole run.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct SenderSums
{
    public int Sessions;
    public long Chunks;
    public Int128 Bytes;
    public Int128 TimespentMs;
    public double SumThroughputAvg;
}

/// <summary>
/// Accumulates <see cref="ReplayTotals"/> one session at a time, so that a replay of many files can total its input
/// while reading it once, without holding the sessions: memory is O(distinct peers + channels), not O(sessions).
/// The sessions must be added in session-index order (the <c>n</c>-th added is session <c>n − 1</c>).
/// </summary>
public sealed class ReplayTotalsBuilder
{
    private readonly ReplayPeerIds _peers = new();
    // By peer index: sender index + 1 (0 = has not sent yet), and whether it received.
    private int[] _senderOf = new int[16];
    private bool[] _receives = new bool[16];
    private int _receivers;
    // By sender index in order of first sending (renumbered in peer-index order by Build).
    private SenderSums[] _senders = new SenderSums[16];
    private int[] _senderPeer = new int[16];
    private int _senderCount;
    // Each distinct channel (sender peer index << 32 | receiver peer index) → the session that opens it first in the
    // merge's order: the least (min_ts UTC ticks, session index). Only for the scan: Build keeps one bit per session.
    private readonly Dictionary<long, (long Ticks, int Session)> _firstOpen = [];
    private int _sessions;
    private long _chunks;
    private Int128 _bytes, _time;
    private DateTimeOffset? _first, _last;
    private ReplayTotals? _built;

    /// <summary>Adds one session (the next session index).</summary>
    /// <exception cref="OverflowException">Σ cnt exceeds <see cref="long.MaxValue"/>.</exception>
    /// <exception cref="InvalidOperationException">The totals are already built.</exception>
    public void Add(SessionRecord s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (_built is not null) throw new InvalidOperationException("the totals are built: no session can be added");
        // One string instance per peer id for the whole run (records of later files share it).
        var p1 = _peers.Add(s.Pid1);
        var p2 = _peers.Add(s.Pid2);
        if (_peers.Count > _senderOf.Length)
        {
            Array.Resize(ref _senderOf, _senderOf.Length * 2);
            Array.Resize(ref _receives, _receives.Length * 2);
        }
        if (!_receives[p1])
        {
            _receives[p1] = true;
            _receivers++;
        }
        var sender = _senderOf[p2] - 1;
        if (sender < 0)
        {
            sender = _senderCount++;
            if (sender == _senders.Length)
            {
                Array.Resize(ref _senders, _senders.Length * 2);
                Array.Resize(ref _senderPeer, _senderPeer.Length * 2);
            }
            _senderOf[p2] = sender + 1;
            _senderPeer[sender] = p2;
        }
        var session = _sessions;
        _sessions = checked(_sessions + 1);
        _chunks = checked(_chunks + s.Cnt);
        _bytes += s.TotalBytes;
        _time += s.TotalTimespentMs;
        if (_first is null || s.MinTs < _first) _first = s.MinTs;
        if (_last is null || s.MaxTs > _last) _last = s.MaxTs;
        ref var a = ref _senders[sender];
        a.Sessions++;
        a.Chunks += s.Cnt;
        a.Bytes += s.TotalBytes;
        a.TimespentMs += s.TotalTimespentMs;
        a.SumThroughputAvg += s.ThroughputAvg;
        // Sessions come in index order, so at equal ticks the one already kept is the first.
        var ticks = s.MinTs.UtcTicks;
        ref var open = ref CollectionsMarshal.GetValueRefOrAddDefault(_firstOpen, (long)p2 << 32 | (uint)p1, out var known);
        if (!known || ticks < open.Ticks) open = (ticks, session);
    }

    /// <summary>Every distinct peer id added so far (receivers ∪ senders).</summary>
    public ReplayPeerIds Peers => _peers;

    /// <summary>The totals of every session added (once built, no session can be added; a second call returns the same totals).</summary>
    public ReplayTotals Build()
    {
        if (_built is not null) return _built;
        _peers.Freeze();
        var n = _senderCount;
        var senderPeer = _senderPeer[..n];
        var senders = _senders[..n];
        Array.Sort(senderPeer, senders);

        var channels = new long[_firstOpen.Count];
        var opens = new BitArray(_sessions);
        var c = 0;
        foreach (var (channel, first) in _firstOpen)
        {
            channels[c++] = channel;
            opens[first.Session] = true;
        }
        Array.Sort(channels);
        var start = new int[n + 1];
        var receivers = new int[channels.Length];
        // Every sender has a channel, and both lists are in peer-index order: a change of sender is the next sender.
        var s = -1;
        for (c = 0; c < channels.Length; c++)
        {
            if (s < 0 || senderPeer[s] != (int)(channels[c] >> 32)) start[++s] = c;
            receivers[c] = (int)(uint)channels[c];
        }
        start[n] = channels.Length;

        _built = new ReplayTotals(_peers, _sessions, _chunks, _receivers, _bytes, _time, _first, _last, senders, senderPeer,
            start, receivers, opens);
        // The scan's working state is not needed any more (the builder may outlive the scan).
        _firstOpen.Clear();
        _firstOpen.TrimExcess();
        _senderOf = _senderPeer = [];
        _receives = [];
        _senders = [];
        return _built;
    }
}
