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
    /// <summary>Synchronous wrapper of <see cref="ReadAsync"/> (for the CLI and tests).</summary>
    /// <exception cref="ReplayInputException">See <see cref="ReadAsync"/>.</exception>
    public static SessionReadResult Read(IEnumerable<string> files, bool strict) =>
        ReadAsync(files, strict).GetAwaiter().GetResult();

    /// <summary>Reads every file in order.</summary>
    /// <param name="files">CSV or Parquet paths.</param>
    /// <param name="strict">When true, the first malformed row throws instead of being skipped.</param>
    /// <param name="ct">Cancellation.</param>
    /// <exception cref="ReplayInputException">
    /// A file is missing, empty (no header/schema or no data rows), lacks a required column, has an
    /// unconvertible column type or is unreadable; no files were given; every row was skipped
    /// (<see cref="ReplayInputError.NothingReadable"/>, message includes the first problems); or, with
    /// <paramref name="strict"/>, a row is malformed.
    /// </exception>
    public static async Task<SessionReadResult> ReadAsync(IEnumerable<string> files, bool strict, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(files);
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
            if (format == "parquet")
                await ParquetSessionReader.ReadAsync(path, diag, strict, records, ct).ConfigureAwait(false);
            else
                records.AddRange(CsvSessionReader.Read(path, diag, strict));
            diag.EndFile();
        }

        var diagnostics = diag.Build();
        if (records.Count == 0)
            throw new ReplayInputException(ReplayInputError.NothingReadable, list.Count == 1 ? list[0] : null,
                $"no readable sessions in {string.Join(", ", list)}: every row was skipped{Environment.NewLine}{diagnostics}");
        return new SessionReadResult(records, diagnostics);
    }

    /// <summary>"parquet" when the file starts with the Parquet magic <c>PAR1</c>, else "csv".</summary>
    /// <exception cref="ReplayInputException">The file is empty (0 bytes).</exception>
    internal static string DetectFormat(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var fs = File.OpenRead(path);
        if (fs.Length == 0)
            throw new ReplayInputException(ReplayInputError.EmptyFile, path, $"{path}: the file is empty (0 bytes)");
        var n = fs.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        return n == 4 && magic.SequenceEqual("PAR1"u8) ? "parquet" : "csv";
    }
}
