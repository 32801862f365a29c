namespace PeerActors.Core.Time;

/// <summary>
/// The clock of the data: the latest observation instant seen so far (<see cref="Advance"/>), as a
/// <see cref="TimeProvider"/>. A replay sends months of trace in minutes, so the wall clock says nothing about how
/// long a peer has been idle <em>in the data</em>; this clock does. Monotonic (an earlier instant never moves it
/// back) and safe to advance and read from many threads at once (one 64-bit compare-and-swap, no lock).
/// Before the first observation it reads <see cref="DateTimeOffset.UnixEpoch"/>.
/// </summary>
public sealed class ObservationClock : TimeProvider
{
    private long _ticks = DateTimeOffset.UnixEpoch.UtcTicks;

    /// <summary>Moves the clock to <paramref name="observedAt"/> when that is later than the current reading; otherwise does nothing.</summary>
    /// <param name="observedAt">An observation's instant (any offset; compared in UTC).</param>
    public void Advance(DateTimeOffset observedAt)
    {
        var t = observedAt.UtcTicks;
        var cur = Volatile.Read(ref _ticks);
        // Lost races only retry while this instant is still the latest: the loop ends as soon as another thread moved past it.
        while (t > cur)
        {
            var seen = Interlocked.CompareExchange(ref _ticks, t, cur);
            if (seen == cur) return;
            cur = seen;
        }
    }

    /// <summary>The latest observation instant advanced to, in UTC (UnixEpoch before the first).</summary>
    public override DateTimeOffset GetUtcNow() => new(Volatile.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>
    /// True when a peer whose last observation was at <paramref name="lastObservedAt"/> has been idle for at least
    /// <paramref name="idleTimeout"/> of data time: <c>now − lastObservedAt ≥ idleTimeout</c>.
    /// </summary>
    /// <param name="lastObservedAt">The peer's last observation instant.</param>
    /// <param name="idleTimeout">Idle time of data after which the peer is passivated (&gt; 0).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="idleTimeout"/> ≤ 0.</exception>
    public bool IsIdle(DateTimeOffset lastObservedAt, TimeSpan idleTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(idleTimeout, TimeSpan.Zero);
        return Volatile.Read(ref _ticks) - lastObservedAt.UtcTicks >= idleTimeout.Ticks;
    }
}
