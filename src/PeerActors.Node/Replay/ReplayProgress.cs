namespace PeerActors.Node.Replay;

/// <summary>
/// Progress line of a replay: sessions done, events per second and ETA. Pure formatting; the caller
/// supplies the elapsed wall time. Printed only when <see cref="IsEnabled(bool)"/> (quiet when stdout is
/// redirected, so logs and <c>--report-json</c> pipelines stay clean).
/// </summary>
public static class ReplayProgress
{
    /// <summary>The rule: progress is shown only on an interactive console (<c>!Console.IsOutputRedirected</c>).</summary>
    public static bool IsEnabled(bool isOutputRedirected) => !isOutputRedirected;

    /// <summary><see cref="IsEnabled(bool)"/> for the current process's <see cref="Console.IsOutputRedirected"/>.</summary>
    public static bool IsEnabled() => IsEnabled(Console.IsOutputRedirected);

    /// <summary>
    /// E.g. <c>sessions 1,000/19,538 (5.1%) | 12,345 events | 6,172 events/s | ETA 0:03:05</c>.
    /// Events/s = <paramref name="eventsDone"/> / elapsed seconds ("-" when nothing has elapsed). ETA assumes the
    /// remaining sessions go at the average pace so far: elapsed · (total − done) / done ("?" before the first
    /// session completes, 0:00:00 when done).
    /// </summary>
    /// <param name="sessionsDone">Sessions closed so far (0 ≤ done ≤ total).</param>
    /// <param name="sessionsTotal">Sessions in the plan (≥ 0).</param>
    /// <param name="eventsDone">Replay steps processed so far (≥ 0).</param>
    /// <param name="elapsed">Wall time since the replay started (≥ 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or <paramref name="elapsed"/> is negative, or done &gt; total.</exception>
    public static string Format(long sessionsDone, long sessionsTotal, long eventsDone, TimeSpan elapsed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sessionsDone);
        ArgumentOutOfRangeException.ThrowIfNegative(sessionsTotal);
        ArgumentOutOfRangeException.ThrowIfNegative(eventsDone);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sessionsDone, sessionsTotal);
        ArgumentOutOfRangeException.ThrowIfLessThan(elapsed, TimeSpan.Zero);

        var inv = CultureInfo.InvariantCulture;
        var pct = sessionsTotal == 0 ? 100.0 : 100.0 * sessionsDone / sessionsTotal;
        var rate = elapsed > TimeSpan.Zero ? (eventsDone / elapsed.TotalSeconds).ToString("N0", inv) : "-";
        string eta;
        if (sessionsDone == sessionsTotal) eta = "0:00:00";
        else if (sessionsDone == 0) eta = "?";
        else eta = Hms(TimeSpan.FromTicks((long)Math.Min(elapsed.Ticks * ((double)(sessionsTotal - sessionsDone) / sessionsDone), TimeSpan.MaxValue.Ticks)));
        return string.Create(inv,
            $"sessions {sessionsDone:N0}/{sessionsTotal:N0} ({pct:F1}%) | {eventsDone:N0} events | {rate} events/s | ETA {eta}");
    }

    /// <summary>
    /// E.g. <c>sessions 1,000/19,538 (5.1%) | 12,345 events | 6,172 events/s | ETA 0:03:05</c>, with the rates of
    /// <paramref name="window"/> (the last samples, not the average since the start): a replay slows down as the journal
    /// grows and speeds up on quiet hours, so the recent pace predicts the rest far better than the overall one.
    /// Events/s = events per second over the window; ETA = remaining sessions / sessions per second over the window
    /// ("?" while the window has seen no session complete, 0:00:00 when done).
    /// </summary>
    /// <param name="sessionsDone">Sessions closed so far (0 ≤ done ≤ total).</param>
    /// <param name="sessionsTotal">Sessions in the plan (≥ 0).</param>
    /// <param name="eventsDone">Replay steps processed so far (≥ 0).</param>
    /// <param name="window">The recent samples (this state must already be added).</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or done &gt; total.</exception>
    public static string Format(long sessionsDone, long sessionsTotal, long eventsDone, ReplayRateWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentOutOfRangeException.ThrowIfNegative(sessionsDone);
        ArgumentOutOfRangeException.ThrowIfNegative(sessionsTotal);
        ArgumentOutOfRangeException.ThrowIfNegative(eventsDone);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sessionsDone, sessionsTotal);
        var inv = CultureInfo.InvariantCulture;
        var pct = sessionsTotal == 0 ? 100.0 : 100.0 * sessionsDone / sessionsTotal;
        var rate = window.EventsPerSecond is { } e ? e.ToString("N0", inv) : "-";
        string eta;
        if (sessionsDone == sessionsTotal) eta = "0:00:00";
        else if (window.SessionsPerSecond is not { } sps || sps <= 0) eta = "?";
        else eta = Hms(TimeSpan.FromSeconds(Math.Min((sessionsTotal - sessionsDone) / sps, TimeSpan.MaxValue.TotalSeconds / 2)));
        return string.Create(inv,
            $"sessions {sessionsDone:N0}/{sessionsTotal:N0} ({pct:F1}%) | {eventsDone:N0} events | {rate} events/s | ETA {eta}");
    }

    private static string Hms(TimeSpan t) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}");
}

/// <summary>
/// The recent pace of a replay: progress samples of the last <see cref="Span"/> of wall time, from which
/// <see cref="ReplayProgress.Format(long, long, long, ReplayRateWindow)"/> takes its rates. Not thread-safe (one caller).
/// </summary>
public sealed class ReplayRateWindow
{
    private readonly Queue<(TimeSpan At, long Sessions, long Events)> _samples = new();

    /// <summary>Creates a window.</summary>
    /// <param name="span">Wall time the rates are measured over (&gt; 0); default 30 s.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="span"/> ≤ 0.</exception>
    public ReplayRateWindow(TimeSpan? span = null)
    {
        Span = span ?? TimeSpan.FromSeconds(30);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Span, TimeSpan.Zero);
    }

    /// <summary>Wall time the rates are measured over.</summary>
    public TimeSpan Span { get; }

    /// <summary>Adds a sample; samples older than <see cref="Span"/> before it are dropped (the oldest within reach is kept as the base).</summary>
    /// <param name="elapsed">Wall time since the replay started (non-decreasing across calls).</param>
    /// <param name="sessionsDone">Sessions closed so far.</param>
    /// <param name="eventsDone">Steps sent so far.</param>
    public void Add(TimeSpan elapsed, long sessionsDone, long eventsDone)
    {
        _samples.Enqueue((elapsed, sessionsDone, eventsDone));
        // Keep one sample at or beyond the span's start so that the window always covers (about) the whole span.
        while (_samples.Count > 2 && elapsed - ElementAt(1).At >= Span) _samples.Dequeue();
    }

    private (TimeSpan At, long Sessions, long Events) ElementAt(int i) => _samples.ElementAt(i);

    /// <summary>Sessions closed per second over the window; null with fewer than two samples or no time between them.</summary>
    public double? SessionsPerSecond => Rate(s => s.Sessions);

    /// <summary>Steps per second over the window; null with fewer than two samples or no time between them.</summary>
    public double? EventsPerSecond => Rate(s => s.Events);

    private double? Rate(Func<(TimeSpan At, long Sessions, long Events), long> of)
    {
        if (_samples.Count < 2) return null;
        var first = _samples.Peek();
        var last = _samples.Last();
        var dt = (last.At - first.At).TotalSeconds;
        return dt > 0 ? (of(last) - of(first)) / dt : null;
    }
}
