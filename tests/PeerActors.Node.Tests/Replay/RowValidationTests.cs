using PeerActors.Node.Replay;
using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

/// <summary>
/// Issue #12, findings 2 and 6: every row is validated against the domain's rules and the input bounds while it is read,
/// so a bad row is a reported row error (or, with --strict, refused before replaying) instead of a crash after the whole
/// file was journaled.
/// </summary>
public sealed class RowValidationTests
{
    [Theory]
    [MemberData(nameof(BadInput.All), MemberType = typeof(BadInput))]
    internal void A_bad_csv_row_is_skipped_and_reported_with_line_reason_and_column(BadRow bad)
    {
        var path = BadInput.WriteCsv(TempDir(), bad);

        var res = SessionSource.Read([path], strict: false);

        Assert.Equal(2, res.Records.Count);
        var p = Assert.Single(res.Diagnostics.Problems);
        Assert.Equal(3, p.Position);
        Assert.Equal(bad.Reason, p.Reason);
        Assert.Equal(bad.Column, p.Column);
        Assert.Contains(bad.Message, p.Message);
        Assert.Equal(1, res.Diagnostics.RowsSkipped);
    }

    [Theory]
    [MemberData(nameof(BadInput.All), MemberType = typeof(BadInput))]
    internal void A_bad_csv_row_with_strict_is_refused_naming_file_and_line(BadRow bad)
    {
        var path = BadInput.WriteCsv(TempDir(), bad);

        var e = Assert.Throws<ReplayInputException>(() => SessionSource.Read([path], strict: true));

        Assert.Equal(ReplayInputError.MalformedRow, e.Error);
        Assert.StartsWith($"{path}: line 3: ", e.Message);
        Assert.Contains(bad.Message, e.Message);
    }

    [Theory]
    [MemberData(nameof(BadInput.Records), MemberType = typeof(BadInput))]
    internal async Task A_bad_parquet_row_is_skipped_and_reported_with_row_and_reason(BadRow bad)
    {
        var path = await WriteParquetAsync(TempDir(), "bad.parquet", [BadInput.Good(0), bad.Record!(1), BadInput.Good(2)]);

        var res = await SessionSource.ReadAsync([path], strict: false);

        Assert.Equal(2, res.Records.Count);
        var p = Assert.Single(res.Diagnostics.Problems);
        Assert.Equal(2, p.Position);
        Assert.True(p.IsParquetRow);
        Assert.Equal(bad.Reason, p.Reason);
        Assert.Contains(bad.Message, p.Message);
    }

    [Fact]
    public void Line_numbers_after_an_overlong_line_are_unchanged()
    {
        var dir = TempDir();
        var path = WriteText(dir, "long.csv", CsvHeader + "\n" + CsvLine(0, BadInput.Good(0)) + "\n" + new string('y', 200_000) + "\n"
            + CsvLine(2, BadInput.Good(2)) + "\n" + CsvLine(3, BadInput.Good(3) with { Cnt = 0 }) + "\n");

        var res = SessionSource.Read([path], strict: false);

        Assert.Equal(2, res.Records.Count);
        Assert.Equal([3L, 5L], res.Diagnostics.Problems.Select(p => p.Position));
        Assert.Equal([SkipReason.LineTooLong, SkipReason.NonPositiveCount], res.Diagnostics.Problems.Select(p => p.Reason));
    }

    [Fact]
    public void A_header_without_a_newline_beyond_the_line_bound_refuses_the_file_without_holding_it()
    {
        // The "1 GB CSV with no newline" case, scaled down: the guard streams past it (never buffering more than the bound).
        var path = WriteText(TempDir(), "no-newline.csv", new string('z', 3_000_000));

        var e = Assert.Throws<ReplayInputException>(() => SessionSource.Read([path], strict: false));

        Assert.Equal(ReplayInputError.UnreadableFile, e.Error);
        Assert.Contains($"{path}: line 1: the header line is 3,000,000 bytes long, above peeractors.replay.max-line-length", e.Message);
    }

    [Fact]
    public void Bounds_are_configurable()
    {
        var path = BadInput.WriteCsv(TempDir(), new BadRow("cnt 5", i => CsvLine(i, BadInput.Good(i) with { Cnt = 5 }), null, SkipReason.TooManyChunks, "cnt", ""));

        var res = SessionSource.Read([path], strict: false, new ReplayInputLimits { MaxChunksPerSession = 4 });

        Assert.Equal(2, res.Records.Count);
        var p = Assert.Single(res.Diagnostics.Problems);
        Assert.Equal((3L, SkipReason.TooManyChunks), (p.Position, p.Reason));
        Assert.Contains("cnt 5 is above peeractors.replay.max-chunks-per-session (4)", p.Message);
    }

    [Fact]
    public void A_duplicate_header_column_refuses_the_file_naming_the_column()
    {
        var path = WriteText(TempDir(), "dup.csv", CsvHeader + ",cnt\n" + CsvLine(0, BadInput.Good(0)) + ",5\n");

        var e = Assert.Throws<ReplayInputException>(() => SessionSource.Read([path], strict: false));

        Assert.Equal(ReplayInputError.DuplicateColumn, e.Error);
        Assert.Contains($"{path}: line 1: column 'cnt' appears more than once (columns 4, 14)", e.Message);
    }

    [Fact]
    public async Task A_fifo_without_a_writer_is_refused_at_once()
    {
        var path = Path.Combine(TempDir(), "pipe.csv");
        using (var mk = Process.Start("mkfifo", [path])) await mk.WaitForExitAsync();

        var read = Task.Run(() => SessionSource.Read([path], strict: false));
        var done = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10)));

        Assert.Same(read, done);
        var e = await Assert.ThrowsAsync<ReplayInputException>(() => read);
        Assert.Contains("not a regular file", e.Message);
    }
}
