namespace PeerActors.Node.Replay;

/// <summary>
/// Sanity bounds on replay input (HOCON <c>peeractors.replay { }</c>). A row beyond a bound is a row error like any
/// other malformed row: skipped and reported, or with <c>--strict</c> refused before anything is replayed. They keep an
/// absurd input (a 1 GB line, <c>cnt = 200000000</c>) from exhausting memory or planning hundreds of millions of steps.
/// </summary>
public sealed record ReplayInputLimits
{
    /// <summary>The defaults: 1,000,000 chunks per session, 65,536-byte lines.</summary>
    public static ReplayInputLimits Default { get; } = new();

    /// <summary>
    /// <c>peeractors.replay.max-chunks-per-session</c>: the largest accepted <c>cnt</c> (chunks in one session; each
    /// chunk becomes 3 replay messages). Default 1,000,000 (the real dataset's sessions have at most a few thousand).
    /// </summary>
    public int MaxChunksPerSession { get; init; } = 1_000_000;

    /// <summary>
    /// <c>peeractors.replay.max-line-length</c>: the longest accepted CSV line, in bytes without the line break. Default
    /// 65,536 (a dataset row is about 350 bytes). A longer data line is skipped without being held in memory; a longer
    /// header line makes the file unreadable.
    /// </summary>
    public int MaxLineBytes { get; init; } = 65_536;

    /// <summary>Checks the values.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A bound is below 1 (chunks) or 256 (bytes).</exception>
    public ReplayInputLimits Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxChunksPerSession, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineBytes, 256);
        return this;
    }
}
