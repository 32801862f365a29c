using System.Globalization;
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
    public static IEnumerable<SessionRecord> Read(string path, ReadDiagnosticsBuilder diag, bool strict)
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

        using var csv = CsvReader.FromFile(path, options);
        var header = csv.Headers;
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

        var dataRows = 0L;
        while (true)
        {
            var more = csv.Read();
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

        var r = new SessionRecord(pid1, pid2, (int)cnt, avg, std, bytes, time, min, max);
        violation = SessionRecordRules.Check(r);
        return violation is null ? r : null;
    }

    private static bool Long(string column, string s, ref RecordViolation? violation, out long value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(s))
        {
            violation = new(column, SkipReason.MissingValue, $"{column} is empty");
            return false;
        }
        if (ValueParsers.TryParseLong(s.Trim(), out value))
            return true;
        violation = new(column, SkipReason.WrongType, $"{column} '{Trunc(s)}' is not a whole number");
        return false;
    }

    private static bool Double(string column, string s, bool required, ref RecordViolation? violation, out double value)
    {
        value = double.NaN;
        if (string.IsNullOrWhiteSpace(s))
        {
            if (!required)
                return true;
            violation = new(column, SkipReason.MissingValue, $"{column} is empty");
            return false;
        }
        if (ValueParsers.TryParseDouble(s.Trim(), out value))
            return true;
        violation = new(column, SkipReason.WrongType, $"{column} '{Trunc(s)}' is not a number");
        return false;
    }

    private static bool Ts(string column, string s, ref RecordViolation? violation, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(s))
        {
            violation = new(column, SkipReason.MissingValue, $"{column} is empty");
            return false;
        }
        if (ValueParsers.TryParseTimestamp(s, out value))
            return true;
        violation = new(column, SkipReason.BadTimestamp,
            $"{column} '{Trunc(s)}' is not a timestamp (expected e.g. 2020-07-03 20:25:08.457000+00:00)");
        return false;
    }

    private static string Trunc(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
