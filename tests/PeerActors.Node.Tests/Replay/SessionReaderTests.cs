using Parquet;
using Parquet.Schema;
using PeerActors.Node.Replay;
using static PeerActors.Node.Tests.Replay.ReplayTestData;

namespace PeerActors.Node.Tests.Replay;

public class SessionReaderTests
{
    private static readonly DateTimeOffset T0 = new(2020, 3, 14, 12, 0, 0, TimeSpan.Zero);

    private static List<SessionRecord> SyntheticRows(int n)
    {
        var rnd = new Random(1234);
        var rows = new List<SessionRecord>();
        for (var i = 0; i < n; i++)
        {
            var cnt = rnd.Next(1, 300);
            var start = T0.AddTicks(rnd.NextInt64(0, TimeSpan.TicksPerDay) / 10 * 10); // whole microseconds
            var end = start.AddTicks(rnd.NextInt64(0, TimeSpan.TicksPerHour) / 10 * 10);
            var bytes = rnd.NextInt64(0, 2_000_000_000);
            var time = rnd.NextInt64(0, 6_000_000);
            var std = i % 9 == 0 ? double.NaN : rnd.NextDouble() * 500;
            rows.Add(new SessionRecord($"recv-{rnd.Next(20)}", $"send-{rnd.Next(15)}", cnt, rnd.NextDouble() * 5000, std, bytes, time, start, end));
        }
        return rows;
    }

    [Fact]
    public async Task Csv_and_parquet_readers_agree_on_the_same_rows()
    {
        var dir = TempDir();
        var rows = SyntheticRows(60);
        var csv = WriteCsv(dir, "rows.csv", rows);
        var pq = await WriteParquetAsync(dir, "rows.parquet", rows, rowGroupSize: 7);

        var fromCsv = SessionSource.Read([csv], strict: true);
        var fromPq = SessionSource.Read([pq], strict: true);

        Assert.Equal(rows, fromCsv.Records);
        Assert.Equal(rows, fromPq.Records);
        Assert.Equal("csv", fromCsv.Diagnostics.Files[0].Format);
        Assert.Equal("parquet", fromPq.Diagnostics.Files[0].Format);
        Assert.Equal(60, fromPq.Diagnostics.RowsRead);
        Assert.Equal(0, fromPq.Diagnostics.RowsSkipped);
    }

    [Fact]
    public async Task First_rows_of_the_real_parquet_day_read_back_identically_through_csv()
    {
        var real = SessionSource.Read([RealDayPath()], strict: true).Records;
        var first = real.Take(25).ToList();
        var csv = WriteCsv(TempDir(), "first.csv", first);
        Assert.Equal(first, SessionSource.Read([csv], strict: true).Records);

        // Row 1 of the file, as stored (TIMESTAMP(MICROS), not UTC-adjusted, taken as UTC).
        var r = real[0];
        Assert.Equal("ef6111be-7831-4a5f-8e60-8a2681ff8b3a", r.Pid1);
        Assert.Equal(6, r.Cnt);
        Assert.Equal(new DateTimeOffset(637198164328340000, TimeSpan.Zero), r.MinTs);
        Assert.Equal(TimeSpan.Zero, r.MinTs.Offset);
        await Task.CompletedTask;
    }

    [Fact]
    public void First_row_of_the_bundled_sample_has_the_file_values()
    {
        var r = SessionSource.Read([Bundled("sample.csv")], strict: true).Records[0];
        Assert.Equal("0c2041d1-341a-4904-a0a3-c9ad25c4843b", r.Pid1);
        Assert.Equal("a4c13d8c-ecc3-43d5-ab12-c5c0f3c2286b", r.Pid2);
        Assert.Equal(49, r.Cnt);
        Assert.Equal(509.7191403362308, r.ThroughputAvg);
        Assert.Equal(172.6258974918979, r.ThroughputStd);
        Assert.Equal(62873592L, r.TotalBytes);
        Assert.Equal(138134L, r.TotalTimespentMs);
        Assert.Equal(new DateTimeOffset(2020, 7, 3, 20, 25, 8, 457, TimeSpan.Zero), r.MinTs);
        Assert.Equal(new DateTimeOffset(2020, 7, 3, 21, 2, 1, 429, TimeSpan.Zero), r.MaxTs);
    }

