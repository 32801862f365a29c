namespace PeerActors.Core.Fitness;

/// <summary>
/// Per-peer flap count, rate-limited online/offline event log and channel set (lnd <c>chanfitness</c> <c>peerLog</c>).
/// A pure, deterministic state machine: it never reads a clock; every call that needs the time takes <c>now</c>.
/// Not thread-safe (owned by one actor).
/// </summary>
/// <remarks>
/// <para><b>Rules (SPEC §4).</b> <see cref="OnlineEvent"/> cools the flap count down (<see cref="FlapPolicy.Cooldown"/>),
/// counts the flap, records the state and, only while channels exist, adds an event through the staging rule:
/// a new event replaces the staged one, and the staged one is committed first when
/// staged.Timestamp + <see cref="FlapPolicy.RateLimit"/>(flapCount) is strictly before the new event.</para>
/// <para><b>Ordering.</b> Events are kept in non-decreasing time order: an event whose <c>now</c> is earlier than the
/// latest event already in the log is recorded at that latest instant (a late observation cannot rewrite history).
/// <see cref="FlapCount"/>'s last-flap instant never moves backwards. With in-order input this is exactly lnd.</para>
/// <para><b>Bounded memory.</b> When the committed list exceeds <see cref="PeerLogOptions.MaxCommittedEvents"/>, its
/// oldest events are folded into a <see cref="PeerLogPrefix"/>: the log start S, the boundary B (last folded event),
/// the exact online time C(B) in [S, B], the walk state at B, and exact C(t) checkpoints at the opening instants of
/// channels opened inside (S, B). Uptime is computed as C(end) − C(start) (plus the retained periods), so it is
/// <i>exact</i> whenever each of start and end is ≤ S, ≥ B, or a checkpoint — in particular for every window that
/// includes the whole prefix and for <see cref="ChannelUptime"/> of every channel opened in order. It is
/// <i>approximated</i> only for a bound falling strictly inside the prefix at an instant that is not a checkpoint:
/// there C(t) is linearly interpolated between the neighbouring checkpoints (S, channel opens, B), which keeps
/// 0 ≤ uptime ≤ end − start. <see cref="OnlinePeriods"/> lists only periods after B (the first may start at B).</para>
/// </remarks>
public sealed class PeerLog
{
    private readonly PeerLogOptions _options;
    private readonly List<OnlineStateEvent> _committed = [];
    private readonly Dictionary<string, DateTimeOffset> _channels = new(StringComparer.Ordinal);
    private OnlineStateEvent? _staged;
    private PeerLogPrefix? _prefix;
    private long _flapCount;
    private DateTimeOffset? _lastFlap;
    private long _commits;

    /// <summary>Creates a log for a peer (lnd <c>newPeerLog</c>), optionally with its historical flap count.</summary>
    /// <param name="options">Settings; <see cref="PeerLogOptions.Default"/> when null.</param>
    /// <param name="flapCount">Historical flap count (≥ 0).</param>
    /// <param name="lastFlap">Instant of the last historical flap, if any.</param>
    /// <exception cref="InvalidInputException">On invalid options, a negative flap count or an unset lastFlap.</exception>
    public PeerLog(PeerLogOptions? options = null, long flapCount = 0, DateTimeOffset? lastFlap = null)
    {
        _options = (options ?? PeerLogOptions.Default).Validate();
        _flapCount = Guard.NonNegative(flapCount, nameof(flapCount));
        _lastFlap = lastFlap is { } lf ? Guard.Instant(lf, nameof(lastFlap)) : null;
    }

    /// <summary>The settings in use.</summary>
    public PeerLogOptions Options => _options;

    /// <summary>Whether the peer is currently online (last online/offline event).</summary>
    public bool Online { get; private set; }

    /// <summary>Number of tracked channels.</summary>
    public int ChannelCount => _channels.Count;

    /// <summary>Tracked channels: channel id → opened-at instant.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Channels => _channels;

    /// <summary>Committed events in time order (after the compacted prefix, if any).</summary>
    public IReadOnlyList<OnlineStateEvent> CommittedEvents => _committed;

    /// <summary>The staged (not yet committed) event, if any.</summary>
    public OnlineStateEvent? StagedEvent => _staged;

    /// <summary>The compacted prefix summary, if the log has been compacted.</summary>
    public PeerLogPrefix? Prefix => _prefix;

    /// <summary>Events committed since this log object was created or loaded (a position for <see cref="TakeWindow"/>).</summary>
    public long CommitCount => _commits;

