using System.Globalization;

namespace PeerActors.Node.Replay;

/// <summary>A rule a <see cref="SessionRecord"/> breaks: the column to blame, the category and a message.</summary>
/// <param name="Column">Dataset column name, e.g. <c>cnt</c>.</param>
/// <param name="Reason">Category used in the skip counts.</param>
/// <param name="Message">Human-readable detail naming the column and the value.</param>
public sealed record RecordViolation(string Column, SkipReason Reason, string Message);

/// <summary>
/// The semantic checks every row must pass (after parsing): non-empty ids, <c>cnt</c> &gt; 0,
/// non-negative bytes, time and mean throughput, finite mean throughput, <c>max_ts ≥ min_ts</c>.
/// <c>throughput_std</c> is not checked (it may be NaN; the replay mapping does not use it).
/// </summary>
public static class SessionRecordRules
{
    /// <summary>Returns the first rule <paramref name="r"/> breaks, or null when it is valid.</summary>
    public static RecordViolation? Check(SessionRecord r)
    {
        if (string.IsNullOrWhiteSpace(r.Pid1))
            return new(SessionColumns.Pid1, SkipReason.EmptyId, "pid1 (receiver id) is empty");
        if (string.IsNullOrWhiteSpace(r.Pid2))
            return new(SessionColumns.Pid2, SkipReason.EmptyId, "pid2 (sender id) is empty");
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
        if (r.MaxTs < r.MinTs)
            return new(SessionColumns.MaxTs, SkipReason.EndBeforeStart,
                F($"max_ts {r.MaxTs:yyyy-MM-dd HH:mm:ss.FFFFFFzzz} is before min_ts {r.MinTs:yyyy-MM-dd HH:mm:ss.FFFFFFzzz}"));
        return null;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
