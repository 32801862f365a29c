using CsvHelper;

namespace PeerActors.Node.Replay;

/// <summary>
/// Reads <see cref="SessionRecord"/>s from a dataset CSV (CsvHelper) by header name: column order and
/// extra columns (the unnamed leading index, <c>cnt_neighbour</c>, location columns) do not matter.
/// Timestamps are text such as <c>2020-07-03 20:25:08.457000+00:00</c> (fraction optional).
/// Positions in problems are 1-based physical line numbers; the header is line 1.
/// </summary>
internal static class CsvSessionReader
{
    public static IEnumerable<SessionRecord> Read(string path, ReadDiagnosticsBuilder diag, bool strict, RowValidator validator)
    {
        var malformed = new Queue<CsvMalformedRecord>();
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            DetectSeparatorHint = false,
            TrackLineNumbers = true,
            // A bad quote must not swallow the rest of the file: records end at line breaks, and
            // malformed quoting / a field count different from the header skips the record (reported below).
            AllowLineBreaksInQuotes = false,
            MalformedData = CsvMalformedDataHandling.Skip,
            FieldCountMismatch = CsvFieldCountHandling.Skip,
            MissingField = CsvMissingFieldHandling.ReturnEmpty,
            OnMalformedRecord = malformed.Enqueue,
        };

        // Lines longer than peeractors.replay.max-line-length are replaced by empty lines before CsvHelper sees them
        // (never buffered whole) and reported as row errors below, in line order.
        var guard = new LineLengthGuardStream(File.OpenRead(path), validator.Limits.MaxLineBytes);
        using var csv = CsvReader.Create(guard, options, false);
        var header = csv.Headers;
        if (guard.OverlongLines.TryPeek(out var first) && first.Line == 1)
            throw new ReplayInputException(ReplayInputError.UnreadableFile, path, string.Create(CultureInfo.InvariantCulture,
                $"{path}: line 1: the header line is {first.Bytes:N0} bytes long, above peeractors.replay.max-line-length ({validator.Limits.MaxLineBytes:N0}): not a dataset CSV"));
        if (header.Count == 0)
            throw new ReplayInputException(ReplayInputError.EmptyFile, path, $"{path}: the file is empty (no header line)");
        var idx = new int[SessionColumns.Required.Count];
        for (var c = 0; c < idx.Length; c++)
        {
            var name = SessionColumns.Required[c];
            idx[c] = IndexOf(header, name);
            if (idx[c] < 0)
                throw new ReplayInputException(ReplayInputError.MissingColumn, path,
                    $"{path}: line 1: required column '{name}' is missing (header has: {string.Join(", ", header.Select(h => h.Length == 0 ? "<unnamed>" : h))})");
        }
        // A repeated column name would make "read by name" ambiguous: refuse the file.
        if (header.Select((h, i) => (h, i)).Where(x => x.h.Length > 0).GroupBy(x => x.h, StringComparer.Ordinal)
                .FirstOrDefault(g => g.Count() > 1) is { } dup)
            throw new ReplayInputException(ReplayInputError.DuplicateColumn, path,
                $"{path}: line 1: column '{dup.Key}' appears more than once (columns {string.Join(", ", dup.Select(x => x.i + 1))})");

        var dataRows = 0L;
        while (true)
        {
            var more = csv.Read();
            // Overlong lines before the current record (or all of them at the end) come first, in line order.
            while (guard.OverlongLines.TryPeek(out var longLine) && (!more || longLine.Line < csv.LineNumber))
            {
                guard.OverlongLines.Dequeue();
                dataRows++;
                Skip(new ReadProblem(path, longLine.Line, false, null, SkipReason.LineTooLong, string.Create(CultureInfo.InvariantCulture,
                    $"line is {longLine.Bytes:N0} bytes long, above peeractors.replay.max-line-length ({validator.Limits.MaxLineBytes:N0})")));
            }
            // Records skipped by the parser are reported while it looks for the next good one; they come first.
            while (malformed.TryDequeue(out var bad))
            {
                dataRows++;
                var detail = bad.Reason == CsvMalformedReason.FieldCountMismatch
                    ? $"line has a different number of fields than the header ({header.Count})"
                    : $"malformed CSV ({bad.Reason})";
                Skip(new ReadProblem(path, bad.LineNumber, false, null, SkipReason.MalformedLine, $"{detail}: '{Trunc(bad.RawRecord)}'"));
            }
            if (!more)
                break;

            dataRows++;
            var record = Parse(csv, idx, out var violation);
            if (violation is null)
                violation = validator.Check(record!, string.Create(CultureInfo.InvariantCulture, $"line {csv.LineNumber}"));
            if (violation is not null)
            {
                Skip(new ReadProblem(path, csv.LineNumber, false, violation.Column, violation.Reason, violation.Message));
                continue;
            }
            diag.RowRead();
            yield return record!;
        }

