using System.Globalization;

namespace PeerActors.Node.Replay;

/// <summary>
/// Validates each parsed row of one read (all input files) before it is accepted: the domain rules of
/// <see cref="SessionRecordRules"/>, the size bound <see cref="ReplayInputLimits.MaxChunksPerSession"/>, and exact
/// duplicates of an earlier row of the same file (a repeated row would replay the same session twice and double its
/// bytes). Not thread-safe; one instance per read, <see cref="BeginFile"/> before each file.
/// </summary>
internal sealed class RowValidator(ReplayInputLimits limits)
{
    private readonly ReplayInputLimits _limits = (limits ?? throw new ArgumentNullException(nameof(limits))).Validate();
    private readonly Dictionary<SessionRecord, string> _seen = [];

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
        if (!_seen.TryAdd(record, where))
            return new(null, SkipReason.DuplicateRow, $"duplicate of {_seen[record]} (same session: every column equal)");
        return null;
    }
}
