using PeerActors.Core.Validation;

namespace PeerActors.Node.Replay;

/// <summary>
/// Turns dataset sessions into a time-ordered stream of <see cref="ReplayStep"/>s. The mapping, for each
/// session <c>s</c> (receiver <c>pid1</c>, sender <c>pid2</c>, session index = position in the input list):
/// <list type="number">
/// <item>At <c>min_ts</c>: each of the (distinct) peers <c>pid1</c>, <c>pid2</c> whose count of active
/// sessions goes 0 → 1 comes online (<see cref="PeerOnline"/>, receiver first); a peer already in another
/// active session does not get a second PeerOnline. If this is the first session of the pair, the pair is
/// opened as channel <c>pid1</c> of sender <c>pid2</c> (<see cref="ChannelOpened"/>, once per pair, never
/// closed). Then an inbound connection from <c>pid2</c> is opened and attached to peer <c>pid2</c>, with
/// one stream of protocol <see cref="Protocol"/> and service <see cref="Service"/> (<see cref="SessionOpened"/>).</item>
/// <item>Each of the <c>cnt</c> chunks <c>i = 0..cnt−1</c> is a request to <c>pid2</c> answered with
/// RTT = <c>total_timespent / cnt</c> ms (double) and <c>total_bytes / cnt</c> bytes (integer division; the
/// last chunk also gets the remainder <c>total_bytes mod cnt</c>, so the bytes add up exactly), counted as
/// ingress attributed to <c>pid2</c> (<see cref="ChunkTransferred"/>). Chunk <c>i</c> happens at
/// <c>min_ts + (i+1)·(max_ts − min_ts)/cnt</c> (exact integer arithmetic on 100 ns ticks, truncated), so the
/// last chunk lands exactly on <c>max_ts</c>.</item>
/// <item>At <c>max_ts</c>: the stream and the connection close (<see cref="SessionClosed"/>); then each
/// peer whose active count goes 1 → 0 goes offline (<see cref="PeerOffline"/>, receiver first).</item>
/// </list>
/// Order: by time; at equal time by phase — first all session openings (with their PeerOnline /
/// ChannelOpened / SessionOpened), then all chunks, then all closings (with their SessionClosed /
/// PeerOffline) — and within a phase by session index, then chunk index. So a peer whose one session
/// ends exactly when its next begins stays online (no offline/online flap at a shared instant), and a
/// session's last chunk always precedes its close.
/// The stream is produced lazily by a k-way merge (a priority queue holding one cursor per active
/// session), so memory is O(sessions + active sessions), not O(chunks).
/// </summary>
public static class ReplayPlanner
{
    /// <summary>Protocol of the one stream of each session's connection.</summary>
    public const string Protocol = "/p2p-live/chunk/1.0.0";

    /// <summary>Service of the one stream of each session's connection.</summary>
    public const string Service = "streaming";

    /// <summary>Validates the sessions and returns their plan (steps are generated on enumeration).</summary>
    /// <param name="sessions">Sessions; list position = session index. Not copied: do not mutate it while the plan is in use.</param>
    /// <exception cref="InvalidInputException">A record breaks <see cref="SessionRecordRules"/>; the field is <c>sessions[i].column</c>.</exception>
    public static ReplayPlan Plan(IReadOnlyList<SessionRecord> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        for (var i = 0; i < sessions.Count; i++)
        {
            var r = sessions[i] ?? throw new InvalidInputException($"sessions[{i}]", "must not be null");
            if (SessionRecordRules.Check(r) is { } v)
                throw new InvalidInputException($"sessions[{i}].{v.Column}", v.Message);
        }
        return new ReplayPlan(sessions, ReplayTotals.From(sessions));
    }

