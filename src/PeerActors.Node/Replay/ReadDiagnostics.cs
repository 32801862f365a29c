namespace PeerActors.Node.Replay;

/// <summary>Why a row of an input file was skipped (or, with <c>--strict</c>, rejected).</summary>
public enum SkipReason
{
    /// <summary>A required value is empty (CSV) or null (Parquet).</summary>
    MissingValue,
    /// <summary>A value does not parse as the column's type (e.g. <c>cnt = "abc"</c>, a fractional count, NaN).</summary>
    WrongType,
    /// <summary><c>min_ts</c> or <c>max_ts</c> is not a timestamp.</summary>
    BadTimestamp,
    /// <summary><c>pid1</c> or <c>pid2</c> is empty or whitespace.</summary>
    EmptyId,
    /// <summary><c>cnt</c> ≤ 0.</summary>
    NonPositiveCount,
    /// <summary><c>total_bytes</c> &lt; 0.</summary>
    NegativeBytes,
    /// <summary><c>total_timespent</c> &lt; 0.</summary>
    NegativeTime,
    /// <summary><c>throughput_avg</c> &lt; 0.</summary>
    NegativeThroughput,
    /// <summary><c>max_ts</c> &lt; <c>min_ts</c>.</summary>
    EndBeforeStart,
    /// <summary>The CSV line itself is broken (too few fields, bad quoting).</summary>
    MalformedLine,
    /// <summary><c>pid1</c> or <c>pid2</c> is not a valid peer id (SPEC §1, <see cref="Core.Identity.PeerId"/>): longer than
    /// 256 characters, or with a control character, NUL or inner white space.</summary>
    InvalidId,
    /// <summary><c>min_ts</c> or <c>max_ts</c> is outside the range the peer actors accept (before 1970 or after year 9000).</summary>
    TimestampOutOfRange,
    /// <summary><c>cnt</c> is above <c>peeractors.replay.max-chunks-per-session</c>.</summary>
    TooManyChunks,
    /// <summary>The CSV line is longer than <c>peeractors.replay.max-line-length</c> bytes.</summary>
    LineTooLong,
    /// <summary>The row repeats an earlier row of the input exactly (it would count the same session twice).</summary>
    DuplicateRow,
    /// <summary>The row would take its sender's Σ <c>total_bytes</c> past <see cref="long.MaxValue"/> (the peer actor's counter).</summary>
    BytesOverflow,
}

/// <summary>One problem found in an input file, located by file and CSV line / Parquet row.</summary>
/// <param name="File">The path as given on the command line.</param>
/// <param name="Position">1-based physical line number for CSV (the header is line 1); 1-based row number
/// (across row groups, header-less) for Parquet.</param>
/// <param name="IsParquetRow">True when <paramref name="Position"/> is a Parquet row, false when it is a CSV line.</param>
/// <param name="Column">The offending column, when one is to blame.</param>
/// <param name="Reason">The category, used for the per-file skip counts.</param>
/// <param name="Message">Human-readable detail, e.g. <c>cnt must be &gt; 0, got 0</c>.</param>
public sealed record ReadProblem(string File, long Position, bool IsParquetRow, string? Column, SkipReason Reason, string Message)
{
    /// <summary>"file: line N: message" (CSV) or "file: row N: message" (Parquet).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{File}: {(IsParquetRow ? "row" : "line")} {Position}: {Message}");
}

/// <summary>Per-file read statistics.</summary>
/// <param name="File">The path as given.</param>
/// <param name="Format">"csv" or "parquet".</param>
/// <param name="RowsRead">Data rows accepted as <see cref="SessionRecord"/>s.</param>
/// <param name="RowsSkipped">Data rows skipped as malformed (always 0 in strict mode, which throws instead).</param>
/// <param name="SkippedByReason">Skip counts per reason (only reasons that occurred).</param>
public sealed record FileReadStats(
    string File,
    string Format,
    long RowsRead,
    long RowsSkipped,
    IReadOnlyDictionary<SkipReason, long> SkippedByReason);

/// <summary>
/// What <see cref="SessionSource"/> read: per-file counts, skip reasons, and the first
/// <see cref="MaxProblems"/> problems with file and line/row.
/// </summary>
public sealed class ReadDiagnostics
{
    /// <summary>How many problems are kept verbatim; further ones are only counted.</summary>
    public const int MaxProblems = 20;

    internal ReadDiagnostics(IReadOnlyList<FileReadStats> files, IReadOnlyList<ReadProblem> problems)
    {
        Files = files;
        Problems = problems;
    }

    /// <summary>One entry per input file, in input order.</summary>
    public IReadOnlyList<FileReadStats> Files { get; }

    /// <summary>The first <see cref="MaxProblems"/> problems over all files, in reading order.</summary>
    public IReadOnlyList<ReadProblem> Problems { get; }

    /// <summary>Rows accepted over all files.</summary>
    public long RowsRead => Files.Sum(f => f.RowsRead);

    /// <summary>Rows skipped over all files.</summary>
    public long RowsSkipped => Files.Sum(f => f.RowsSkipped);

    /// <summary>A multi-line summary: one line per file, then the kept problems.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var f in Files)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{f.File} ({f.Format}): {f.RowsRead} rows read, {f.RowsSkipped} skipped");
            if (f.SkippedByReason.Count > 0)
                sb.Append(" (").AppendJoin(", ", f.SkippedByReason.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}")).Append(')');
            sb.AppendLine();
        }
        foreach (var p in Problems)
            sb.Append("  ").AppendLine(p.ToString());
        if (RowsSkipped > Problems.Count)
            sb.Append(CultureInfo.InvariantCulture, $"  ... {RowsSkipped - Problems.Count} more problem(s) not shown").AppendLine();
        return sb.ToString();
    }
}

/// <summary>Collects per-file counts while reading; not thread-safe.</summary>
internal sealed class ReadDiagnosticsBuilder
{
    private readonly List<FileReadStats> _files = [];
    private readonly List<ReadProblem> _problems = [];
    private string _file = "";
    private string _format = "";
    private long _read;
    private long _skipped;
    private Dictionary<SkipReason, long> _reasons = [];

    public void BeginFile(string file, string format)
    {
        _file = file;
        _format = format;
        _read = 0;
        _skipped = 0;
        _reasons = [];
    }

    public void RowRead() => _read++;

    public void RowSkipped(ReadProblem problem)
    {
        _skipped++;
        _reasons[problem.Reason] = _reasons.GetValueOrDefault(problem.Reason) + 1;
        if (_problems.Count < ReadDiagnostics.MaxProblems)
            _problems.Add(problem);
    }

    public long CurrentRowsRead => _read;
    public long CurrentRowsSkipped => _skipped;

    public void EndFile() => _files.Add(new FileReadStats(_file, _format, _read, _skipped, _reasons));

    /// <summary>The stats of the last file ended, or null before the first.</summary>
    public FileReadStats? Last => _files.Count > 0 ? _files[^1] : null;

    public ReadDiagnostics Build() => new(_files.ToArray(), _problems.ToArray());
}