    [Fact]
    public void Bundled_sample_totals_match_an_independent_parse()
    {
        var path = Bundled("sample.csv");
        var lines = File.ReadAllLines(path);
        var header = SplitCsvLine(lines[0]);
        int Col(string n) => Array.IndexOf(header, n);
        long chunks = 0, bytes = 0, time = 0;
        var peers = new HashSet<string>();
        var pairs = new HashSet<(string, string)>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = SplitCsvLine(line);
            chunks += long.Parse(f[Col("cnt")], CultureInfo.InvariantCulture);
            bytes += long.Parse(f[Col("total_bytes")], CultureInfo.InvariantCulture);
            time += long.Parse(f[Col("total_timespent")], CultureInfo.InvariantCulture);
            peers.Add(f[Col("pid1")]);
            peers.Add(f[Col("pid2")]);
            pairs.Add((f[Col("pid2")], f[Col("pid1")]));
        }

        var read = SessionSource.Read([path], strict: true);
        var totals = ReplayPlanner.Plan(read.Records).Totals;

        Assert.Equal(1000, lines.Skip(1).Count(l => l.Length > 0));
        Assert.Equal(1000, totals.Sessions);
        Assert.Equal(chunks, totals.Chunks);
        Assert.Equal(bytes, totals.TotalIngressBytes);
        Assert.Equal(time, totals.TotalTimespentMs);
        Assert.Equal(peers.Count, totals.DistinctPeers);
        Assert.Equal(pairs.Count, totals.Channels);
        // Values from an external tool (Python csv module) on the same file.
        Assert.Equal(39_963L, totals.Chunks);
        Assert.Equal(48_608_860_572L, totals.TotalIngressBytes);
        Assert.Equal(1138, totals.DistinctPeers);
        Assert.Equal(1000, read.Diagnostics.RowsRead);
        Assert.Equal(0, read.Diagnostics.RowsSkipped);
    }

    [Fact]
    public void Several_files_are_concatenated_in_order_with_per_file_stats()
    {
        var dir = TempDir();
        var a = SyntheticRows(5);
        var b = SyntheticRows(8).Skip(5).ToList();
        var pa = WriteCsv(dir, "a.csv", a);
        var pb = WriteCsv(dir, "b.csv", b);
        var res = SessionSource.Read([pa, pb], strict: false);
        Assert.Equal(a.Concat(b), res.Records);
        Assert.Equal([5L, 3L], res.Diagnostics.Files.Select(f => f.RowsRead));
        Assert.Equal([pa, pb], res.Diagnostics.Files.Select(f => f.File));
    }

    // ---- fatal input problems -------------------------------------------------------------------

    [Fact]
    public void Missing_file_is_fatal_and_named()
    {
        var path = Path.Combine(TempDir(), "nope.csv");
        var ex = Assert.Throws<ReplayInputException>(() => SessionSource.Read([path], strict: false));
        Assert.Equal(ReplayInputError.MissingFile, ex.Error);
        Assert.Equal(path, ex.File);
        Assert.Contains(path, ex.Message);
        Assert.Contains("not found", ex.Message);
    }

    [Theory]
    [InlineData("empty.csv", "0 bytes")]
    [InlineData("header-only.csv", "no data rows")]
    public void Empty_csv_is_fatal_and_named(string file, string detail)
    {
        var path = Bundled("bad", file);
        var ex = Assert.Throws<ReplayInputException>(() => SessionSource.Read([path], strict: false));
        Assert.Equal(ReplayInputError.EmptyFile, ex.Error);
        Assert.Contains(path, ex.Message);
        Assert.Contains(detail, ex.Message);
    }

    [Fact]
    public void Csv_with_only_blank_lines_is_empty()
    {
        var path = WriteText(TempDir(), "blank.csv", "\n\n");
        var ex = Assert.Throws<ReplayInputException>(() => SessionSource.Read([path], strict: false));
        Assert.Equal(ReplayInputError.EmptyFile, ex.Error);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Missing_csv_column_is_fatal_and_named()
    {
        var path = Bundled("bad", "missing-column.csv");
        var ex = Assert.Throws<ReplayInputException>(() => SessionSource.Read([path], strict: false));
        Assert.Equal(ReplayInputError.MissingColumn, ex.Error);
        Assert.Contains("'total_bytes'", ex.Message);
        Assert.Contains(path + ": line 1", ex.Message);
    }

    [Fact]
    public void All_rows_bad_is_nothing_readable_with_the_first_problems()
    {
        var path = WriteText(TempDir(), "allbad.csv",
            CsvHeader + "\n0,r,s,0,1,1,10,10,a,b,2020-07-03 20:00:00+00:00,2020-07-03 20:00:01+00:00,1\n");
        var ex = Assert.Throws<ReplayInputException>(() => SessionSource.Read([path], strict: false));
        Assert.Equal(ReplayInputError.NothingReadable, ex.Error);
        Assert.Contains($"{path}: line 2: cnt must be > 0, got 0", ex.Message);
    }

    [Fact]
    public void No_files_is_nothing_readable() =>
        Assert.Equal(ReplayInputError.NothingReadable,
            Assert.Throws<ReplayInputException>(() => SessionSource.Read([], strict: false)).Error);

    // ---- malformed CSV rows: skip-and-count vs strict ---------------------------------------------

    public static TheoryData<int, SkipReason, string?, string> MalformedCsvLines => new()
    {
        { 3, SkipReason.WrongType, "cnt", "cnt 'abc' is not a whole number" },
        { 4, SkipReason.NonPositiveCount, "cnt", "cnt must be > 0, got 0" },
        { 5, SkipReason.NegativeBytes, "total_bytes", "total_bytes must not be negative, got -5" },
        { 6, SkipReason.NegativeTime, "total_timespent", "total_timespent must not be negative, got -1" },
        { 7, SkipReason.EndBeforeStart, "max_ts", "is before min_ts" },
        { 8, SkipReason.EmptyId, "pid1", "pid1 (receiver id) is empty" },
        { 9, SkipReason.BadTimestamp, "min_ts", "min_ts 'yesterday' is not a timestamp" },
        { 10, SkipReason.MalformedLine, null, "different number of fields" },
    };

    [Theory]
    [MemberData(nameof(MalformedCsvLines))]
    public void Malformed_csv_row_is_skipped_and_reported_with_file_and_line(int line, SkipReason reason, string? column, string message)
    {
        var path = Bundled("bad", "malformed-rows.csv");
        var res = SessionSource.Read([path], strict: false);

        var p = Assert.Single(res.Diagnostics.Problems, x => x.Position == line);
        Assert.Equal(reason, p.Reason);
        Assert.Equal(column, p.Column);
        Assert.False(p.IsParquetRow);
        Assert.Contains(message, p.Message);
        Assert.StartsWith($"{path}: line {line}: ", p.ToString());
    }

    [Fact]
    public void Malformed_csv_rows_are_counted_per_reason_and_good_rows_kept()
    {
        var path = Bundled("bad", "malformed-rows.csv");
        var res = SessionSource.Read([path], strict: false);

        Assert.Equal(2, res.Records.Count);
        Assert.Equal(("r1", "s1", 4, 1003L), (res.Records[0].Pid1, res.Records[0].Pid2, res.Records[0].Cnt, res.Records[0].TotalBytes));
        var last = res.Records[1];
        Assert.True(double.IsNaN(last.ThroughputStd)); // empty throughput_std
        Assert.Equal(new DateTimeOffset(2020, 7, 3, 20, 0, 2, TimeSpan.Zero), last.MinTs); // no fraction
        var stats = Assert.Single(res.Diagnostics.Files);
        Assert.Equal(2, stats.RowsRead);
        Assert.Equal(8, stats.RowsSkipped);
        Assert.Equal(8, stats.SkippedByReason.Count);
        Assert.All(stats.SkippedByReason.Values, v => Assert.Equal(1, v));
        Assert.Equal(Enumerable.Range(3, 8).Select(i => (long)i), res.Diagnostics.Problems.Select(p => p.Position).Order());
        Assert.Contains("2 rows read, 8 skipped", res.Diagnostics.ToString());
    }

    [Fact]
    public void Strict_mode_throws_on_the_first_malformed_csv_row_with_file_and_line()
    {
        var path = Bundled("bad", "malformed-rows.csv");
        var ex = Assert.Throws<ReplayInputException>(() => SessionSource.Read([path], strict: true));
        Assert.Equal(ReplayInputError.MalformedRow, ex.Error);
        Assert.Equal(path, ex.File);
        Assert.NotNull(ex.Problem);
        Assert.Equal(3, ex.Problem!.Position);
        Assert.Equal("cnt", ex.Problem.Column);
        Assert.StartsWith($"{path}: line 3: cnt 'abc'", ex.Message);
    }

    [Fact]
    public void Strict_mode_reports_a_parser_level_malformed_line()
    {
        var path = WriteText(TempDir(), "short.csv", CsvHeader + "\n0,r,s,4\n");
        var ex = Assert.Throws<ReplayInputException>(() => SessionSource.Read([path], strict: true));
        Assert.Equal(ReplayInputError.MalformedRow, ex.Error);
        Assert.Equal(SkipReason.MalformedLine, ex.Problem!.Reason);
        Assert.StartsWith($"{path}: line 2: ", ex.Message);
    }

    [Fact]
    public void Only_the_first_problems_are_kept_but_all_are_counted()
    {
        var good = "0,r,s,2,1,1,10,10,a,b,2020-07-03 20:00:00+00:00,2020-07-03 20:00:01+00:00,1";
        var bad = "0,r,s,-1,1,1,10,10,a,b,2020-07-03 20:00:00+00:00,2020-07-03 20:00:01+00:00,1";
        var path = WriteText(TempDir(), "many.csv", CsvHeader + "\n" + good + "\n" + string.Join("\n", Enumerable.Repeat(bad, 30)) + "\n");
        var res = SessionSource.Read([path], strict: false);
        Assert.Equal(30, res.Diagnostics.RowsSkipped);
        Assert.Equal(ReadDiagnostics.MaxProblems, res.Diagnostics.Problems.Count);
        Assert.Equal(3, res.Diagnostics.Problems[0].Position);
        Assert.Equal(30, res.Diagnostics.Files[0].SkippedByReason[SkipReason.NonPositiveCount]);
        Assert.Contains("10 more problem(s) not shown", res.Diagnostics.ToString());
    }

    // ---- Parquet input problems ------------------------------------------------------------------

    private static async Task<string> WriteColumnsAsync(string path, params (DataField Field, Array Values)[] cols)
    {
        var schema = new ParquetSchema(cols.Select(c => (Field)c.Field).ToArray());
        await using var fs = File.Create(path);
        await using var w = await ParquetWriter.CreateAsync(schema, fs);
        using var g = w.CreateRowGroup();
        foreach (var (f, values) in cols)
        {
            switch (values)
            {
                case string?[] s: await g.WriteAsync(f, s); break;
                case long?[] l: await g.WriteAsync<long>(f, l.AsMemory()); break;
                case long[] l: await g.WriteAsync<long>(f, l.AsMemory()); break;
                case int?[] i: await g.WriteAsync<int>(f, i.AsMemory()); break;
                case int[] i: await g.WriteAsync<int>(f, i.AsMemory()); break;
                case double?[] d: await g.WriteAsync<double>(f, d.AsMemory()); break;
                case double[] d: await g.WriteAsync<double>(f, d.AsMemory()); break;
                case DateTime?[] t: await g.WriteAsync<DateTime>(f, t.AsMemory()); break;
                case DateTime[] t: await g.WriteAsync<DateTime>(f, t.AsMemory()); break;
                default: throw new NotSupportedException(values.GetType().Name);
            }
        }
        return path;
    }

    private static DateTimeDataField Ts(string name, bool nullable = true) =>
        new(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: nullable);

    private static readonly DateTime D0 = new(2020, 3, 14, 10, 0, 0, DateTimeKind.Utc);

    /// <summary>Rows: 1 good; 2 cnt=0; 3 max&lt;min; 4 pid1 null; 5 total_bytes null; 6 cnt 2.5 (double column); 7 negative time; 8 good.</summary>
    private static Task<string> WriteBadParquetAsync(string path) => WriteColumnsAsync(path,
        (new DataField<string>("pid1", true), new string?[] { "r1", "r2", "r3", null, "r5", "r6", "r7", "r8" }),
        (new DataField<string>("pid2", true), new string?[] { "s", "s", "s", "s", "s", "s", "s", "s" }),
        (new DataField<double?>("cnt"), new double?[] { 4, 0, 4, 4, 4, 2.5, 4, 3 }),
        (new DataField<double?>("throughput_avg"), new double?[] { 1, 1, 1, 1, 1, 1, 1, 1 }),
        (new DataField<double?>("throughput_std"), new double?[] { 1, 1, 1, 1, 1, 1, 1, null }),
        (new DataField<long?>("total_bytes"), new long?[] { 100, 100, 100, 100, null, 100, 100, 99 }),
        (new DataField<long?>("total_timespent"), new long?[] { 10, 10, 10, 10, 10, 10, -3, 10 }),
        (Ts("min_ts"), new DateTime?[] { D0, D0, D0.AddSeconds(5), D0, D0, D0, D0, D0 }),
        (Ts("max_ts"), new DateTime?[] { D0.AddSeconds(4), D0.AddSeconds(4), D0.AddSeconds(4), D0.AddSeconds(4), D0.AddSeconds(4), D0.AddSeconds(4), D0.AddSeconds(4), D0.AddSeconds(3) }));

    [Theory]
    [InlineData(2, SkipReason.NonPositiveCount, "cnt", "cnt must be > 0, got 0")]
    [InlineData(3, SkipReason.EndBeforeStart, "max_ts", "is before min_ts")]
    [InlineData(4, SkipReason.MissingValue, "pid1", "pid1 is null")]
    [InlineData(5, SkipReason.MissingValue, "total_bytes", "total_bytes is null")]
    [InlineData(6, SkipReason.WrongType, "cnt", "cnt 2.5 is not a whole number")]
    [InlineData(7, SkipReason.NegativeTime, "total_timespent", "total_timespent must not be negative, got -3")]
    public async Task Malformed_parquet_row_is_skipped_and_reported_with_file_and_row(int row, SkipReason reason, string column, string message)
    {
        var path = await WriteBadParquetAsync(Path.Combine(TempDir(), "bad.parquet"));
        var res = await SessionSource.ReadAsync([path], strict: false);

        Assert.Equal(["r1", "r8"], res.Records.Select(r => r.Pid1));
        Assert.True(double.IsNaN(res.Records[1].ThroughputStd));
        Assert.Equal(6, res.Diagnostics.RowsSkipped);
        var p = Assert.Single(res.Diagnostics.Problems, x => x.Position == row);
        Assert.True(p.IsParquetRow);
        Assert.Equal(reason, p.Reason);
        Assert.Equal(column, p.Column);
        Assert.Contains(message, p.Message);
        Assert.StartsWith($"{path}: row {row}: ", p.ToString());
    }

    [Fact]
    public async Task Strict_mode_throws_on_the_first_malformed_parquet_row_with_file_and_row()
    {
        var path = await WriteBadParquetAsync(Path.Combine(TempDir(), "bad.parquet"));
        var ex = await Assert.ThrowsAsync<ReplayInputException>(() => SessionSource.ReadAsync([path], strict: true));
        Assert.Equal(ReplayInputError.MalformedRow, ex.Error);
        Assert.Equal(2, ex.Problem!.Position);
        Assert.StartsWith($"{path}: row 2: cnt must be > 0", ex.Message);
    }

    [Fact]
    public async Task Parquet_row_numbers_run_across_row_groups()
    {
        var rows = SyntheticRows(10);
        rows[8] = rows[8] with { Cnt = 0 }; // row 9, in the third group of 4
        var path = await WriteParquetAsync(TempDir(), "groups.parquet", rows, rowGroupSize: 4);
        var res = await SessionSource.ReadAsync([path], strict: false);
        Assert.Equal(9, Assert.Single(res.Diagnostics.Problems).Position);
        Assert.Equal(rows.Where((_, i) => i != 8), res.Records);
    }

    [Fact]
    public async Task Missing_parquet_column_is_fatal_and_named()
    {
        var path = await WriteColumnsAsync(Path.Combine(TempDir(), "nocol.parquet"),
            (new DataField<string>("pid1", true), new string?[] { "r" }),
            (new DataField<string>("pid2", true), new string?[] { "s" }),
            (new DataField<long?>("cnt"), new long?[] { 1 }));
        var ex = await Assert.ThrowsAsync<ReplayInputException>(() => SessionSource.ReadAsync([path], strict: false));
        Assert.Equal(ReplayInputError.MissingColumn, ex.Error);
        Assert.Contains("'throughput_avg'", ex.Message);
        Assert.StartsWith(path, ex.Message);
    }

    [Fact]
    public async Task Parquet_without_rows_is_empty()
    {
        var rows = new List<SessionRecord>();
        var path = await WriteParquetAsync(TempDir(), "none.parquet", rows);
        var ex = await Assert.ThrowsAsync<ReplayInputException>(() => SessionSource.ReadAsync([path], strict: false));
        Assert.Equal(ReplayInputError.EmptyFile, ex.Error);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public async Task Truncated_parquet_is_unreadable_not_a_crash()
    {
        var good = await WriteParquetAsync(TempDir(), "ok.parquet", SyntheticRows(3));
        var bytes = await File.ReadAllBytesAsync(good);
        var path = Path.Combine(TempDir(), "truncated.parquet");
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);
        var ex = await Assert.ThrowsAsync<ReplayInputException>(() => SessionSource.ReadAsync([path], strict: false));
        Assert.Equal(ReplayInputError.UnreadableFile, ex.Error);
        Assert.StartsWith(path, ex.Message);
    }

    [Fact]
    public async Task Parquet_wrong_column_type_is_fatal_and_named()
    {
        var path = await WriteColumnsAsync(Path.Combine(TempDir(), "types.parquet"),
            (new DataField<string>("pid1", true), new string?[] { "r" }),
            (new DataField<string>("pid2", true), new string?[] { "s" }),
            (new DataField<long?>("cnt"), new long?[] { 1 }),
            (new DataField<double?>("throughput_avg"), new double?[] { 1 }),
            (new DataField<double?>("throughput_std"), new double?[] { 1 }),
            (new DataField<long?>("total_bytes"), new long?[] { 1 }),
            (new DataField<long?>("total_timespent"), new long?[] { 1 }),
            (new DataField<double?>("min_ts"), new double?[] { 1 }),
            (Ts("max_ts"), new DateTime?[] { D0 }));
        var ex = await Assert.ThrowsAsync<ReplayInputException>(() => SessionSource.ReadAsync([path], strict: false));
        Assert.Equal(ReplayInputError.UnsupportedColumnType, ex.Error);
        Assert.Contains("'min_ts'", ex.Message);
    }

    [Fact]
    public async Task Parquet_with_required_int32_columns_and_string_timestamps_is_read()
    {
        var path = await WriteColumnsAsync(Path.Combine(TempDir(), "alt.parquet"),
            (new DataField<string>("pid2", false), new string?[] { "s", "s" }),
            (new DataField<string>("pid1", false), new string?[] { "r", "q" }),
            (new DataField<int>("cnt"), new[] { 3, 2 }),
            (new DataField<int>("throughput_avg"), new[] { 7, 8 }),
            (new DataField<double>("throughput_std"), new[] { 0.5, 0.25 }),
            (new DataField<long>("total_bytes"), new[] { 10L, 20L }),
            (new DataField<int>("total_timespent"), new[] { 30, 40 }),
            (new DataField<string>("min_ts", true), new string?[] { "2020-07-03 20:00:00.5+00:00", "nonsense" }),
            (Ts("max_ts", nullable: false), new[] { D0.AddYears(1), D0.AddYears(1) }));
        var res = await SessionSource.ReadAsync([path], strict: false);
        var r = Assert.Single(res.Records);
        Assert.Equal(new SessionRecord("r", "s", 3, 7, 0.5, 10, 30,
            new DateTimeOffset(2020, 7, 3, 20, 0, 0, 500, TimeSpan.Zero), new DateTimeOffset(D0.AddYears(1))), r);
        var p = Assert.Single(res.Diagnostics.Problems);
        Assert.Equal((2L, SkipReason.BadTimestamp), (p.Position, p.Reason));
    }

    [Fact]
    public async Task Format_is_detected_by_content_not_extension()
    {
        var dir = TempDir();
        var rows = SyntheticRows(3);
        var pq = await WriteParquetAsync(dir, "data.csv", rows);        // parquet named .csv
        var csv = WriteCsv(dir, "data.parquet", rows);                   // csv named .parquet
        var res = await SessionSource.ReadAsync([pq, csv], strict: true);
        Assert.Equal(rows.Concat(rows), res.Records);
        Assert.Equal(["parquet", "csv"], res.Diagnostics.Files.Select(f => f.Format));
    }
}