    /// <summary>Time of chunk <paramref name="chunkIndex"/> (0-based): <c>min_ts + (i+1)·(max_ts − min_ts)/cnt</c>, truncated to ticks.</summary>
    public static DateTimeOffset ChunkTime(SessionRecord s, int chunkIndex)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentOutOfRangeException.ThrowIfNegative(chunkIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(chunkIndex, s.Cnt);
        var min = s.MinTs.UtcTicks;
        var span = s.MaxTs.UtcTicks - min;
        var offset = (long)((Int128)span * (chunkIndex + 1) / s.Cnt);
        return new DateTimeOffset(min + offset, TimeSpan.Zero);
    }

    /// <summary>Bytes of chunk <paramref name="chunkIndex"/>: <c>total_bytes / cnt</c>, plus <c>total_bytes mod cnt</c> on the last chunk.</summary>
    public static long ChunkBytes(SessionRecord s, int chunkIndex)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentOutOfRangeException.ThrowIfNegative(chunkIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(chunkIndex, s.Cnt);
        var per = s.TotalBytes / s.Cnt;
        return chunkIndex == s.Cnt - 1 ? per + s.TotalBytes % s.Cnt : per;
    }

    /// <summary>RTT of every chunk of the session, ms: <c>total_timespent / cnt</c> (double division).</summary>
    public static double ChunkRttMs(SessionRecord s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return (double)s.TotalTimespentMs / s.Cnt;
    }
}

/// <summary>One input file of a plan: where its sessions sit in the session numbering and what it holds.</summary>
/// <param name="File">Path as given (or <c>(sessions)</c> for a plan built from a list).</param>
/// <param name="Format"><c>csv</c>, <c>parquet</c> or <c>list</c>.</param>
/// <param name="FirstSession">Session index of its first session (sessions are numbered in file order, then row order).</param>
/// <param name="Sessions">Its valid sessions.</param>
/// <param name="Chunks">Σ cnt of its sessions.</param>
/// <param name="Bytes">Σ total_bytes of its sessions (the ingress it must add).</param>
/// <param name="FirstStart">Earliest min_ts of its sessions (null when it has none): the plan loads the file when the replay reaches this instant.</param>
/// <param name="LastEnd">Latest max_ts of its sessions.</param>
/// <param name="RowsRead">Rows accepted.</param>
/// <param name="RowsSkipped">Malformed rows skipped.</param>
public sealed record ReplayPlanFile(string File, string Format, int FirstSession, int Sessions, long Chunks, Int128 Bytes,
    DateTimeOffset? FirstStart, DateTimeOffset? LastEnd, long RowsRead, long RowsSkipped);

/// <summary>
/// A replay plan: its input files, their independent <see cref="Totals"/>, and the lazily merged <see cref="Steps"/>
/// (each enumeration starts afresh and yields the same sequence). A plan built from a list holds its sessions; a
/// <em>streamed</em> plan (<see cref="SessionSource.ScanAsync(IReadOnlyList{string}, bool, ReplayInputLimits, Action{string}?, CancellationToken)"/>)
/// holds none: each file is read again when the merge reaches its earliest session start and its sessions are dropped
/// as they close, so memory is O(sessions of the files being replayed + active sessions), not O(all sessions).
/// </summary>
public sealed class ReplayPlan
{
    private readonly IReadOnlyList<SessionRecord>? _sessions;
    private readonly Func<int, IReadOnlyList<SessionRecord>> _load;

    internal ReplayPlan(IReadOnlyList<SessionRecord> sessions, ReplayTotals totals)
    {
        _sessions = sessions;
        Totals = totals;
        SessionCount = sessions.Count;
        Files = [new ReplayPlanFile("(sessions)", "list", 0, sessions.Count, totals.Chunks, totals.TotalIngressBytes, totals.FirstTs,
            totals.LastTs, sessions.Count, 0)];
        _load = _ => sessions;
    }

    internal ReplayPlan(IReadOnlyList<ReplayPlanFile> files, Func<int, IReadOnlyList<SessionRecord>> load, ReplayTotals totals)
    {
        Files = files;
        Totals = totals;
        SessionCount = files.Sum(f => f.Sessions);
        _load = load;
    }