    /// <summary>
    /// What changed since the position <paramref name="commitCount"/> (an earlier <see cref="CommitCount"/>): the events
    /// committed since then and the current scalars; null when some of those events were already folded into the
    /// prefix (the window cannot be expressed as appended events: persist the whole state instead).
    /// </summary>
    /// <param name="commitCount">The position the window starts at.</param>
    /// <returns>The window, or null.</returns>
    public PeerLogWindow? TakeWindow(long commitCount)
    {
        var n = _commits - commitCount;
        if (n < 0 || n > _committed.Count) return null;
        var appended = n == 0 ? [] : _committed.GetRange(_committed.Count - (int)n, (int)n).ToArray();
        return new PeerLogWindow(Online, _flapCount, _lastFlap, _staged, appended);
    }

    /// <summary>
    /// Applies a window taken by <see cref="TakeWindow"/> from a log in the same state as this one: commits the appended
    /// events through the same compaction as live commits, then sets the scalars and the staged event.
    /// </summary>
    /// <param name="window">The window.</param>
    public void ApplyWindow(PeerLogWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        foreach (var e in window.Appended) Commit(e);
        Online = window.Online;
        _flapCount = window.FlapCount;
        _lastFlap = window.LastFlap;
        _staged = window.Staged;
    }

    /// <summary>The flap count and the instant of the last flap (lnd <c>getFlapCount</c>). Cooldown is applied on the next flap, not here.</summary>
    /// <returns>(Count, LastFlap or null).</returns>
    public (long Count, DateTimeOffset? LastFlap) FlapCount() => (_flapCount, _lastFlap);

    /// <summary>
    /// Records a peer online or offline event (lnd <c>onlineEvent</c>): cooldown if a last flap exists, then
    /// flap count + 1 (saturating), last flap = now, online = <paramref name="online"/>; if there are channels,
    /// the event goes through the staging/rate-limit rule. Both online and offline events count as flaps.
    /// </summary>
    /// <param name="online">True for online, false for offline.</param>
    /// <param name="now">The instant of the event.</param>
    /// <exception cref="InvalidInputException">When <paramref name="now"/> is unset.</exception>
    public void OnlineEvent(bool online, DateTimeOffset now)
    {
        now = Guard.Instant(now, nameof(now));
        if (_lastFlap is { } last)
            _flapCount = FlapPolicy.Cooldown(now, _flapCount, last);
        if (_flapCount < long.MaxValue) _flapCount++;
        _lastFlap = _lastFlap is { } prev && prev > now ? prev : now;
        Online = online;
        if (_channels.Count == 0) return;
        AddEvent(online, now);
    }

    /// <summary>
    /// Adds a channel opened at <paramref name="now"/> (lnd <c>addChannel</c>). If the committed log is empty, an
    /// event with the current online state is added at <paramref name="now"/> so the state at channel start is known.
    /// </summary>
    /// <param name="channelId">Non-empty channel id.</param>
    /// <param name="now">Opening instant.</param>
    /// <exception cref="InvalidInputException">When the id is empty or <paramref name="now"/> is unset.</exception>
    /// <exception cref="ChannelAlreadyExistsException">When the channel is already tracked (state unchanged).</exception>
    public void AddChannel(string channelId, DateTimeOffset now)
    {
        ValidateChannelId(channelId);
        now = Guard.Instant(now, nameof(now));
        if (_channels.ContainsKey(channelId)) throw new ChannelAlreadyExistsException(channelId);
        _channels.Add(channelId, now);
        if (_committed.Count == 0) AddEvent(Online, now);
    }

    /// <summary>
    /// Removes a channel (lnd <c>removeChannel</c>). When the last channel goes, the committed events, the staged
    /// event and the compacted prefix are discarded (the flap count and online state are kept).
    /// </summary>
    /// <param name="channelId">Channel id.</param>
    /// <exception cref="InvalidInputException">When the id is empty.</exception>
    /// <exception cref="ChannelNotFoundException">When the channel is not tracked (state unchanged).</exception>
    public void RemoveChannel(string channelId)
    {
        ValidateChannelId(channelId);
        if (!_channels.Remove(channelId)) throw new ChannelNotFoundException(channelId);
        if (_channels.Count == 0)
        {
            _committed.Clear();
            _committed.TrimExcess();
            _staged = null;
            _prefix = null;
            return;
        }
        if (_prefix is { Checkpoints.Count: > 0 } p)
        {
            var opens = new HashSet<DateTimeOffset>(_channels.Values);
            var kept = p.Checkpoints.Where(c => opens.Contains(c.At)).ToArray();
            if (kept.Length != p.Checkpoints.Count) _prefix = p with { Checkpoints = kept };
        }
    }

