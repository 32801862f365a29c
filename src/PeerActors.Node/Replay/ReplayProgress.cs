using System.Globalization;

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

    private static string Hms(TimeSpan t) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}");
}
