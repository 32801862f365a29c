using PeerActors.Core.Identity;
using PeerActors.Core.Stats;
using PeerActors.Core.Validation;

namespace PeerActors.Core.Selection;

/// <summary>
/// An incrementally maintained selection index over many peers (SPEC §3) whose answers are exactly
/// those of <see cref="PeerSelector.Select(IEnumerable{PeerEntry}, SelectionQuery, DateTimeOffset, long, Random, ThroughputOptions)"/>
/// (same ids, order, scores and inputs) without sorting all peers per query. Not thread-safe: one
/// actor owns it.
/// </summary>
/// <remarks>
/// <para><b>Index clock.</b> Per-peer keys are valid at a monotone clock. Time changes a peer in only
/// two event-like ways: its backoff ends (it becomes a candidate) and its last success leaves the 60 s
/// recency window (score(now) drops by 0.01). Both instants live in ordered sets (backoff deadlines,
/// recency ends); a query at <c>now</c> ≥ clock first moves the clock to <c>now</c> and re-keys
/// every peer whose event is due. A query with <c>now</c> before the clock is answered exactly by the
/// slow path (the reference function over all peers).</para>
/// <para><b>Ordered sets</b> (candidates only, i.e. peers not backed off at the clock; ties by id):
/// score·multiplier desc; boost desc; success_rate desc; (SRTT asc, score desc); utility without its
/// exploration term desc; tit-for-tat without exploration desc; requests_sent asc.</para>
/// <para><b>Throughput</b> (PeerActors addition, <see cref="ThroughputScoring"/>): keys u = a·r·multiplier and
/// v = b·r·multiplier are query- and time-independent; the pooled mean m comes from fixed-point sums kept on every
/// upsert/remove (exact, order-independent). The threshold algorithm runs over (u desc, v desc[, boost desc]) with
/// bound x/(x+m), x = u_head + v_head·m, plus 1e-9. LowestLatency keeps SRTT &gt; 0 and SRTT = 0 peers in two sets
/// and reads unknown-then-known (reference) or known-then-unknown (<see cref="SelectionQuery.UnknownLatencyLast"/>).</para>
/// <para><b>Strategies.</b> Weighted with w = 0, HighestSuccessRate and LowestLatency read their set in
/// order and take the first N that pass the filters. Weighted with w &gt; 0 runs Fagin's threshold
/// algorithm over (score·multiplier, boost): blend is monotone in both, so once the N-th best exact
/// value is above the blend of the two heads no unseen peer can enter. UtilityUcb and TitForTat are
/// A_i + c·sqrt(ln(T+k)/(r_i+k)) with A_i query-independent: the threshold algorithm runs over (A desc,
/// requests asc[, boost desc]) with bound A_head + explore(r_head) + 1e-9 (rounding margin; the
/// multiplier is ≤ 1), TitForTat's bound floored at 0 like the score. Exact values are always
/// computed with the shared formulas, so results match bit for bit. Ties at the N-th value (including
/// TitForTat's zero tail) keep the walk going, so populations of many identical peers degrade to a
/// linear walk, never to a wrong answer. RoundRobin and Random make one O(n) pass over the id-ordered
/// peers (no sort); Random uses a partial forward Fisher–Yates, identical to the first N of the full one.</para>
/// <para><b>Totals.</b> Candidate counts and Σ requests_sent are kept per population and per protocol /
/// service tag; a query subtracts the few excluded, defaulting or fairness-dropped peers. Fairness's
/// Σ selection_rate(now) over all peers is one tight O(n) pass over id-ordered arrays (no sort), run only
/// when fairness applies (on, ≥ 5 candidates).</para>
/// </remarks>
public sealed class PeerRankingIndex
{
    private const double Margin = 1e-9;

    private sealed class Slot(PeerStatsState state, PeerTags tags)
    {
        public PeerStatsState State = state;
        public PeerTags Tags = tags;
        public string Id => State.PeerId.Value;
        public bool Attached, BackedOff, Recent;
        public long UntilTicks, RecentEndTicks;
        public double Score, ScoreMult, Mult, Boost, SuccessRate, UcbA, TftA, TpU, TpV;
        public int SeenStamp, DropStamp, ExcludeStamp;
        public int Index; // position in the dense arrays
        // The owner's version of these inputs (opaque here), kept in the slot so that the owner needs no map of its own.
        public long Version;
    }

    private sealed class TagAgg
    {
        public readonly HashSet<Slot> Members = [];
        public int Count;
        public UInt128 Requests;
    }

    private sealed class KeyComparer(Func<Slot, Slot, int> primary) : IComparer<Slot>
    {
        public int Compare(Slot? a, Slot? b)
        {
            if (ReferenceEquals(a, b)) return 0;
            var c = primary(a!, b!);
            return c != 0 ? c : string.CompareOrdinal(a!.Id, b!.Id);
        }
    }

    private readonly Dictionary<PeerId, Slot> _slots = new();
    // Every slot's tags are a pooled instance (or PeerTags.Empty): one copy per distinct tag set, not per peer.
    private readonly PeerTagsPool _tags = new();
    // Peers with a ban record (few): a query treats those banned at its now as excluded (see Select).
    private readonly Dictionary<PeerId, DateTimeOffset> _bans = new();
    // Dense struct-of-arrays (swap-remove, arbitrary order) for the fairness pass: requests_sent as a
    // double, connected_at as exact double ticks relative to _anchor, and the raw values for the
    // scalar fallback. Id order is a separate cached array (_ordered), rebuilt only after membership changes.
    private Slot[] _dense = new Slot[16];
    private double[] _reqD = new double[16];
    private double[] _connRel = new double[16];
    private ulong[] _req = new ulong[16];
    private long[] _conn = new long[16];
    private int _n;
    private long _anchor;
    private bool _anchorSet;
    private int _wide; // slots whose connected_at is too far from _anchor to be exact in a double
    private Slot[] _ordered = [];
    private int[] _scratch = [];
    private bool _orderDirty = true;
    private const double ExactRange = 4503599627370496.0; // 2^52

