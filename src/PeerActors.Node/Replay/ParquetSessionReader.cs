using Parquet;
using Parquet.Schema;

namespace PeerActors.Node.Replay;

/// <summary>
/// Reads <see cref="SessionRecord"/>s from a dataset Parquet file (Parquet.Net), column-wise per row
/// group, by top-level column name (extra columns such as <c>same_city</c> are ignored; only the nine
/// required columns are decoded). The real files (pandas/pyarrow) declare every column nullable: strings
/// are BYTE_ARRAY UTF-8, counts/bytes/time INT64, throughputs DOUBLE, <c>min_ts</c>/<c>max_ts</c>
/// TIMESTAMP(MICROS, isAdjustedToUTC=false). Also accepted: INT32/other integer widths, whole-valued
/// FLOAT/DOUBLE for the integer columns, integer columns for the throughputs, and UTF-8 strings for the
/// timestamps. Timestamp ticks are taken as UTC whatever their <see cref="DateTime.Kind"/>.
/// Positions in problems are 1-based row numbers over the whole file.
/// </summary>
internal static class ParquetSessionReader
{
    private readonly record struct Cell<T>(T Value, RecordViolation? Error);

    public static async Task ReadAsync(string path, ReadDiagnosticsBuilder diag, bool strict, RowValidator validator, List<SessionRecord> sink, CancellationToken ct)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(path, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ReplayInputException(ReplayInputError.UnreadableFile, path, $"{path}: not a readable Parquet file: {ex.Message}", inner: ex);
        }

