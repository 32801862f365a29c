namespace PeerActors.Node.Replay;

/// <summary>
/// Validates each parsed row of one read (all input files) before it is accepted: the domain rules of
/// <see cref="SessionRecordRules"/>, the size bound <see cref="ReplayInputLimits.MaxChunksPerSession"/>, and exact
/// a sender's Σ <c>total_bytes</c> beyond the peer's 64-bit counter, and duplicates of an earlier row of the same file (a repeated row would replay the same session twice and double its
/// bytes). Not thread-safe; one instance per read, <see cref="BeginFile"/> before each file.
/// </summary>
internal sealed class RowValidator(ReplayInputLimits limits)
{
    private readonly ReplayInputLimits _limits = (limits ?? throw new ArgumentNullException(nameof(limits))).Validate();
    private readonly Dictionary<SessionRecord, string> _seen = [];
    private readonly Dictionary<string, long> _senderBytes = new(StringComparer.Ordinal);

    /// <summary>The limits applied.</summary>
    public ReplayInputLimits Limits => _limits;

    /// <summary>Starts a new file: duplicates are looked for within one file.</summary>
    public void BeginFile() => _seen.Clear();

    /// <summary>Returns the first rule <paramref name="record"/> breaks, or null when it is accepted (and remembered).</summary>
    /// <param name="record">The parsed row.</param>
    /// <param name="where">Where the row is, for a later duplicate's message (e.g. <c>data.csv: line 7</c>).</param>
    /// <returns>The violation, or null.</returns>
    public RecordViolation? Check(SessionRecord record, string where)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Cnt > _limits.MaxChunksPerSession)
            return new(SessionColumns.Cnt, SkipReason.TooManyChunks, string.Create(CultureInfo.InvariantCulture,
                $"cnt {record.Cnt:N0} is above peeractors.replay.max-chunks-per-session ({_limits.MaxChunksPerSession:N0})"));
        if (SessionRecordRules.Check(record) is { } violation)
            return violation;
        if (_seen.ContainsKey(record))
            return new(null, SkipReason.DuplicateRow, $"duplicate of {_seen[record]} (same session: every column equal)");
        // A peer actor counts its ingress bytes in 64 bits (saturating): a sender whose Σ total_bytes over the input
        // would pass long.MaxValue cannot be replayed exactly.
        var before = _senderBytes.GetValueOrDefault(record.Pid2);
        if (record.TotalBytes > long.MaxValue - before)
            return new(SessionColumns.TotalBytes, SkipReason.BytesOverflow, string.Create(CultureInfo.InvariantCulture,
                $"total_bytes {record.TotalBytes:N0} would take sender {record.Pid2}'s total past {long.MaxValue:N0} bytes (the peer's 64-bit counter)"));
        _senderBytes[record.Pid2] = before + record.TotalBytes;
        _seen.Add(record, where);
        return null;
    }
}