    /// <summary>
    /// One order over the candidates, built by the first query that reads it and maintained on every change from then
    /// on. A tree node costs about 48 bytes per peer and order, and most users read one or two of the ten orders (a
    /// replay's report: Weighted without payment weight), so unread orders cost nothing. Built from the same cached keys
    /// the incremental maintenance uses, a late-built order holds exactly the set it would have held.
    /// </summary>
    private sealed class CandidateOrder(IComparer<Slot> comparer, Func<Slot, bool>? member = null)
    {
        private SortedSet<Slot>? _set;

        /// <summary>Whether the slot belongs to this order when it is a candidate (the latency orders split on SRTT).</summary>
        public bool Holds(Slot s) => member is null || member(s);

        public void Add(Slot s) => _set?.Add(s);

        public void Remove(Slot s) => _set?.Remove(s);

        /// <summary>The order, built from <paramref name="candidates"/> (every non-backed-off slot) on first use.</summary>
        public SortedSet<Slot> Read(IEnumerable<Slot> candidates) =>
            _set ??= new SortedSet<Slot>(member is null ? candidates : candidates.Where(member), comparer);
    }

    private readonly CandidateOrder _weighted = new(new KeyComparer((a, b) => b.ScoreMult.CompareTo(a.ScoreMult)));
    private readonly CandidateOrder _boost = new(new KeyComparer((a, b) => b.Boost.CompareTo(a.Boost)));
    private readonly CandidateOrder _success = new(new KeyComparer((a, b) => b.SuccessRate.CompareTo(a.SuccessRate)));
    // LowestLatency: peers with an RTT sample (SRTT > 0) and without (SRTT 0), each SRTT asc then score desc;
    // the reference order is unknown-then-known, UnknownLatencyLast is known-then-unknown.
    private readonly CandidateOrder _latency = new(new KeyComparer(LatencyOrder), s => s.State.SrttMs > 0);
    private readonly CandidateOrder _latencyUnknown = new(new KeyComparer(LatencyOrder), s => !(s.State.SrttMs > 0));
    // Throughput: u = a·r·multiplier desc and v = b·r·multiplier desc (see ThroughputScoring).
    private readonly CandidateOrder _tpU = new(new KeyComparer((a, b) => b.TpU.CompareTo(a.TpU)));
    private readonly CandidateOrder _tpV = new(new KeyComparer((a, b) => b.TpV.CompareTo(a.TpV)));
    private Int128 _tpSumBytes, _tpSumMs;
    private readonly ThroughputOptions _throughput;

    private static int LatencyOrder(Slot a, Slot b)
    {
        var c = a.State.SrttMs.CompareTo(b.State.SrttMs);
        return c != 0 ? c : b.Score.CompareTo(a.Score);
    }
    private readonly CandidateOrder _ucb = new(new KeyComparer((a, b) => b.UcbA.CompareTo(a.UcbA)));
    private readonly CandidateOrder _tft = new(new KeyComparer((a, b) => b.TftA.CompareTo(a.TftA)));
    private readonly CandidateOrder _requests = new(new KeyComparer((a, b) => a.State.RequestsSent.CompareTo(b.State.RequestsSent)));
    private readonly SortedSet<Slot> _backedOff = new(new KeyComparer((a, b) => a.UntilTicks.CompareTo(b.UntilTicks)));
    private readonly SortedSet<Slot> _recent = new(new KeyComparer((a, b) => a.RecentEndTicks.CompareTo(b.RecentEndTicks)));

    private readonly Dictionary<string, TagAgg> _protocols = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TagAgg> _services = new(StringComparer.Ordinal);
    private readonly HashSet<Slot> _defaulters = [];
    private int _candidateCount;
    private UInt128 _candidateRequests;
    private long _clock = long.MinValue;
    private int _stamp;
    private readonly Random _rng;

    /// <summary>Creates an empty index.</summary>
    /// <param name="rng">Generator for Random queries without a seed; a new unseeded one when null.</param>
    /// <param name="throughput">Settings of the Throughput strategy; <see cref="ThroughputOptions.Default"/> when null.</param>
    public PeerRankingIndex(Random? rng = null, ThroughputOptions? throughput = null)
    {
        _rng = rng ?? new Random();
        _throughput = throughput ?? ThroughputOptions.Default;
    }

    /// <summary>Settings of the Throughput strategy this index was built with.</summary>
    public ThroughputOptions Throughput => _throughput;

    /// <summary>The pooled population throughput mean m = Σ B / Σ T over all tracked peers, bytes per ms (0 without evidence).</summary>
    public double ThroughputMean => ThroughputScoring.PopulationMean(_tpSumBytes, _tpSumMs);

    /// <summary>Number of tracked peers.</summary>
    public int Count => _n;

    /// <summary>The next RoundRobin rotation; advances by one per RoundRobin query.</summary>
    public long RoundRobinIndex { get; set; }

    /// <summary>The index clock (UTC ticks): keys reflect this instant; <see cref="long.MinValue"/> before the first query.</summary>
    public long ClockTicks => _clock;

    /// <summary>Distinct non-empty tag sets among the tracked peers (each is held once, shared by its peers).</summary>
    public int DistinctTagSets => _tags.Count;

    /// <summary>Whether the peer is tracked.</summary>
    public bool Contains(PeerId id) => _slots.ContainsKey(id);

    /// <summary>All tracked peers, id order.</summary>
    public IEnumerable<PeerEntry> Entries()
    {
        var ordered = Ordered();
        for (var i = 0; i < ordered.Length; i++)
            yield return new PeerEntry(ordered[i].State, ordered[i].Tags,
                _bans.Count > 0 && _bans.TryGetValue(ordered[i].State.PeerId, out var until) ? until : null);
    }