        await using (reader.ConfigureAwait(false))
        {
            var top = reader.Schema.Fields.OfType<DataField>().ToArray();
            var fields = new DataField[SessionColumns.Required.Count];
            for (var c = 0; c < fields.Length; c++)
            {
                var name = SessionColumns.Required[c];
                fields[c] = top.FirstOrDefault(f => f.Name == name)
                    ?? throw new ReplayInputException(ReplayInputError.MissingColumn, path,
                        $"{path}: required column '{name}' is missing from the Parquet schema (columns: {string.Join(", ", top.Select(f => f.Name))})");
            }

            if (top.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dup)
                throw new ReplayInputException(ReplayInputError.DuplicateColumn, path,
                    $"{path}: column '{dup.Key}' appears more than once in the Parquet schema");

            var totalRows = 0L;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                var rg = reader.OpenRowGroupReader(g);
                var n = checked((int)rg.RowCount);
                if (n == 0)
                    continue;
                Cell<string>[] pid1, pid2;
                Cell<long>[] cnt, bytes, time;
                Cell<double>[] avg, std;
                Cell<DateTimeOffset>[] min, max;
                try
                {
                    pid1 = await ReadStrings(rg, fields[0], n, path, ct).ConfigureAwait(false);
                    pid2 = await ReadStrings(rg, fields[1], n, path, ct).ConfigureAwait(false);
                    cnt = await ReadLongs(rg, fields[2], n, path, ct).ConfigureAwait(false);
                    avg = await ReadDoubles(rg, fields[3], n, path, nullIsNaN: false, ct).ConfigureAwait(false);
                    std = await ReadDoubles(rg, fields[4], n, path, nullIsNaN: true, ct).ConfigureAwait(false);
                    bytes = await ReadLongs(rg, fields[5], n, path, ct).ConfigureAwait(false);
                    time = await ReadLongs(rg, fields[6], n, path, ct).ConfigureAwait(false);
                    min = await ReadTimestamps(rg, fields[7], n, path, ct).ConfigureAwait(false);
                    max = await ReadTimestamps(rg, fields[8], n, path, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not ReplayInputException and not OperationCanceledException)
                {
                    throw new ReplayInputException(ReplayInputError.UnreadableFile, path,
                        $"{path}: row group {g} (rows {totalRows + 1}–{totalRows + n}) could not be decoded: {ex.Message}", inner: ex);
                }

                for (var i = 0; i < n; i++)
                {
                    var row = totalRows + i + 1;
                    var violation = pid1[i].Error ?? pid2[i].Error ?? cnt[i].Error ?? avg[i].Error ?? std[i].Error
                        ?? bytes[i].Error ?? time[i].Error ?? min[i].Error ?? max[i].Error;
                    SessionRecord? record = null;
                    if (violation is null && cnt[i].Value > int.MaxValue)
                        violation = new(SessionColumns.Cnt, SkipReason.WrongType, $"cnt {cnt[i].Value} is too large");
                    if (violation is null)
                    {
                        record = new SessionRecord(pid1[i].Value.Trim(), pid2[i].Value.Trim(), (int)cnt[i].Value, avg[i].Value, std[i].Value,
                            bytes[i].Value, time[i].Value, min[i].Value, max[i].Value);
                        violation = validator.Check(record, string.Create(CultureInfo.InvariantCulture, $"row {row}"));
                    }
                    if (violation is not null)
                    {
                        var problem = new ReadProblem(path, row, true, violation.Column, violation.Reason, violation.Message);
                        if (strict)
                            throw new ReplayInputException(ReplayInputError.MalformedRow, path, problem + " (--strict)", problem);
                        diag.RowSkipped(problem);
                        continue;
                    }
                    diag.RowRead();
                    sink.Add(record!);
                }
                totalRows += n;
            }

            if (totalRows == 0)
                throw new ReplayInputException(ReplayInputError.EmptyFile, path, $"{path}: the Parquet file has no rows");
        }
    }

    private static ReplayInputException Unsupported(string path, DataField f, string expected) =>
        new(ReplayInputError.UnsupportedColumnType, path,
            $"{path}: column '{f.Name}' has type {f.ClrType.Name}, expected {expected}");

    private static RecordViolation Null(DataField f) => new(f.Name, SkipReason.MissingValue, $"{f.Name} is null");

    private static async Task<T?[]> ReadNullable<T>(ParquetRowGroupReader rg, DataField f, int n, CancellationToken ct) where T : struct
    {
        if (f.IsNullable)
        {
            var a = new T?[n];
            await rg.ReadAsync<T>(f, a.AsMemory(), null, ct).ConfigureAwait(false);
            return a;
        }
        var b = new T[n];
        await rg.ReadAsync<T>(f, b.AsMemory(), null, ct).ConfigureAwait(false);
        return Array.ConvertAll(b, x => (T?)x);
    }

    private static async Task<Cell<string>[]> ReadStrings(ParquetRowGroupReader rg, DataField f, int n, string path, CancellationToken ct)
    {
        if (f.ClrType != typeof(string) && f.ClrType != typeof(ReadOnlyMemory<char>))
            throw Unsupported(path, f, "a UTF-8 string");
        var a = new string?[n];
        await rg.ReadAsync(f, a.AsMemory(), null, ct).ConfigureAwait(false);
        return Array.ConvertAll(a, s => s is null ? new Cell<string>("", Null(f)) : new Cell<string>(s, null));
    }

    private static async Task<Cell<long>[]> ReadLongs(ParquetRowGroupReader rg, DataField f, int n, string path, CancellationToken ct)
    {
        var t = f.ClrType;
        if (t == typeof(long)) return Map(await ReadNullable<long>(rg, f, n, ct).ConfigureAwait(false), f, v => v);
        if (t == typeof(int)) return Map(await ReadNullable<int>(rg, f, n, ct).ConfigureAwait(false), f, v => v);
        if (t == typeof(short)) return Map(await ReadNullable<short>(rg, f, n, ct).ConfigureAwait(false), f, v => v);
        if (t == typeof(sbyte)) return Map(await ReadNullable<sbyte>(rg, f, n, ct).ConfigureAwait(false), f, v => v);
        if (t == typeof(byte)) return Map(await ReadNullable<byte>(rg, f, n, ct).ConfigureAwait(false), f, v => v);
        if (t == typeof(ushort)) return Map(await ReadNullable<ushort>(rg, f, n, ct).ConfigureAwait(false), f, v => v);
        if (t == typeof(uint)) return Map(await ReadNullable<uint>(rg, f, n, ct).ConfigureAwait(false), f, v => v);
        if (t == typeof(double)) return Whole(await ReadNullable<double>(rg, f, n, ct).ConfigureAwait(false), f, v => v);
        if (t == typeof(float)) return Whole(await ReadNullable<float>(rg, f, n, ct).ConfigureAwait(false), f, v => v);
        throw Unsupported(path, f, "an integer (INT32/INT64) or whole-valued FLOAT/DOUBLE");

        static Cell<long>[] Map<T>(T?[] a, DataField f, Func<T, long> conv) where T : struct =>
            Array.ConvertAll(a, v => v is { } x ? new Cell<long>(conv(x), null) : new Cell<long>(0, Null(f)));

        static Cell<long>[] Whole<T>(T?[] a, DataField f, Func<T, double> conv) where T : struct =>
            Array.ConvertAll(a, v =>
            {
                if (v is not { } x) return new Cell<long>(0, Null(f));
                var d = conv(x);
                return ValueParsers.TryWhole(d, out var l)
                    ? new Cell<long>(l, null)
                    : new Cell<long>(0, new RecordViolation(f.Name, SkipReason.WrongType,
                        $"{f.Name} {d.ToString("R", CultureInfo.InvariantCulture)} is not a whole number"));
            });
    }

    private static async Task<Cell<double>[]> ReadDoubles(ParquetRowGroupReader rg, DataField f, int n, string path, bool nullIsNaN, CancellationToken ct)
    {
        var t = f.ClrType;
        double?[] a;
        if (t == typeof(double)) a = await ReadNullable<double>(rg, f, n, ct).ConfigureAwait(false);
        else if (t == typeof(float)) a = Array.ConvertAll(await ReadNullable<float>(rg, f, n, ct).ConfigureAwait(false), v => (double?)v);
        else if (t == typeof(long)) a = Array.ConvertAll(await ReadNullable<long>(rg, f, n, ct).ConfigureAwait(false), v => (double?)v);
        else if (t == typeof(int)) a = Array.ConvertAll(await ReadNullable<int>(rg, f, n, ct).ConfigureAwait(false), v => (double?)v);
        else throw Unsupported(path, f, "a number (DOUBLE/FLOAT/INT32/INT64)");
        return Array.ConvertAll(a, v => v is { } x
            ? new Cell<double>(x, null)
            : nullIsNaN ? new Cell<double>(double.NaN, null) : new Cell<double>(double.NaN, Null(f)));
    }

    private static async Task<Cell<DateTimeOffset>[]> ReadTimestamps(ParquetRowGroupReader rg, DataField f, int n, string path, CancellationToken ct)
    {
        var t = f.ClrType;
        if (t == typeof(DateTime))
        {
            var a = await ReadNullable<DateTime>(rg, f, n, ct).ConfigureAwait(false);
            return Array.ConvertAll(a, v => v is { } x ? new Cell<DateTimeOffset>(ValueParsers.AsUtc(x), null) : new Cell<DateTimeOffset>(default, Null(f)));
        }
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>))
        {
            var s = new string?[n];
            await rg.ReadAsync(f, s.AsMemory(), null, ct).ConfigureAwait(false);
            return Array.ConvertAll(s, v =>
            {
                if (v is null) return new Cell<DateTimeOffset>(default, Null(f));
                return ValueParsers.TryParseTimestamp(v, out var ts)
                    ? new Cell<DateTimeOffset>(ts, null)
                    : new Cell<DateTimeOffset>(default, new RecordViolation(f.Name, SkipReason.BadTimestamp,
                        $"{f.Name} '{(v.Length <= 60 ? v : v[..60] + "…")}' is not a timestamp (expected e.g. 2020-07-03 20:25:08.457000+00:00)"));
            });
        }
        throw Unsupported(path, f, "a TIMESTAMP or a timestamp string");
    }
}
