namespace PeerActors.Node.Replay;

/// <summary>The records read from all input files, in file order then row order, and how reading went.</summary>
/// <param name="Records">Valid sessions; the index in this list is the session index used by <see cref="ReplayPlanner"/>.</param>
/// <param name="Diagnostics">Per-file counts and the first problems.</param>
public sealed record SessionReadResult(IReadOnlyList<SessionRecord> Records, ReadDiagnostics Diagnostics);

/// <summary>
/// Reads dataset files (CSV or Parquet, detected by the <c>PAR1</c> magic bytes, not by extension) into
/// <see cref="SessionRecord"/>s by column name. Malformed rows are skipped and counted in
/// <see cref="ReadDiagnostics"/>, or with <c>strict</c> abort the read with a
/// <see cref="ReplayInputException"/> (<see cref="ReplayInputError.MalformedRow"/>) naming file and line/row.
/// </summary>
public static class SessionSource
{
    /// <summary>Synchronous wrapper of <see cref="ReadAsync(IEnumerable{string}, bool, CancellationToken)"/> (for the CLI and tests).</summary>
    /// <exception cref="ReplayInputException">See <see cref="ReadAsync(IEnumerable{string}, bool, CancellationToken)"/>.</exception>
    public static SessionReadResult Read(IEnumerable<string> files, bool strict) =>
        ReadAsync(files, strict).GetAwaiter().GetResult();

    /// <summary>Synchronous wrapper of <see cref="ReadAsync(IEnumerable{string}, bool, ReplayInputLimits, CancellationToken)"/>.</summary>
    /// <exception cref="ReplayInputException">See <see cref="ReadAsync(IEnumerable{string}, bool, ReplayInputLimits, CancellationToken)"/>.</exception>
    public static SessionReadResult Read(IEnumerable<string> files, bool strict, ReplayInputLimits limits) =>
        ReadAsync(files, strict, limits).GetAwaiter().GetResult();

    /// <summary>Reads every file in order with <see cref="ReplayInputLimits.Default"/>.</summary>
    /// <exception cref="ReplayInputException">See <see cref="ReadAsync(IEnumerable{string}, bool, ReplayInputLimits, CancellationToken)"/>.</exception>
    public static Task<SessionReadResult> ReadAsync(IEnumerable<string> files, bool strict, CancellationToken ct = default) =>
        ReadAsync(files, strict, ReplayInputLimits.Default, ct);

    /// <summary>Reads every file in order.</summary>
    /// <param name="files">CSV or Parquet paths.</param>
    /// <param name="strict">When true, the first malformed row throws instead of being skipped.</param>
    /// <param name="limits">Sanity bounds (chunks per session, line length); rows beyond them are malformed rows.</param>
    /// <param name="ct">Cancellation.</param>
    /// <exception cref="ReplayInputException">
    /// A file is missing, empty (no header/schema or no data rows), lacks a required column, has an
    /// unconvertible column type or is unreadable; no files were given; every row was skipped
    /// (<see cref="ReplayInputError.NothingReadable"/>, message includes the first problems); or, with
    /// <paramref name="strict"/>, a row is malformed.
    /// </exception>
    public static async Task<SessionReadResult> ReadAsync(IEnumerable<string> files, bool strict, ReplayInputLimits limits, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        var validator = new RowValidator(limits);
        var list = files.ToList();
        if (list.Count == 0)
            throw new ReplayInputException(ReplayInputError.NothingReadable, null, "no input files given");

        var diag = new ReadDiagnosticsBuilder();
        var records = new List<SessionRecord>();
        foreach (var path in list)
        {
            ct.ThrowIfCancellationRequested();
            if (!File.Exists(path))
                throw new ReplayInputException(ReplayInputError.MissingFile, path,
                    Directory.Exists(path) ? $"{path}: is a directory, not a file" : $"{path}: file not found");
            var format = DetectFormat(path);
            diag.BeginFile(path, format);
            validator.BeginFile();
            if (format == "parquet")
                await ParquetSessionReader.ReadAsync(path, diag, strict, validator, records, ct).ConfigureAwait(false);
            else
                records.AddRange(CsvSessionReader.Read(path, diag, strict, validator));
            diag.EndFile();
        }

        var diagnostics = diag.Build();
        if (records.Count == 0)
            throw new ReplayInputException(ReplayInputError.NothingReadable, list.Count == 1 ? list[0] : null,
                $"no readable sessions in {string.Join(", ", list)}: every row was skipped{Environment.NewLine}{diagnostics}");
        return new SessionReadResult(records, diagnostics);
    }

    /// <summary>"parquet" when the file starts with the Parquet magic <c>PAR1</c>, else "csv".</summary>
    /// <exception cref="ReplayInputException">The file is empty (0 bytes) or not a regular file (a FIFO or a device,
    /// which report 0 bytes: opening a FIFO without a writer would block forever).</exception>
    internal static string DetectFormat(string path)
    {
        if (new FileInfo(path).Length == 0)
            throw new ReplayInputException(ReplayInputError.EmptyFile, path, $"{path}: the file is empty (0 bytes) or not a regular file (FIFO, device)");
        Span<byte> magic = stackalloc byte[4];
        using var fs = File.OpenRead(path);
        if (fs.Length == 0)
            throw new ReplayInputException(ReplayInputError.EmptyFile, path, $"{path}: the file is empty (0 bytes)");
        var n = fs.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        return n == 4 && magic.SequenceEqual("PAR1"u8) ? "parquet" : "csv";
    }
}