    /// <summary>Committed events followed by the staged event (lnd <c>listEvents</c>); excludes the compacted prefix.</summary>
    /// <returns>A new list, in time order.</returns>
    public IReadOnlyList<OnlineStateEvent> Events()
    {
        var list = new List<OnlineStateEvent>(_committed.Count + 1);
        list.AddRange(_committed);
        if (_staged is { } s) list.Add(s);
        return list;
    }

    /// <summary>
    /// Online periods (lnd <c>getOnlinePeriods</c>): walking the events in time order, an online event after an
    /// offline one (or first) opens a period, an offline event after an online one closes it, duplicates are
    /// ignored (the earliest timestamp wins); if the log ends online the last period runs to <paramref name="now"/>
    /// (or is empty if <paramref name="now"/> precedes its start). After compaction the walk starts from a
    /// synthetic event at <see cref="PeerLogPrefix.Boundary"/> with the boundary state.
    /// </summary>
    /// <param name="now">The current instant.</param>
    /// <returns>Ordered, disjoint periods.</returns>
    /// <exception cref="InvalidInputException">When <paramref name="now"/> is unset.</exception>
    public IReadOnlyList<OnlinePeriod> OnlinePeriods(DateTimeOffset now)
    {
        now = Guard.Instant(now, nameof(now));
        var periods = new List<OnlinePeriod>();
        Walk(WalkEvents(_committed.Count), now, periods);
        return periods;
    }

    /// <summary>
    /// Total online time within [<paramref name="start"/>, <paramref name="end"/>] (lnd <c>uptime</c>): the sum of
    /// online periods clipped to the range, plus the compacted prefix's share (see the class remarks for exactness).
    /// </summary>
    /// <param name="start">Range start.</param>
    /// <param name="end">Range end; must be set and not before <paramref name="start"/>.</param>
    /// <param name="now">The current instant (end of a period still open).</param>
    /// <returns>The uptime, between zero and end − start.</returns>
    /// <exception cref="InvalidInputException">When end is before start, end is zero/unset, or now is unset.</exception>
    public TimeSpan Uptime(DateTimeOffset start, DateTimeOffset end, DateTimeOffset now)
    {
        if (end == default) throw new InvalidInputException(nameof(end), "zero end time");
        if (end < start) throw new InvalidInputException(nameof(end), $"end time {end:O} before start time {start:O}");
        now = Guard.Instant(now, nameof(now));
        long ticks = 0;
        if (_prefix is { } p) ticks += PrefixOnlineUpTo(p, end) - PrefixOnlineUpTo(p, start);
        foreach (var period in OnlinePeriods(now))
        {
            if (period.End < start) continue;
            if (period.Start > end) break;
            var s = period.Start < start ? start : period.Start;
            var e = period.End > end ? end : period.End;
            if (e > s) ticks += (e - s).Ticks;
        }
        return TimeSpan.FromTicks(ticks);
    }

    /// <summary>
    /// Monitoring time and uptime of a channel (lnd <c>channelUptime</c>): (now − openedAt, uptime(openedAt, now)).
    /// </summary>
    /// <param name="channelId">Channel id.</param>
    /// <param name="now">The current instant (not before the channel's opening).</param>
    /// <returns>Lifetime and uptime.</returns>
    /// <exception cref="ChannelNotFoundException">When the channel is not tracked.</exception>
    /// <exception cref="InvalidInputException">When the id is empty, or now is unset or before the opening.</exception>
    public ChannelUptimeReport ChannelUptime(string channelId, DateTimeOffset now)
    {
        ValidateChannelId(channelId);
        if (!_channels.TryGetValue(channelId, out var openedAt)) throw new ChannelNotFoundException(channelId);
        now = Guard.Instant(now, nameof(now));
        if (now < openedAt)
            throw new InvalidInputException(nameof(now), $"{now:O} is before the channel was opened ({openedAt:O})");
        return new ChannelUptimeReport(now - openedAt, Uptime(openedAt, now, now));
    }