        if (dataRows == 0)
            throw new ReplayInputException(ReplayInputError.EmptyFile, path, $"{path}: the file has a header but no data rows");

        void Skip(ReadProblem problem)
        {
            if (strict)
                throw new ReplayInputException(ReplayInputError.MalformedRow, path, problem + " (--strict)", problem);
            diag.RowSkipped(problem);
        }
    }

    private static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (var i = 0; i < header.Count; i++)
            if (header[i] == name)
                return i;
        return -1;
    }

    private static SessionRecord? Parse(CsvReader p, int[] idx, out RecordViolation? violation)
    {
        violation = null;
        string Cell(int c) => p.GetString(idx[c]);

        var pid1 = Cell(0).Trim();
        var pid2 = Cell(1).Trim();
        if (!Long(SessionColumns.Cnt, Cell(2), ref violation, out var cnt)) return null;
        if (!Double(SessionColumns.ThroughputAvg, Cell(3), required: true, ref violation, out var avg)) return null;
        if (!Double(SessionColumns.ThroughputStd, Cell(4), required: false, ref violation, out var std)) return null;
        if (!Long(SessionColumns.TotalBytes, Cell(5), ref violation, out var bytes)) return null;
        if (!Long(SessionColumns.TotalTimespent, Cell(6), ref violation, out var time)) return null;
        if (!Ts(SessionColumns.MinTs, Cell(7), ref violation, out var min)) return null;
        if (!Ts(SessionColumns.MaxTs, Cell(8), ref violation, out var max)) return null;
        if (cnt > int.MaxValue)
        {
            violation = new(SessionColumns.Cnt, SkipReason.WrongType, $"cnt {cnt} is too large");
            return null;
        }

        return new SessionRecord(pid1, pid2, (int)cnt, avg, std, bytes, time, min, max);
    }

    private static bool Long(string column, string s, ref RecordViolation? violation, out long value) =>
        ReadCell(column, s, required: true, 0L, static (string t, out long v) => ValueParsers.TryParseLong(t.Trim(), out v),
            SkipReason.WrongType, "a whole number", ref violation, out value);

    private static bool Double(string column, string s, bool required, ref RecordViolation? violation, out double value) =>
        ReadCell(column, s, required, double.NaN, static (string t, out double v) => ValueParsers.TryParseDouble(t.Trim(), out v),
            SkipReason.WrongType, "a number", ref violation, out value);

    private static bool Ts(string column, string s, ref RecordViolation? violation, out DateTimeOffset value) =>
        ReadCell(column, s, required: true, default(DateTimeOffset), ValueParsers.TryParseTimestamp,
            SkipReason.BadTimestamp, "a timestamp (expected e.g. 2020-07-03 20:25:08.457000+00:00)", ref violation, out value);

    private delegate bool CellParser<T>(string text, out T value);

    /// <summary>
    /// Reads one cell with <paramref name="parse"/>. A blank cell is a <see cref="SkipReason.MissingValue"/>, or
    /// <paramref name="empty"/> when the column is optional; a cell that does not parse is skipped for
    /// <paramref name="wrong"/>, the message saying it is not <paramref name="expected"/>. False when the record is skipped.
    /// </summary>
    private static bool ReadCell<T>(string column, string s, bool required, T empty, CellParser<T> parse, SkipReason wrong, string expected,
        ref RecordViolation? violation, out T value)
    {
        value = empty;
        if (string.IsNullOrWhiteSpace(s))
        {
            if (!required)
                return true;
            violation = new(column, SkipReason.MissingValue, $"{column} is empty");
            return false;
        }
        if (parse(s, out value))
            return true;
        violation = new(column, wrong, $"{column} '{Trunc(s)}' is not {expected}");
        return false;
    }

    private static string Trunc(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
