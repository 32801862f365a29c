namespace PeerActors.Node.Replay;

/// <summary>Which fatal input problem a <see cref="ReplayInputException"/> reports.</summary>
public enum ReplayInputError
{
    /// <summary>The file does not exist.</summary>
    MissingFile,
    /// <summary>The file has no header / schema or no data rows.</summary>
    EmptyFile,
    /// <summary>A required column is absent (the message names it).</summary>
    MissingColumn,
    /// <summary>A Parquet column has a physical type the reader cannot convert (the message names it).</summary>
    UnsupportedColumnType,
    /// <summary>The file is neither readable CSV nor Parquet (e.g. a truncated Parquet footer).</summary>
    UnreadableFile,
    /// <summary>A malformed row in <c>--strict</c> mode (the message gives file and line/row).</summary>
    MalformedRow,
    /// <summary>No file was given, or every row of every file was skipped.</summary>
    NothingReadable,
    /// <summary>A column name appears more than once in the header / schema (the message names it).</summary>
    DuplicateColumn,
}

/// <summary>
/// A fatal replay-input problem: missing file, empty file, missing required column, unreadable file,
/// nothing readable at all, or (in strict mode) the first malformed row. The message always names the
/// file and, where it applies, the column and the CSV line / Parquet row.
/// </summary>
public sealed class ReplayInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The category.</param>
    /// <param name="file">The offending file, when there is one.</param>
    /// <param name="message">Full human-readable message (already containing file and position).</param>
    /// <param name="problem">The row problem for <see cref="ReplayInputError.MalformedRow"/>.</param>
    /// <param name="inner">The underlying library exception, if any.</param>
    public ReplayInputException(ReplayInputError error, string? file, string message, ReadProblem? problem = null, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
        File = file;
        Problem = problem;
    }

    /// <summary>The category of the problem.</summary>
    public ReplayInputError Error { get; }

    /// <summary>The offending file, or null for <see cref="ReplayInputError.NothingReadable"/> over several files.</summary>
    public string? File { get; }

    /// <summary>The row-level problem (file, line/row, column) for <see cref="ReplayInputError.MalformedRow"/>; otherwise null.</summary>
    public ReadProblem? Problem { get; }
}
