using PeerActors.Core.Identity;

namespace PeerActors.Node.Replay;

/// <summary>A rule a <see cref="SessionRecord"/> breaks: the column to blame, the category and a message.</summary>
/// <param name="Column">Dataset column name, e.g. <c>cnt</c>; null when no single column is to blame (a duplicate row).</param>
/// <param name="Reason">Category used in the skip counts.</param>
/// <param name="Message">Human-readable detail naming the column and the value.</param>
public sealed record RecordViolation(string? Column, SkipReason Reason, string Message);

/// <summary>
/// The semantic checks every row must pass (after parsing), i.e. the domain's rules for what the replay sends, so that
/// a row the peer actors would reject is refused before anything is sent: <c>pid1</c> / <c>pid2</c> are valid peer ids
/// (<see cref="PeerId"/>, SPEC §1: 1–256 visible characters, no control character, NUL or white space), <c>cnt</c> &gt; 0,
/// non-negative bytes, time and mean throughput, finite mean throughput, <c>min_ts</c> / <c>max_ts</c> between
/// <see cref="MinTimestamp"/> and <see cref="PeerActors.Core.Validation.Guard.MaxObservationInstant"/>, <c>max_ts ≥ min_ts</c>.
/// <c>throughput_std</c> is not checked (it may be NaN; the replay mapping does not use it).
/// Input-size bounds (chunks per session, line length) and duplicates are checked by <see cref="RowValidator"/>.
/// </summary>
public static class SessionRecordRules
{
    /// <summary>The earliest accepted session timestamp: the Unix epoch (earlier instants are corrupt data).</summary>
    public static readonly DateTimeOffset MinTimestamp = DateTimeOffset.UnixEpoch;

    /// <summary>Returns the first rule <paramref name="r"/> breaks, or null when it is valid.</summary>
    public static RecordViolation? Check(SessionRecord r)
    {
        if (string.IsNullOrWhiteSpace(r.Pid1))
            return new(SessionColumns.Pid1, SkipReason.EmptyId, "pid1 (receiver id) is empty");
        if (string.IsNullOrWhiteSpace(r.Pid2))
            return new(SessionColumns.Pid2, SkipReason.EmptyId, "pid2 (sender id) is empty");
        if (PeerId.Validate(r.Pid1) is { } bad1)
            return new(SessionColumns.Pid1, SkipReason.InvalidId, $"pid1 (receiver id) '{Show(r.Pid1)}' is not a valid peer id: {bad1}");
        if (PeerId.Validate(r.Pid2) is { } bad2)
            return new(SessionColumns.Pid2, SkipReason.InvalidId, $"pid2 (sender id) '{Show(r.Pid2)}' is not a valid peer id: {bad2}");
        if (r.Cnt <= 0)
            return new(SessionColumns.Cnt, SkipReason.NonPositiveCount, F($"cnt must be > 0, got {r.Cnt}"));
        if (r.TotalBytes < 0)
            return new(SessionColumns.TotalBytes, SkipReason.NegativeBytes, F($"total_bytes must not be negative, got {r.TotalBytes}"));
        if (r.TotalTimespentMs < 0)
            return new(SessionColumns.TotalTimespent, SkipReason.NegativeTime, F($"total_timespent must not be negative, got {r.TotalTimespentMs}"));
        if (!double.IsFinite(r.ThroughputAvg))
            return new(SessionColumns.ThroughputAvg, SkipReason.WrongType, F($"throughput_avg must be a finite number, got {r.ThroughputAvg}"));
        if (r.ThroughputAvg < 0)
            return new(SessionColumns.ThroughputAvg, SkipReason.NegativeThroughput, F($"throughput_avg must not be negative, got {r.ThroughputAvg}"));
        if (OutOfRange(SessionColumns.MinTs, r.MinTs) is { } minBad)
            return minBad;
        if (OutOfRange(SessionColumns.MaxTs, r.MaxTs) is { } maxBad)
            return maxBad;
        if (r.MaxTs < r.MinTs)
            return new(SessionColumns.MaxTs, SkipReason.EndBeforeStart,
                F($"max_ts {r.MaxTs:yyyy-MM-dd HH:mm:ss.FFFFFFzzz} is before min_ts {r.MinTs:yyyy-MM-dd HH:mm:ss.FFFFFFzzz}"));
        return null;
    }

    private static RecordViolation? OutOfRange(string column, DateTimeOffset t)
    {
        if (t < MinTimestamp)
            return new(column, SkipReason.TimestampOutOfRange, F($"{column} {t:yyyy-MM-dd HH:mm:ss.FFFFFFzzz} is before 1970-01-01"));
        if (t > Guard.MaxObservationInstant)
            return new(column, SkipReason.TimestampOutOfRange, F($"{column} {t:yyyy-MM-dd HH:mm:ss.FFFFFFzzz} is after year 9000 (the peer actors refuse it)"));
        return null;
    }

    /// <summary>An id for a message: at most 40 characters, control characters shown as \uXXXX.</summary>
    private static string Show(string id)
    {
        var head = id.Length <= 40 ? id : id[..40] + "…";
        var sb = new System.Text.StringBuilder(head.Length);
        foreach (var c in head)
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString());
        return sb.ToString();
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