    /// <summary>The tracked peers in id order (cached; re-sorted only after a peer was added or removed).</summary>
    private Slot[] Ordered()
    {
        if (!_orderDirty) return _ordered;
        var arr = new Slot[_n];
        Array.Copy(_dense, arr, _n);
        Array.Sort(arr, static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        _ordered = arr;
        _orderDirty = false;
        return arr;
    }

    /// <summary>Adds a peer or replaces its stats and tags. O(log n).</summary>
    /// <param name="state">The peer's latest stats.</param>
    /// <param name="tags">Protocols/services it serves; null keeps the known tags (empty for a new peer).</param>
    /// <exception cref="InvalidInputException">When the state has an empty id, NaN/∞/negative RTTs or a negative backoff level.</exception>
    public void Upsert(PeerStatsState state, PeerTags? tags = null) => Upsert(state, tags, keepBan: true, bannedUntil: null, version: null);

    /// <summary>
    /// Adds a peer or replaces its stats, tags and ban. O(log n). A peer banned at a query's <c>now</c>
    /// (<c>now &lt; bannedUntil</c>) is treated as excluded by that query (every strategy, no fallback), exactly as
    /// <see cref="PeerSelector"/> does for a <see cref="PeerEntry.BannedUntil"/>.
    /// </summary>
    /// <param name="state">The peer's latest stats.</param>
    /// <param name="tags">Protocols/services it serves; null keeps the known tags (empty for a new peer).</param>
    /// <param name="bannedUntil">End of the peer's ban; null = not banned.</param>
    /// <exception cref="InvalidInputException">As <see cref="Upsert(PeerStatsState, PeerTags?)"/>.</exception>
    public void Upsert(PeerStatsState state, PeerTags? tags, DateTimeOffset? bannedUntil) => Upsert(state, tags, keepBan: false, bannedUntil, version: null);

    /// <summary>
    /// As <see cref="Upsert(PeerStatsState, PeerTags?, DateTimeOffset?)"/>, and records <paramref name="version"/> with the peer
    /// (read back with <see cref="TryGetVersion"/>; the index does not interpret it: the selector keeps the version of the
    /// latest score inputs there, so it needs no per-peer map of its own).
    /// </summary>
    /// <exception cref="InvalidInputException">As <see cref="Upsert(PeerStatsState, PeerTags?)"/>.</exception>
    public void Upsert(PeerStatsState state, PeerTags? tags, DateTimeOffset? bannedUntil, long version) =>
        Upsert(state, tags, keepBan: false, bannedUntil, version);

    /// <summary>The version recorded with a tracked peer's inputs (0 when upserted without one); false when it is not tracked.</summary>
    public bool TryGetVersion(PeerId id, out long version)
    {
        if (_slots.TryGetValue(id, out var slot))
        {
            version = slot.Version;
            return true;
        }
        version = 0;
        return false;
    }

    /// <summary>
    /// The latest activity instant among the inputs ever upserted (UTC ticks; <see cref="long.MinValue"/> before the first):
    /// the clock <see cref="RemoveInactive"/> is usually driven by. It follows the observations' own timestamps, so a replay
    /// of old data ages peers in data time, and it never goes back.
    /// </summary>
    public long LatestActivityTicks { get; private set; } = long.MinValue;

    /// <summary>
    /// Drops every peer whose last activity (<see cref="SelectionMath.LastActivity"/>: the latest of its first-seen, last
    /// success, last failure and last throughput sample instants) is before <paramref name="cutoff"/>, with its ban and version.
    /// O(n) over the tracked peers, plus O(log n) per peer dropped. A dropped peer comes back with its next upsert.
    /// </summary>
    /// <param name="cutoff">Peers last active strictly before this instant are dropped.</param>
    /// <returns>The ids dropped (in no particular order).</returns>
    public IReadOnlyList<PeerId> RemoveInactive(DateTimeOffset cutoff)
    {
        var t = cutoff.UtcTicks;
        List<PeerId>? gone = null;
        for (var i = 0; i < _n; i++)
            if (SelectionMath.LastActivityTicks(_dense[i].State) < t)
                (gone ??= []).Add(_dense[i].State.PeerId);
        if (gone is null) return [];
        foreach (var id in gone) Remove(id);
        return gone;
    }

    private void Upsert(PeerStatsState state, PeerTags? tags, bool keepBan, DateTimeOffset? bannedUntil, long? version)
    {
        SelectionMath.ValidateState(state);
        var activity = SelectionMath.LastActivityTicks(state);
        if (activity > LatestActivityTicks) LatestActivityTicks = activity;
        if (_slots.TryGetValue(state.PeerId, out var slot))
        {
            Detach(slot);
            slot.State = state;
            if (tags is not null)
            {
                var old = slot.Tags;
                slot.Tags = _tags.Acquire(tags);
                _tags.Release(old);
            }
            if (IsWide(_conn[slot.Index])) _wide--;
        }
        else
        {
            slot = new Slot(state, tags is null ? PeerTags.Empty : _tags.Acquire(tags));
            _slots.Add(state.PeerId, slot);
            if (_n == _dense.Length)
            {
                var len = _n * 2;
                Array.Resize(ref _dense, len);
                Array.Resize(ref _reqD, len);
                Array.Resize(ref _connRel, len);
                Array.Resize(ref _req, len);
                Array.Resize(ref _conn, len);
            }
            slot.Index = _n;
            _dense[_n] = slot;
            _n++;
            _orderDirty = true;
        }
        if (version is { } v) slot.Version = v;
        if (!keepBan)
        {
            if (bannedUntil is { } until) _bans[state.PeerId] = until;
            else _bans.Remove(state.PeerId);
        }
        if (!_anchorSet) { _anchor = state.ConnectedAt.UtcTicks; _anchorSet = true; }
        var i = slot.Index;
        var c = state.ConnectedAt.UtcTicks;
        _req[i] = state.RequestsSent;
        _reqD[i] = state.RequestsSent;
        _conn[i] = c;
        if (IsWide(c)) { _wide++; _connRel[i] = 0; }
        else _connRel[i] = c - _anchor;
        Attach(slot);
    }

    private bool IsWide(long ticks)
    {
        var d = (Int128)ticks - _anchor;
        return d > (Int128)ExactRange || d < -(Int128)ExactRange;
    }

    /// <summary>Forgets a peer. Returns false when it was not tracked. O(log n) (swap-remove).</summary>
    public bool Remove(PeerId id)
    {
        if (!_slots.Remove(id, out var slot)) return false;
        _bans.Remove(id);
        Detach(slot);
        _tags.Release(slot.Tags);
        var i = slot.Index;
        if (IsWide(_conn[i])) _wide--;
        var last = _n - 1;
        if (i != last)
        {
            var moved = _dense[last];
            _dense[i] = moved;
            moved.Index = i;
            _reqD[i] = _reqD[last];
            _connRel[i] = _connRel[last];
            _req[i] = _req[last];
            _conn[i] = _conn[last];
        }
        _dense[last] = null!;
        _n--;
        _orderDirty = true;
        if (_n == 0) { _anchorSet = false; _wide = 0; }
        return true;
    }

    /// <summary>The §3 summary at <paramref name="now"/> (one O(n) pass; identical to <see cref="PeerSelector.Summary"/>).</summary>
    public SelectionSummary Summary(DateTimeOffset now)
    {
        UInt128 req = 0, succ = 0, tmo = 0;
        int backed = 0, rttCount = 0;
        double rttSum = 0;
        var t = now.UtcTicks;
        var ordered = Ordered();
        for (var i = 0; i < ordered.Length; i++)
        {
            var s = ordered[i].State;
            req += s.RequestsSent; succ += s.Successes; tmo += s.Timeouts;
            if (SelectionMath.IsBackedOff(s, t)) backed++;
            if (s.SrttMs > 0) { rttSum += s.SrttMs; rttCount++; }
        }
        var r = SelectionMath.Clamp(req);
        var sc = SelectionMath.Clamp(succ);
        return new SelectionSummary(_n, r, sc, SelectionMath.Clamp(tmo), backed,
            rttCount == 0 ? 0 : rttSum / rttCount, r == 0 ? 0 : (double)sc / r);
    }

    /// <summary>
    /// Answers a query at <paramref name="now"/>, exactly as the reference function with this index's
    /// <see cref="RoundRobinIndex"/> (which then advances for RoundRobin queries) and, for Random, a
    /// generator seeded with <see cref="SelectionQuery.RandomSeed"/> (else the index's own).
    /// </summary>
    public SelectionResult Select(SelectionQuery query, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(query);
        var rng = query.RandomSeed is { } seed ? new Random(seed) : _rng;
        var rr = RoundRobinIndex;
        if (query.Strategy == SelectionStrategy.RoundRobin) RoundRobinIndex++;
        var t = now.UtcTicks;
        if (t < _clock) return PeerSelector.Select(Entries(), query, now, rr, rng, _throughput);
        Advance(t);
        return SelectFast(WithBansExcluded(query, now), now, rr, rng);
    }

    /// <summary>The query with the peers banned at <paramref name="now"/> added to its exclusions (bans are few).</summary>
    private SelectionQuery WithBansExcluded(SelectionQuery query, DateTimeOffset now)
    {
        if (_bans.Count == 0) return query;
        HashSet<PeerId>? exclude = null;
        foreach (var (id, until) in _bans)
            if (now < until && !query.Exclude.Contains(id))
                (exclude ??= new HashSet<PeerId>(query.Exclude)).Add(id);
        return exclude is null ? query : query with { Exclude = exclude };
    }

    /// <summary>Answers with the slow reference path (full sort); for tests and diagnostics. Does not advance <see cref="RoundRobinIndex"/>.</summary>
    public SelectionResult SelectByFullSort(SelectionQuery query, DateTimeOffset now, long roundRobinIndex, Random rng) =>
        PeerSelector.Select(Entries(), query, now, roundRobinIndex, rng, _throughput);

    // ------------------------------------------------------------------ maintenance

    private void Advance(long t)
    {
        if (t <= _clock) return;
        _clock = t;
        while (_backedOff.Count > 0 && _backedOff.Min!.UntilTicks <= t)
        {
            var s = _backedOff.Min!;
            Detach(s);
            Attach(s);
        }
        while (_recent.Count > 0 && _recent.Min!.RecentEndTicks <= t)
        {
            var s = _recent.Min!;
            Detach(s);
            Attach(s);
        }
    }

    private static readonly DateTimeOffset Anchor = DateTimeOffset.UnixEpoch;

    /// <summary>A candidate order, built on its first read (every slot is attached between queries).</summary>
    private SortedSet<Slot> Read(CandidateOrder order) => order.Read(Candidates());

    private IEnumerable<Slot> Candidates()
    {
        for (var i = 0; i < _n; i++)
            if (!_dense[i].BackedOff) yield return _dense[i];
    }

    private void Attach(Slot s)
    {
        var st = s.State;
        s.UntilTicks = st.BackedOffUntil?.UtcTicks ?? long.MinValue;
        s.BackedOff = st.BackedOffUntil is not null && _clock < s.UntilTicks;
        s.RecentEndTicks = st.LastSuccess is { } ls ? ls.UtcTicks + Scores.RecencyWindow.Ticks : long.MinValue;
        s.Recent = st.LastSuccess is not null && _clock < s.RecentEndTicks;
        s.SuccessRate = SelectionMath.SuccessRate(st);
        // Same double as Scores.Score(…, now) for any now with the same recency flag.
        s.Score = Scores.Score(s.SuccessRate, st.SrttMs, s.Recent ? Anchor : null, Anchor);
        s.Mult = SelectionMath.Multiplier(st);
        s.Boost = SelectionMath.Boost(st);
        s.ScoreMult = s.Score * s.Mult;
        s.UcbA = SelectionMath.Utility(st, 0); // exploration term is sqrt(ln 1 / …) = 0
        s.TftA = TitForTatWithoutExploration(st);
        var (ta, tb) = ThroughputScoring.Coefficients(st, _throughput.PriorSamples);
        var rm = ThroughputScoring.Reliability(st) * s.Mult;
        s.TpU = ta * rm;
        s.TpV = tb * rm;
        var (tpBytes, tpMs) = ThroughputScoring.FixedSums(st);
        _tpSumBytes += tpBytes;
        _tpSumMs += tpMs;

        foreach (var p in s.Tags.Protocols) AddTag(_protocols, p, s);
        foreach (var v in s.Tags.Services) AddTag(_services, v, s);
        if (st.PaymentDefaults > 0) _defaulters.Add(s);
        if (s.BackedOff)
        {
            _backedOff.Add(s);
        }
        else
        {
            _candidateCount++;
            _candidateRequests += st.RequestsSent;
            _weighted.Add(s); _boost.Add(s); _success.Add(s); (_latency.Holds(s) ? _latency : _latencyUnknown).Add(s);
            _ucb.Add(s); _tft.Add(s); _requests.Add(s); _tpU.Add(s); _tpV.Add(s);
        }
        if (s.Recent) _recent.Add(s);
        s.Attached = true;
    }

    private void Detach(Slot s)
    {
        if (!s.Attached) return;
        var st = s.State;
        foreach (var p in s.Tags.Protocols) RemoveTag(_protocols, p, s);
        foreach (var v in s.Tags.Services) RemoveTag(_services, v, s);
        _defaulters.Remove(s);
        if (s.BackedOff)
        {
            _backedOff.Remove(s);
        }
        else
        {
            _candidateCount--;
            _candidateRequests -= st.RequestsSent;
            _weighted.Remove(s); _boost.Remove(s); _success.Remove(s); (_latency.Holds(s) ? _latency : _latencyUnknown).Remove(s);
            _ucb.Remove(s); _tft.Remove(s); _requests.Remove(s); _tpU.Remove(s); _tpV.Remove(s);
        }
        if (s.Recent) _recent.Remove(s);
        // The state has not changed since Attach (Upsert detaches before replacing it), so this is exactly what was added.
        var (tpBytes, tpMs) = ThroughputScoring.FixedSums(st);
        _tpSumBytes -= tpBytes;
        _tpSumMs -= tpMs;
        s.Attached = false;
    }

    private static void AddTag(Dictionary<string, TagAgg> map, string tag, Slot s)
    {
        if (!map.TryGetValue(tag, out var agg)) map[tag] = agg = new TagAgg();
        agg.Members.Add(s);
        if (!s.BackedOff) { agg.Count++; agg.Requests += s.State.RequestsSent; }
    }

    private static void RemoveTag(Dictionary<string, TagAgg> map, string tag, Slot s)
    {
        var agg = map[tag];
        agg.Members.Remove(s);
        if (!s.BackedOff) { agg.Count--; agg.Requests -= s.State.RequestsSent; }
        if (agg.Members.Count == 0) map.Remove(tag);
    }

    /// <summary>0.65·reliability + 0.25·reciprocity + 0.10·rtt_s − penalty (tit_for_tat without its exploration term or floor).</summary>
    private static double TitForTatWithoutExploration(PeerStatsState s)
    {
        var reliability = ((double)s.Successes + 1.0) / ((double)s.RequestsSent + 2.0);
        var raw = s.BytesSent == 0 ? 1.0 : (double)s.BytesReceived / s.BytesSent;
        var recipRatio = raw / (1.0 + raw);
        var conf = (double)s.Successes / ((double)s.Successes + 4.0);
        var reciprocity = (1.0 - conf) * 0.5 + conf * recipRatio;
        var rtt = s.SrttMs <= 0 ? 0.5 : Math.Min(1.0, 400.0 / (s.SrttMs + 50.0));
        double timeoutRate = 0, failureRate = 0;
        if (s.RequestsSent > 0)
        {
            timeoutRate = (double)s.Timeouts / s.RequestsSent;
            failureRate = (double)s.Failures / s.RequestsSent;
        }
        var penalty = Math.Min(0.95, 0.60 * timeoutRate + 0.45 * failureRate + 0.10 * s.BackoffLevel);
        return 0.65 * reliability + 0.25 * reciprocity + 0.10 * rtt - penalty;
    }

    // ------------------------------------------------------------------ query

    /// <summary>Same as <see cref="SelectionMath.PassesFilters"/>, with the exclude set resolved to stamps once per query.</summary>
    private bool Passes(Slot s, SelectionQuery q) =>
        s.ExcludeStamp != _stamp
        && (q.Protocol is null || s.Tags.Protocols.Contains(q.Protocol))
        && (q.Service is null || s.Tags.Services.Contains(q.Service))
        && !(q.PaymentDefaultThreshold > 0 && s.State.PaymentDefaults >= q.PaymentDefaultThreshold);

    private bool Eligible(Slot s, SelectionQuery q) => s.DropStamp != _stamp && Passes(s, q);

    private SelectionResult SelectFast(SelectionQuery q, DateTimeOffset now, long rr, Random rng)
    {
        _stamp++;
        if (_stamp == int.MaxValue)
        {
            foreach (var s in _slots.Values) { s.SeenStamp = 0; s.DropStamp = 0; s.ExcludeStamp = 0; }
            _stamp = 1;
        }
        foreach (var id in q.Exclude)
            if (_slots.TryGetValue(id, out var ex)) ex.ExcludeStamp = _stamp;
        var w = q.PaymentWeight;
        var n = q.Count;

        // Candidate count and Σ requests_sent after filters.
        CandidateTotals(q, out var count, out var requests);
        if (count == 0)
        {
            var list = new List<RankedPeer>();
            var matching = 0;
            foreach (var s in _backedOff)
            {
                if (!Passes(s, q)) continue;
                matching++;
                if (list.Count < n)
                    list.Add(new RankedPeer(s.State.PeerId, 0,
                        SelectionMath.Inputs(s.State, 0, w, 0, s.State.BackedOffUntil!.Value - now)));
            }
            return new SelectionResult(list, matching > 0, matching, []);
        }

        var dropped = new List<PeerId>();
        if (q.Fairness && count >= SelectionMath.FairnessMinCandidates)
        {
            var droppedSlots = FairnessDrops(q, now.UtcTicks);
            if (droppedSlots is not null && droppedSlots.Count > 0 && droppedSlots.Count < count)
            {
                foreach (var s in droppedSlots)
                {
                    s.DropStamp = _stamp;
                    dropped.Add(s.State.PeerId);
                    requests -= s.State.RequestsSent;
                }
                count -= droppedSlots.Count;
            }
        }

        List<RankedPeer> ranked;
        switch (q.Strategy)
        {
            case SelectionStrategy.Weighted when w == 0:
                ranked = TakeInOrder(Read(_weighted), q, n, s => s.ScoreMult, s => s.Score, w);
                break;
            case SelectionStrategy.HighestSuccessRate:
                ranked = TakeInOrder(Read(_success), q, n, s => s.SuccessRate, s => s.SuccessRate, w);
                break;
            case SelectionStrategy.LowestLatency:
                ranked = TakeInOrder(q.UnknownLatencyLast ? Read(_latency).Concat(Read(_latencyUnknown)) : Read(_latencyUnknown).Concat(Read(_latency)),
                    q, n, s => s.Score, s => s.Score, w);
                break;
            case SelectionStrategy.Throughput:
            {
                var mean = ThroughputMean;
                var k = _throughput.PriorSamples;
                ranked = Threshold(q, n, w, w > 0 ? [Read(_tpU), Read(_tpV), Read(_boost)] : [Read(_tpU), Read(_tpV)],
                    heads => SelectionMath.BlendProduct(ThroughputScoring.Bound(heads[0]!.TpU, heads[1]!.TpV, mean),
                        w > 0 ? heads[2]!.Boost : 0, w) + Margin,
                    s =>
                    {
                        var b = ThroughputScoring.Base(s.State, mean, k);
                        return (SelectionMath.Blend(b, s.Mult, s.Boost, w), b);
                    }, 0,
                    s => (ThroughputScoring.Estimate(s, mean, k), mean));
                break;
            }
            case SelectionStrategy.Weighted:
                ranked = Threshold(q, n, w, [Read(_weighted), Read(_boost)],
                    heads => SelectionMath.BlendProduct(heads[0]!.ScoreMult, heads[1]!.Boost, w),
                    s => (SelectionMath.Blend(s.Score, s.Mult, s.Boost, w), s.Score), 0);
                break;
            case SelectionStrategy.UtilityUcb:
            {
                var total = SelectionMath.Clamp(requests);
                var lnT = Math.Log((double)total + 1.0);
                ranked = Threshold(q, n, w, w > 0 ? [Read(_ucb), Read(_requests), Read(_boost)] : [Read(_ucb), Read(_requests)],
                    heads =>
                    {
                        var b = heads[0]!.UcbA + 0.20 * Math.Sqrt(lnT / ((double)heads[1]!.State.RequestsSent + 1.0)) + Margin;
                        return SelectionMath.BlendProduct(b, w > 0 ? heads[2]!.Boost : 0, w);
                    },
                    s =>
                    {
                        var b = SelectionMath.Utility(s.State, total);
                        return (SelectionMath.Blend(b, s.Mult, s.Boost, w), b);
                    }, total);
                break;
            }
            case SelectionStrategy.TitForTat:
            {
                var total = SelectionMath.Clamp(requests);
                var lnT = Math.Log((double)total + 2.0);
                ranked = Threshold(q, n, w, w > 0 ? [Read(_tft), Read(_requests), Read(_boost)] : [Read(_tft), Read(_requests)],
                    heads =>
                    {
                        var b = Math.Max(0, heads[0]!.TftA + 0.03 * Math.Sqrt(lnT / ((double)heads[1]!.State.RequestsSent + 2.0)) + Margin);
                        return SelectionMath.BlendProduct(b, w > 0 ? heads[2]!.Boost : 0, w);
                    },
                    s =>
                    {
                        var b = SelectionMath.TitForTat(s.State, total);
                        return (SelectionMath.Blend(b, s.Mult, s.Boost, w), b);
                    }, total);
                break;
            }
            case SelectionStrategy.RoundRobin:
            case SelectionStrategy.Random:
            {
                // One tight pass over the cached id-ordered array (no sort, no hashing when there is no
                // protocol/service filter).
                var ordered = Ordered();
                var take = Math.Min(n, count);
                ranked = new List<RankedPeer>(take);
                if (q.Strategy == SelectionStrategy.RoundRobin)
                {
                    if (take == 0) break;
                    var shift = (int)(((rr % count) + count) % count);
                    // Candidates at ranks shift … shift+take−1 (mod count), in rank order.
                    var head = new List<Slot>(take);
                    var rank = 0;
                    var tailNeeded = Math.Max(0, shift + take - count);
                    for (var i = 0; i < ordered.Length && (rank < shift + take || head.Count < tailNeeded); i++)
                    {
                        var s = ordered[i];
                        if (s.BackedOff || !Eligible(s, q)) continue;
                        if (rank < tailNeeded) head.Add(s);
                        if (rank >= shift && rank < shift + take) ranked.Add(Unscored(s, w));
                        rank++;
                    }
                    foreach (var s in head) ranked.Add(Unscored(s, w));
                }
                else
                {
                    // Reused scratch buffer (no large-object allocation per query); same partial forward
                    // Fisher–Yates as PeerSelector.ShuffleFirst over the count candidates.
                    // Positions (ints, so no GC write barriers on an old-generation array).
                    if (_scratch.Length < count) _scratch = new int[Math.Max(count, _scratch.Length * 2)];
                    var cands = _scratch;
                    var k = 0;
                    for (var i = 0; i < ordered.Length; i++)
                    {
                        var s = ordered[i];
                        if (!s.BackedOff && Eligible(s, q)) cands[k++] = i;
                    }
                    for (var i = 0; i < Math.Min(n, count - 1); i++)
                    {
                        var j = rng.Next(i, count);
                        (cands[i], cands[j]) = (cands[j], cands[i]);
                    }
                    for (var i = 0; i < take; i++) ranked.Add(Unscored(ordered[cands[i]], w));
                }
                break;
            }
            default:
                throw new InvalidInputException("strategy", $"unknown strategy {q.Strategy}");
        }
        dropped.Sort((a, b) => string.CompareOrdinal(a.Value, b.Value));
        return new SelectionResult(ranked, false, count, dropped);
    }

    private static RankedPeer Unscored(Slot s, double w) =>
        new(s.State.PeerId, 0, SelectionMath.Inputs(s.State, 0, w, 0, TimeSpan.Zero));

    /// <summary>
    /// §3 step 2 without a sort: the candidates (eligible, not backed off) with selection_rate/total &gt; 0.30,
    /// where total is <see cref="SelectionMath.FairnessTotal"/> over all peers in id order.
    /// </summary>
    /// <remarks>
    /// One vectorised pass over the dense arrays computes an approximate total T′ (slot order, so it may
    /// differ from the reference's id-order sum by rounding: |T − T′| ≤ δ·T with δ = 1e-9 + n·1e-15, far
    /// above n·2⁻⁵³) and the largest rate. If the largest rate is ≤ 0.30·T′·(1 − 2δ) nobody is dropped and
    /// the pass ends. Otherwise the few peers above that bound are decided: clearly over when
    /// rate &gt; 0.30·T′·(1 + 2δ); in the narrow band in between, against the exact reference total
    /// (id order), so the answer is always the reference's, bit for bit.
    /// </remarks>
    private List<Slot>? FairnessDrops(SelectionQuery q, long t)
    {
        var exactVector = _wide == 0 && Int128.Abs((Int128)t - _anchor) <= (Int128)ExactRange;
        double total, max;
        if (exactVector) (total, max) = RatesVector(t - _anchor);
        else (total, max) = RatesScalar(t);
        if (total <= 0) return null;
        var delta = 1e-9 + _n * 1e-15;
        var low = SelectionMath.FairnessMaxShare * total * (1 - 2 * delta);
        if (max <= low) return null;
        var high = SelectionMath.FairnessMaxShare * total * (1 + 2 * delta);
        var result = new List<Slot>();
        double? exactTotal = null;
        for (var i = 0; i < _n; i++)
        {
            var rate = SelectionMath.SelectionRate(_req[i], _conn[i], t);
            if (rate <= low) continue;
            var s = _dense[i];
            if (s.BackedOff || !Passes(s, q)) continue;
            bool over;
            if (rate > high) over = true;
            else
            {
                exactTotal ??= CanonicalFairnessTotal(t);
                over = SelectionMath.OverShare(rate, exactTotal.Value);
            }
            if (over) result.Add(s);
        }
        return result;
    }

    /// <summary>The reference total (id order, <see cref="SelectionMath.FairnessTotal"/>).</summary>
    private double CanonicalFairnessTotal(long t)
    {
        var ordered = Ordered();
        var req = new ulong[ordered.Length];
        var conn = new long[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
        {
            req[i] = _req[ordered[i].Index];
            conn[i] = _conn[ordered[i].Index];
        }
        return SelectionMath.FairnessTotal(req, conn, t);
    }

    private (double Total, double Max) RatesScalar(long t)
    {
        double total = 0, max = 0;
        for (var i = 0; i < _n; i++)
        {
            var r = SelectionMath.SelectionRate(_req[i], _conn[i], t);
            total += r;
            if (r > max) max = r;
        }
        return (total, max);
    }

    /// <summary>
    /// Σ and max of selection_rate over the dense arrays with <see cref="System.Numerics.Vector{T}"/>:
    /// age = now − connected_at in exact double ticks (both within 2⁵² of the anchor), rate = requests /
    /// (age / 10⁷) when age ≥ 10 s, else 0 (the same operations as <see cref="SelectionMath.SelectionRate"/>).
    /// </summary>
    private (double Total, double Max) RatesVector(long nowRelTicks)
    {
        var req = _reqD.AsSpan(0, _n);
        var conn = _connRel.AsSpan(0, _n);
        var nowRel = (double)nowRelTicks;
        const double warm = SelectionMath.SelectionRateWarmupTicks;
        const double tps = TimeSpan.TicksPerSecond;
        var i = 0;
        double total = 0, max = 0;
        var width = System.Numerics.Vector<double>.Count;
        if (System.Numerics.Vector.IsHardwareAccelerated && req.Length >= width)
        {
            var nowV = new System.Numerics.Vector<double>(nowRel);
            var warmV = new System.Numerics.Vector<double>(warm);
            var tpsV = new System.Numerics.Vector<double>(tps);
            var sumV = System.Numerics.Vector<double>.Zero;
            var maxV = System.Numerics.Vector<double>.Zero;
            for (; i + width <= req.Length; i += width)
            {
                var age = nowV - new System.Numerics.Vector<double>(conn.Slice(i, width));
                var rate = new System.Numerics.Vector<double>(req.Slice(i, width)) / (age / tpsV);
                rate = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.GreaterThanOrEqual(age, warmV), rate, System.Numerics.Vector<double>.Zero);
                sumV += rate;
                maxV = System.Numerics.Vector.Max(maxV, rate);
            }
            total = System.Numerics.Vector.Sum(sumV);
            for (var k = 0; k < width; k++) max = Math.Max(max, maxV[k]);
        }
        for (; i < req.Length; i++)
        {
            var age = nowRel - conn[i];
            var r = age < warm ? 0 : req[i] / (age / tps);
            total += r;
            if (r > max) max = r;
        }
        return (total, max);
    }

    private void CandidateTotals(SelectionQuery q, out int count, out UInt128 requests)
    {
        TagAgg? pa = null, sa = null;
        if (q.Protocol is not null && !_protocols.TryGetValue(q.Protocol, out pa)) { count = 0; requests = 0; return; }
        if (q.Service is not null && !_services.TryGetValue(q.Service, out sa)) { count = 0; requests = 0; return; }
        if (pa is not null && sa is not null)
        {
            count = 0; requests = 0;
            foreach (var s in pa.Members.Count <= sa.Members.Count ? pa.Members : sa.Members)
            {
                if (s.BackedOff || !Passes(s, q)) continue;
                count++; requests += s.State.RequestsSent;
            }
            return;
        }
        var agg = pa ?? sa;
        count = agg?.Count ?? _candidateCount;
        requests = agg?.Requests ?? _candidateRequests;
        // Subtract the few candidates of this population removed by exclude or the default threshold.
        var removed = new HashSet<Slot>();
        foreach (var id in q.Exclude)
            if (_slots.TryGetValue(id, out var s) && !s.BackedOff && InPopulation(s, q)) removed.Add(s);
        if (q.PaymentDefaultThreshold > 0)
            foreach (var s in _defaulters)
                if (!s.BackedOff && s.State.PaymentDefaults >= q.PaymentDefaultThreshold && InPopulation(s, q)) removed.Add(s);
        foreach (var s in removed) { count--; requests -= s.State.RequestsSent; }
    }

    private static bool InPopulation(Slot s, SelectionQuery q) =>
        (q.Protocol is null || s.Tags.Protocols.Contains(q.Protocol)) && (q.Service is null || s.Tags.Services.Contains(q.Service));

    private List<RankedPeer> TakeInOrder(IEnumerable<Slot> set, SelectionQuery q, int n, Func<Slot, double> score,
        Func<Slot, double> baseScore, double w)
    {
        var list = new List<RankedPeer>(Math.Min(n, 64));
        if (n == 0) return list;
        foreach (var s in set)
        {
            if (!Eligible(s, q)) continue;
            list.Add(new RankedPeer(s.State.PeerId, score(s), SelectionMath.Inputs(s.State, baseScore(s), w, 0, TimeSpan.Zero)));
            if (list.Count == n) break;
        }
        return list;
    }

    /// <summary>
    /// Fagin's threshold algorithm: walk the sorted sets in lock step; every newly seen eligible peer gets
    /// its exact value; stop when N values are held and the worst of them is strictly above the bound
    /// computed from the sets' current heads (an upper bound on every unseen peer's value).
    /// </summary>
    private List<RankedPeer> Threshold(SelectionQuery q, int n, double w, SortedSet<Slot>[] sets,
        Func<Slot?[], double> bound, Func<Slot, (double Value, double Base)> exact, ulong total,
        Func<PeerStatsState, (double Estimate, double Mean)>? throughputInputs = null)
    {
        var result = new List<RankedPeer>();
        if (n == 0) return result;
        var top = new PriorityQueue<Slot, (double Value, string Id)>(WorstFirst<double>.Instance);
        var values = new Dictionary<Slot, (double Value, double Base)>();
        var enums = sets.Select(s => s.GetEnumerator()).ToArray();
        var heads = new Slot?[sets.Length];
        for (var i = 0; i < enums.Length; i++) heads[i] = enums[i].MoveNext() ? enums[i].Current : null;
        while (true)
        {
            var exhausted = false;
            for (var i = 0; i < enums.Length; i++)
            {
                var s = heads[i];
                if (s is null) { exhausted = true; break; }
                if (s.SeenStamp != _stamp)
                {
                    s.SeenStamp = _stamp;
                    if (Eligible(s, q))
                    {
                        var v = exact(s);
                        var key = (v.Value, s.Id);
                        if (top.Count < n) { top.Enqueue(s, key); values[s] = v; }
                        else if (WorstFirst<double>.Instance.Compare(key, top.Peek() is var worst ? (values[worst].Value, worst.Id) : default) > 0)
                        {
                            values.Remove(top.Dequeue());
                            top.Enqueue(s, key);
                            values[s] = v;
                        }
                    }
                }
                heads[i] = enums[i].MoveNext() ? enums[i].Current : null;
            }
            if (exhausted || heads.Any(h => h is null)) break;
            if (top.Count == n)
            {
                var worst = top.Peek();
                if (values[worst].Value > bound(heads)) break;
            }
        }
        var items = new List<(Slot Slot, double Value, double Base)>(top.Count);
        while (top.Count > 0) { var s = top.Dequeue(); items.Add((s, values[s].Value, values[s].Base)); }
        items.Reverse();
        foreach (var (s, v, b) in items)
        {
            var inputs = SelectionMath.Inputs(s.State, b, w, total, TimeSpan.Zero);
            if (throughputInputs is not null)
            {
                var (e, m) = throughputInputs(s.State);
                inputs = inputs with { ThroughputEstimate = e, ThroughputMean = m };
            }
            result.Add(new RankedPeer(s.State.PeerId, v, inputs));
        }
        return result;
    }
}