    /// <summary>The sessions of a plan built from a list; index = session index of the steps.</summary>
    /// <exception cref="InvalidOperationException">The plan is streamed (it does not hold its sessions).</exception>
    public IReadOnlyList<SessionRecord> Sessions =>
        _sessions ?? throw new InvalidOperationException("a streamed plan does not hold its sessions; use SessionCount and Files");

    /// <summary>Number of sessions (the session indexes are 0 … SessionCount − 1).</summary>
    public int SessionCount { get; }

    /// <summary>The input files in command-line order (one pseudo-file for a plan built from a list).</summary>
    public IReadOnlyList<ReplayPlanFile> Files { get; }

    /// <summary>Totals computed from the records directly, for cross-checking.</summary>
    public ReplayTotals Totals { get; }

    /// <summary>Index in <see cref="Files"/> of the file holding session <paramref name="sessionIndex"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside 0 … SessionCount − 1.</exception>
    public int FileOf(int sessionIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sessionIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sessionIndex, SessionCount);
        int lo = 0, hi = Files.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (Files[mid].FirstSession <= sessionIndex) lo = mid;
            else hi = mid - 1;
        }
        // Skip files without sessions that share the same first index.
        while (lo + 1 < Files.Count && Files[lo].Sessions == 0 && Files[lo + 1].FirstSession <= sessionIndex) lo++;
        return lo;
    }

    /// <summary>The time-ordered steps (see <see cref="ReplayPlanner"/> for the mapping and tie order).</summary>
    public IEnumerable<ReplayStep> Steps => Merge();

    private enum Phase : byte { Open = 0, Chunk = 1, Close = 2 }

    private readonly record struct Key(long Ticks, Phase Phase, int Session, int Chunk) : IComparable<Key>
    {
        public int CompareTo(Key o)
        {
            var c = Ticks.CompareTo(o.Ticks);
            if (c != 0) return c;
            c = Phase.CompareTo(o.Phase);
            if (c != 0) return c;
            c = Session.CompareTo(o.Session);
            return c != 0 ? c : Chunk.CompareTo(o.Chunk);
        }
    }

    private sealed class KeyComparer : IComparer<Key>
    {
        public static readonly KeyComparer Instance = new();
        public int Compare(Key x, Key y) => x.CompareTo(y);
    }

    private IEnumerable<ReplayStep> Merge()
    {
        // Files in order of their first session start: a file is loaded once the merge reaches that instant, so every
        // session starting at or before the next step is known before the step is produced (the order stays exact even
        // when files overlap in time or are given out of order; overlapping files are simply held together).
        var order = Enumerable.Range(0, Files.Count).Where(f => Files[f].Sessions > 0)
            .OrderBy(f => Files[f].FirstStart!.Value.UtcTicks).ThenBy(f => f).ToArray();
        var nextFile = 0;
        var live = new Dictionary<int, SessionRecord>();
        var opens = new PriorityQueue<int, Key>(KeyComparer.Instance);
        var heap = new PriorityQueue<int, Key>(KeyComparer.Instance);
        var active = new Dictionary<string, int>(StringComparer.Ordinal);
        // Peer ids interned for the whole plan, in the totals' table: each file read brings new string instances of the
        // same ids, and what keeps a peer's id for the rest of the run (the node's delivery marks, selector index, journal)
        // would otherwise hold one copy per structure and per first file (about 100 bytes each).
        var ids = Totals.Peers;

        while (true)
        {
            var hasOpen = opens.TryPeek(out var oIdx, out var openKey);
            var hasHeap = heap.TryPeek(out var sIdx, out var top);
            if (nextFile < order.Length)
            {
                var f = Files[order[nextFile]];
                var next = !hasOpen ? (hasHeap ? top.Ticks : long.MaxValue) : !hasHeap ? openKey.Ticks : Math.Min(openKey.Ticks, top.Ticks);
                if (f.FirstStart!.Value.UtcTicks <= next)
                {
                    var records = _load(order[nextFile]);
                    if (records.Count != f.Sessions)
                        throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                            $"{f.File}: {records.Count:N0} valid sessions on the second read, {f.Sessions:N0} on the first (the file changed during the replay)"));
                    for (var k = 0; k < records.Count; k++)
                    {
                        var i = f.FirstSession + k;
                        var r = records[k];
                        string p1 = Intern(ids, r.Pid1, f), p2 = Intern(ids, r.Pid2, f);
                        live[i] = ReferenceEquals(p1, r.Pid1) && ReferenceEquals(p2, r.Pid2) ? r : r with { Pid1 = p1, Pid2 = p2 };
                        opens.Enqueue(i, new Key(records[k].MinTs.UtcTicks, Phase.Open, i, 0));
                    }
                    nextFile++;
                    continue;
                }
            }
            if (!hasOpen && !hasHeap)
                yield break;

            if (hasOpen && (!hasHeap || openKey.CompareTo(top) < 0))
            {
                opens.Dequeue();
                var i = oIdx;
                var s = live[i];
                var at = s.MinTs.ToUniversalTime();
                if (Increment(active, s.Pid1))
                    yield return new PeerOnline(at, i, s.Pid1);
                if (s.Pid2 != s.Pid1 && Increment(active, s.Pid2))
                    yield return new PeerOnline(at, i, s.Pid2);
                // The scan found the pair's first session in this order (min_ts, then index): no set of channels here.
                if (Totals.OpensChannel(i))
                    yield return new ChannelOpened(at, i, s.Pid2, s.Pid1);
                yield return new SessionOpened(at, i, s.Pid1, s.Pid2, ReplayPlanner.Protocol, ReplayPlanner.Service);
                heap.Enqueue(i, new Key(ReplayPlanner.ChunkTime(s, 0).UtcTicks, Phase.Chunk, i, 0));
                continue;
            }

            heap.Dequeue();
            var rec = live[sIdx];
            if (top.Phase == Phase.Chunk)
            {
                var c = top.Chunk;
                yield return new ChunkTransferred(new DateTimeOffset(top.Ticks, TimeSpan.Zero), sIdx, rec.Pid2, rec.Pid1, c,
                    ReplayPlanner.ChunkRttMs(rec), ReplayPlanner.ChunkBytes(rec, c));
                heap.Enqueue(sIdx, c + 1 < rec.Cnt
                    ? new Key(ReplayPlanner.ChunkTime(rec, c + 1).UtcTicks, Phase.Chunk, sIdx, c + 1)
                    : new Key(rec.MaxTs.UtcTicks, Phase.Close, sIdx, 0));
            }
            else
            {
                live.Remove(sIdx);
                var at = rec.MaxTs.ToUniversalTime();
                yield return new SessionClosed(at, sIdx, rec.Pid1, rec.Pid2);
                if (Decrement(active, rec.Pid1))
                    yield return new PeerOffline(at, sIdx, rec.Pid1);
                if (rec.Pid2 != rec.Pid1 && Decrement(active, rec.Pid2))
                    yield return new PeerOffline(at, sIdx, rec.Pid2);
            }
        }
    }

    private static string Intern(ReplayPeerIds ids, string id, ReplayPlanFile file) =>
        ids.Canonical(id) ?? throw new InvalidOperationException(
            $"{file.File}: peer '{id}' was not in the file on the first read (the file changed during the replay)");

    /// <summary>True when the count went 0 → 1.</summary>
    private static bool Increment(Dictionary<string, int> active, string peer)
    {
        var n = active.GetValueOrDefault(peer) + 1;
        active[peer] = n;
        return n == 1;
    }

    /// <summary>True when the count went 1 → 0 (the entry is removed).</summary>
    private static bool Decrement(Dictionary<string, int> active, string peer)
    {
        var n = active[peer] - 1;
        if (n == 0)
        {
            active.Remove(peer);
            return true;
        }
        active[peer] = n;
        return false;
    }
}
