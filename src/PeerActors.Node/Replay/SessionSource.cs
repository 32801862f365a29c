namespace PeerActors.Node.Replay;

/// <summary>The records read from all input files, in file order then row order, and how reading went.</summary>
/// <param name="Records">Valid sessions; the index in this list is the session index used by <see cref="ReplayPlanner"/>.</param>
/// <param name="Diagnostics">Per-file counts and the first problems.</param>
public sealed record SessionReadResult(IReadOnlyList<SessionRecord> Records, ReadDiagnostics Diagnostics)
{
    /// <summary>The input's size: sessions and skipped rows (what a partial report states).</summary>
    public ReplayInputSummary Summary => new(Records.Count, Diagnostics.RowsSkipped);
}

/// <summary>How much input a replay had, for a partial report.</summary>
/// <param name="Sessions">Valid sessions.</param>
/// <param name="RowsSkipped">Malformed rows skipped.</param>
public sealed record ReplayInputSummary(int Sessions, long RowsSkipped);

/// <summary>
/// The result of <see cref="SessionSource.ScanAsync(IReadOnlyList{string}, bool, ReplayInputLimits, Action{string}?, CancellationToken)"/>:
/// a streamed plan (it re-reads each file when the replay reaches it), the diagnostics and the run's distinct peers.
/// </summary>
/// <param name="Plan">The streamed plan; its <see cref="ReplayPlan.Totals"/> and <see cref="ReplayPlan.Files"/> come from the scan.</param>
/// <param name="Diagnostics">Per-file counts and the first problems.</param>
/// <param name="Peers">Every distinct peer id of the input (receivers ∪ senders): the plan's <see cref="ReplayTotals.Peers"/>.</param>
public sealed record SessionScan(ReplayPlan Plan, ReadDiagnostics Diagnostics, ReplayPeerIds Peers)
{
    /// <summary>The input's size: sessions and skipped rows.</summary>
    public ReplayInputSummary Summary => new(Plan.SessionCount, Diagnostics.RowsSkipped);
}

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
            await ReadFileAsync(path, diag, strict, validator, records, ct).ConfigureAwait(false);
        }

        var diagnostics = diag.Build();
        if (records.Count == 0)
            throw new ReplayInputException(ReplayInputError.NothingReadable, list.Count == 1 ? list[0] : null,
                $"no readable sessions in {string.Join(", ", list)}: every row was skipped{Environment.NewLine}{diagnostics}");
        return new SessionReadResult(records, diagnostics);
    }

    /// <summary>
    /// Reads every file once to validate and total it (per file: sessions, chunks, bytes, first and last instant) without
    /// keeping its sessions, and returns a streamed plan that reads each file again when the replay reaches its first
    /// session start. Memory: the distinct peers and channels, plus the sessions of the file being read.
    /// </summary>
    /// <param name="files">CSV or Parquet paths, in the order that numbers their sessions.</param>
    /// <param name="strict">When true, the first malformed row throws instead of being skipped.</param>
    /// <param name="limits">Sanity bounds (chunks per session, line length).</param>
    /// <param name="status">Called once per file read (e.g. <c>read 3/29 …: 30,412 sessions</c>), or null.</param>
    /// <param name="ct">Cancellation.</param>
    /// <exception cref="ReplayInputException">As <see cref="ReadAsync(IEnumerable{string}, bool, ReplayInputLimits, CancellationToken)"/>.</exception>
    /// <exception cref="Core.Validation.InvalidInputException">A record breaks <see cref="SessionRecordRules"/> (as <see cref="ReplayPlanner.Plan"/>).</exception>
    public static async Task<SessionScan> ScanAsync(IReadOnlyList<string> files, bool strict, ReplayInputLimits limits,
        Action<string>? status = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(limits);
        if (files.Count == 0)
            throw new ReplayInputException(ReplayInputError.NothingReadable, null, "no input files given");
        var validator = new RowValidator(limits);
        var diag = new ReadDiagnosticsBuilder();
        var totals = new ReplayTotalsBuilder();
        var planFiles = new List<ReplayPlanFile>(files.Count);
        var next = 0;
        for (var f = 0; f < files.Count; f++)
        {
            ct.ThrowIfCancellationRequested();
            var path = files[f];
            var records = await ReadFileAsync(path, diag, strict, validator, ct).ConfigureAwait(false);
            long chunks = 0;
            Int128 bytes = 0;
            DateTimeOffset? first = null, last = null;
            for (var k = 0; k < records.Count; k++)
            {
                var r = records[k];
                if (SessionRecordRules.Check(r) is { } v)
                    throw new Core.Validation.InvalidInputException($"sessions[{next + k}].{v.Column}", v.Message);
                totals.Add(r);
                chunks += r.Cnt;
                bytes += r.TotalBytes;
                if (first is null || r.MinTs < first) first = r.MinTs;
                if (last is null || r.MaxTs > last) last = r.MaxTs;
            }
            var fileDiag = diag.Last!;
            planFiles.Add(new ReplayPlanFile(path, fileDiag.Format, next, records.Count, chunks, bytes, first, last, fileDiag.RowsRead, fileDiag.RowsSkipped));
            next = checked(next + records.Count);
            status?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"read {f + 1}/{files.Count} {path}: {records.Count:N0} sessions, {chunks:N0} chunks"));
        }
        var diagnostics = diag.Build();
        if (next == 0)
            throw new ReplayInputException(ReplayInputError.NothingReadable, files.Count == 1 ? files[0] : null,
                $"no readable sessions in {string.Join(", ", files)}: every row was skipped{Environment.NewLine}{diagnostics}");

        // The second read of a file: same rules (a fresh validator per file, as the first read began each file).
        IReadOnlyList<SessionRecord> Load(int f)
        {
            var again = new ReadDiagnosticsBuilder();
            var v = new RowValidator(limits);
            return ReadFileAsync(files[f], again, strict: false, v, CancellationToken.None).GetAwaiter().GetResult();
        }
        var plan = new ReplayPlan(planFiles, Load, totals.Build());
        return new SessionScan(plan, diagnostics, plan.Totals.Peers);
    }

    private static async Task<List<SessionRecord>> ReadFileAsync(string path, ReadDiagnosticsBuilder diag, bool strict, RowValidator validator, CancellationToken ct) =>
        await ReadFileAsync(path, diag, strict, validator, [], ct).ConfigureAwait(false);

    /// <summary>Reads one file's valid sessions into <paramref name="records"/> (appended) and returns it.</summary>
    private static async Task<List<SessionRecord>> ReadFileAsync(string path, ReadDiagnosticsBuilder diag, bool strict, RowValidator validator,
        List<SessionRecord> records, CancellationToken ct)
    {
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
        return records;
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