    /// <summary>Captures the whole state as an immutable snapshot.</summary>
    /// <returns>The state; <see cref="FromState"/> of it reproduces this log exactly.</returns>
    public PeerLogState ToState() => new(
        Online,
        _flapCount,
        _lastFlap,
        _committed.ToArray(),
        _staged,
        _prefix,
        _channels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new ChannelRecord(kv.Key, kv.Value)).ToArray());

    /// <summary>
    /// Rebuilds a log from a snapshot. If the snapshot holds more committed events than
    /// <paramref name="options"/> allows, they are compacted immediately.
    /// </summary>
    /// <param name="state">The snapshot.</param>
    /// <param name="options">Settings; <see cref="PeerLogOptions.Default"/> when null.</param>
    /// <returns>The log.</returns>
    /// <exception cref="InvalidInputException">When the snapshot is inconsistent (names the field).</exception>
    public static PeerLog FromState(PeerLogState state, PeerLogOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var log = new PeerLog(options, state.FlapCount, state.LastFlap) { Online = state.Online };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ch in state.Channels)
        {
            ValidateChannelId(ch.ChannelId);
            if (!seen.Add(ch.ChannelId))
                throw new InvalidInputException(nameof(state.Channels), $"duplicate channel id {ch.ChannelId}");
            log._channels.Add(ch.ChannelId, Guard.Instant(ch.OpenedAt, "Channels.OpenedAt"));
        }

        var hasEvents = state.Committed.Count > 0 || state.Staged is not null || state.Prefix is not null;
        if (hasEvents && log._channels.Count == 0)
            throw new InvalidInputException(nameof(state.Committed), "events are only kept while channels exist");

        DateTimeOffset? latest = null;
        if (state.Prefix is { } p)
        {
            var start = Guard.Instant(p.Start, "Prefix.Start");
            var boundary = Guard.Instant(p.Boundary, "Prefix.Boundary");
            if (boundary < start) throw new InvalidInputException("Prefix.Boundary", "before Prefix.Start");
            if (p.OnlineBeforeBoundary < TimeSpan.Zero || p.OnlineBeforeBoundary > boundary - start)
                throw new InvalidInputException("Prefix.OnlineBeforeBoundary", "must be within [0, Boundary − Start]");
            var checkpoints = new List<UptimeCheckpoint>(p.Checkpoints.Count);
            var prevAt = start;
            var prevOnline = TimeSpan.Zero;
            foreach (var c in p.Checkpoints)
            {
                var at = Guard.Instant(c.At, "Prefix.Checkpoints.At");
                if (at <= prevAt || at >= boundary)
                    throw new InvalidInputException("Prefix.Checkpoints", "instants must be strictly increasing inside (Start, Boundary)");
                if (c.OnlineSinceStart < prevOnline || c.OnlineSinceStart - prevOnline > at - prevAt || c.OnlineSinceStart > p.OnlineBeforeBoundary)
                    throw new InvalidInputException("Prefix.Checkpoints", "online times must be consistent with the elapsed time");
                checkpoints.Add(new UptimeCheckpoint(at, c.OnlineSinceStart));
                prevAt = at;
                prevOnline = c.OnlineSinceStart;
            }
            log._prefix = new PeerLogPrefix(start, boundary, p.OnlineBeforeBoundary, p.OnlineAtBoundary, checkpoints);
            latest = boundary;
        }

        foreach (var e in state.Committed)
        {
            var t = Guard.Instant(e.Timestamp, "Committed.Timestamp");
            if (latest is { } l && t < l)
                throw new InvalidInputException(nameof(state.Committed), "events must be in non-decreasing time order, after the prefix boundary");
            log._committed.Add(new OnlineStateEvent(t, e.Online));
            latest = t;
        }

        if (state.Staged is { } st)
        {
            var t = Guard.Instant(st.Timestamp, "Staged.Timestamp");
            if (latest is { } l && t < l)
                throw new InvalidInputException(nameof(state.Staged), "staged event before the last committed event");
            log._staged = new OnlineStateEvent(t, st.Online);
        }

        log.CompactIfNeeded();
        return log;
    }

    // ---------------------------------------------------------------- internals

    private static void ValidateChannelId(string channelId)
    {
        if (string.IsNullOrEmpty(channelId))
            throw new InvalidInputException(nameof(channelId), "must be a non-empty string");
    }

    private DateTimeOffset? LatestEventTime =>
        _staged?.Timestamp ?? (_committed.Count > 0 ? _committed[^1].Timestamp : _prefix?.Boundary);

    /// <summary>lnd <c>addEvent</c>, with timestamps kept monotonic.</summary>
    private void AddEvent(bool online, DateTimeOffset t)
    {
        if (LatestEventTime is { } latest && t < latest) t = latest;
        var ev = new OnlineStateEvent(t, online);
        if (_staged is not { } staged)
        {
            _staged = ev;
            return;
        }
        // Commit when staged.t + rateLimit is strictly before t (written as a tick difference: no overflow).
        if (t.UtcTicks - staged.Timestamp.UtcTicks > FlapPolicy.RateLimit(_flapCount).Ticks) Commit(staged);
        _staged = ev;
    }

    private void Commit(OnlineStateEvent e)
    {
        _committed.Add(e);
        _commits++;
        CompactIfNeeded();
    }

    private IEnumerable<OnlineStateEvent> WalkEvents(int committedCount)
    {
        if (_prefix is { } p) yield return new OnlineStateEvent(p.Boundary, p.OnlineAtBoundary);
        for (var i = 0; i < committedCount; i++) yield return _committed[i];
        if (committedCount == _committed.Count && _staged is { } s) yield return s;
    }

    /// <summary>The lnd walk; returns the last state-changing event (null if none). The open period ends at <paramref name="end"/>.</summary>
    private static OnlineStateEvent? Walk(IEnumerable<OnlineStateEvent> events, DateTimeOffset end, List<OnlinePeriod> periods)
    {
        OnlineStateEvent? last = null;
        foreach (var ev in events)
        {
            if (last is not { } prev)
            {
                last = ev;
                continue;
            }
            if (ev.Online == prev.Online) continue; // duplicate: earliest timestamp wins
            if (!ev.Online) periods.Add(new OnlinePeriod(prev.Timestamp, ev.Timestamp));
            last = ev;
        }
        if (last is { Online: true } open)
            periods.Add(new OnlinePeriod(open.Timestamp, end > open.Timestamp ? end : open.Timestamp));
        return last;
    }

    private void CompactIfNeeded()
    {
        if (_committed.Count <= _options.MaxCommittedEvents) return;
        var target = Math.Max(1, _options.MaxCommittedEvents / 2);
        Fold(_committed.Count - target);
    }

    /// <summary>Folds the oldest <paramref name="k"/> committed events into the prefix.</summary>
    private void Fold(int k)
    {
        var old = _prefix;
        var boundary = _committed[k - 1].Timestamp;
        var start = old?.Start ?? _committed[0].Timestamp;
        var lower = old?.Boundary ?? start; // C is already known exactly up to here
        var baseTicks = old?.OnlineBeforeBoundary.Ticks ?? 0;

        var periods = new List<OnlinePeriod>();
        var last = Walk(WalkEvents(k), boundary, periods);
        long OnlineUpTo(DateTimeOffset t)
        {
            long sum = baseTicks;
            foreach (var p in periods)
            {
                if (p.Start >= t) break;
                sum += ((p.End < t ? p.End : t) - p.Start).Ticks;
            }
            return sum;
        }

        // Channels opened in [lower, boundary) need a checkpoint: until now C was exact there (t ≥ old Boundary), and
        // after this fold it would be interpolated. That includes an opening exactly at the old Boundary, which is
        // common: AddChannel on an empty committed log adds an event at the opening instant, and that event can
        // become a boundary. Openings at or before Start need none (C = 0); earlier ones already have theirs.
        var checkpoints = new List<UptimeCheckpoint>(old?.Checkpoints ?? []);
        foreach (var openedAt in _channels.Values.Distinct().Order())
        {
            if (openedAt <= start || openedAt < lower || openedAt >= boundary) continue;
            checkpoints.Add(new UptimeCheckpoint(openedAt, TimeSpan.FromTicks(OnlineUpTo(openedAt))));
        }
        checkpoints.Sort((a, b) => a.At.CompareTo(b.At));

        _prefix = new PeerLogPrefix(start, boundary, TimeSpan.FromTicks(OnlineUpTo(boundary)), last!.Value.Online, checkpoints);
        _committed.RemoveRange(0, k);
    }

    /// <summary>C(t) restricted to the prefix: 0 at or before Start, exact at checkpoints and at/after Boundary, linear in between.</summary>
    private static long PrefixOnlineUpTo(PeerLogPrefix p, DateTimeOffset t)
    {
        if (t <= p.Start) return 0;
        if (t >= p.Boundary) return p.OnlineBeforeBoundary.Ticks;
        var prevAt = p.Start;
        long prevOnline = 0;
        var nextAt = p.Boundary;
        var nextOnline = p.OnlineBeforeBoundary.Ticks;
        foreach (var c in p.Checkpoints)
        {
            if (c.At == t) return c.OnlineSinceStart.Ticks;
            if (c.At < t)
            {
                prevAt = c.At;
                prevOnline = c.OnlineSinceStart.Ticks;
            }
            else
            {
                nextAt = c.At;
                nextOnline = c.OnlineSinceStart.Ticks;
                break;
            }
        }
        var span = (Int128)(nextAt - prevAt).Ticks;
        var part = (Int128)(t - prevAt).Ticks;
        return prevOnline + (long)((nextOnline - prevOnline) * part / span);
    }
}
