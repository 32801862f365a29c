using PeerActors.Node.Replay;
using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

/// <summary>One bad data row of a dataset CSV and what the reader must report for it.</summary>
/// <param name="Name">Case name (shown by the test runner).</param>
/// <param name="Line">The CSV line for data row index <c>i</c> (the good rows around it are <see cref="BadInput.Good"/>(i ± 1)).</param>
/// <param name="Record">The bad record itself when it is representable as one (also written to Parquet); null for
/// text-only cases (an overlong line, a repeated row).</param>
/// <param name="Reason">Expected skip reason.</param>
/// <param name="Column">Expected column, or null.</param>
/// <param name="Message">Expected fragment of the message.</param>
internal sealed record BadRow(string Name, Func<int, string> Line, Func<int, SessionRecord>? Record, SkipReason Reason, string? Column, string Message)
{
    public override string ToString() => Name;
}

/// <summary>
/// The bad-input generator of issue #12: every case is one line of <see cref="Rows"/>. Each is written between two good
/// rows (so it is on CSV line 3 / Parquet row 2) and must be skipped and reported — or refused with <c>--strict</c> —
/// before anything is replayed.
/// </summary>
internal static class BadInput
{
    private static readonly DateTimeOffset T0 = new(2020, 7, 3, 20, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Y9999 = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A valid, distinct row for data index <paramref name="i"/>.</summary>
    public static SessionRecord Good(int i) =>
        new($"recv-{i}", $"send-{i}", 4, 2.5, 0.1, 1000 + i, 400, T0.AddSeconds(i), T0.AddSeconds(i + 4));

    private static BadRow Row(string name, Func<SessionRecord, SessionRecord> bad, SkipReason reason, string? column, string message) =>
        new(name, i => CsvLine(i, bad(Good(i))), i => bad(Good(i)), reason, column, message);

    private static BadRow Text(string name, Func<int, string> line, SkipReason reason, string? column, string message) =>
        new(name, line, null, reason, column, message);

    public static readonly BadRow[] Rows =
    [
        Row("pid2 of 257 characters", r => r with { Pid2 = new string('p', 257) }, SkipReason.InvalidId, "pid2", "must be at most 256 characters, got 257"),
        Row("pid1 of 10,000 characters", r => r with { Pid1 = new string('r', 10_000) }, SkipReason.InvalidId, "pid1", "must be at most 256 characters"),
        Row("pid1 with a control character", r => r with { Pid1 = "recv\u0001x" }, SkipReason.InvalidId, "pid1", "U+0001"),
        Row("pid2 with an inner space", r => r with { Pid2 = "send x" }, SkipReason.InvalidId, "pid2", "U+0020"),
        Row("pid2 with a NUL", r => r with { Pid2 = "send\0x" }, SkipReason.InvalidId, "pid2", "U+0000"),
        Row("pid2 with a tab", r => r with { Pid2 = "send\tx" }, SkipReason.InvalidId, "pid2", "U+0009"),
        Row("max_ts in year 9999", r => r with { MaxTs = Y9999 }, SkipReason.TimestampOutOfRange, "max_ts", "after year 9000"),
        Row("min_ts and max_ts in year 9999", r => r with { MinTs = Y9999, MaxTs = Y9999.AddSeconds(1) }, SkipReason.TimestampOutOfRange, "min_ts", "after year 9000"),
        Row("min_ts before 1970", r => r with { MinTs = new DateTimeOffset(1969, 12, 31, 0, 0, 0, TimeSpan.Zero) }, SkipReason.TimestampOutOfRange, "min_ts", "before 1970"),
        Row("cnt = 200,000,000", r => r with { Cnt = 200_000_000 }, SkipReason.TooManyChunks, "cnt", "above peeractors.replay.max-chunks-per-session (1,000,000)"),
        Text("a line of 100,000 bytes", i => CsvLine(i, Good(i)) + new string('x', 100_000), SkipReason.LineTooLong, null, "above peeractors.replay.max-line-length (65,536)"),
        Text("a sender's bytes past 2^63-1", i => CsvLine(i, Good(0) with { TotalBytes = long.MaxValue, MinTs = Good(i).MinTs }), SkipReason.BytesOverflow, "total_bytes", "past 9,223,372,036,854,775,807 bytes"),
        Text("an exact repeat of line 2", _ => CsvLine(0, Good(0)), SkipReason.DuplicateRow, null, "duplicate of line 2"),
    ];

    public static IEnumerable<object[]> All => Rows.Select(r => new object[] { r });

    public static IEnumerable<object[]> Records => Rows.Where(r => r.Record is not null).Select(r => new object[] { r });

    /// <summary>Writes good(0), the bad row, good(2) as a CSV.</summary>
    public static string WriteCsv(string dir, BadRow bad) =>
        WriteText(dir, "bad.csv", CsvHeader + "\n" + CsvLine(0, Good(0)) + "\n" + bad.Line(1) + "\n" + CsvLine(2, Good(2)) + "\n");
}
