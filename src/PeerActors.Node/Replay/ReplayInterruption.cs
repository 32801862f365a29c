namespace PeerActors.Node.Replay;

/// <summary>
/// The partial report of a replay that stopped early (SIGINT / SIGTERM, a journal failure, an unexpected error): how far
/// it got and what the journal holds, so that nothing already accepted goes unmentioned.
/// </summary>
public static class ReplayInterruption
{
    /// <summary>The input's peers that have history in the journal (one journal query), or null when it cannot be
    /// asked within <paramref name="timeout"/> (or the targets have no journal index).</summary>
    /// <param name="peers">The replay targets.</param>
    /// <param name="timeout">How long to wait for the journal.</param>
    /// <returns>Persistence ids in the journal, or null.</returns>
    public static async Task<int?> PeersInJournalAsync(IReplayPeers peers, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(peers);
        if (peers is not IReplayJournalIndex index) return null;
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return (await index.PeersWithHistoryAsync(cts.Token).ConfigureAwait(false)).Count;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null; // the journal may be the thing that failed
        }
    }

    /// <summary>Formats the partial report (plain text, one fact per line).</summary>
    /// <param name="reason">Why the replay stopped, one line.</param>
    /// <param name="input">What was read.</param>
    /// <param name="sent">The last progress state of the driver (null = stopped before the first).</param>
    /// <param name="peersInJournal">Peers with history in the journal, or null when unknown.</param>
    /// <returns>The text.</returns>
    public static string Format(string reason, ReplayInputSummary input, ReplayProgressState? sent, int? peersInJournal)
    {
        ArgumentNullException.ThrowIfNull(reason);
        ArgumentNullException.ThrowIfNull(input);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"Replay stopped early: {reason}");
        sb.AppendLine(inv, $"  {"sessions in the input",-28} {input.Sessions:N0} ({input.RowsSkipped:N0} rows skipped)");
        sb.AppendLine(sent is { } p
            ? string.Create(inv, $"  {"sent before stopping",-28} at least {p.Events:N0} events, {p.SessionsDone:N0} of {p.SessionsTotal:N0} sessions closed ({p.Elapsed.TotalSeconds:F1} s)")
            : string.Create(inv, $"  {"sent before stopping",-28} fewer than 256 events (no progress recorded)"));
        sb.AppendLine(peersInJournal is { } n
            ? string.Create(inv, $"  {"peers in the journal",-28} {n:N0} (acknowledged critical observations are persisted; high-rate ones are flushed at shutdown if the journal accepts them)")
            : string.Create(inv, $"  {"peers in the journal",-28} unknown (the journal did not answer)"));
        sb.AppendLine("  the consistency checks of the full report were not run (the replay did not finish)");
        return sb.ToString();
    }

    /// <summary>The partial report as JSON (for <c>--report-json</c>): <c>{"stoppedEarly":true,"reason":…,"exitCode":…,
    /// "sessionsInInput":…,"rowsSkipped":…,"eventsSent":…|null,"sessionsClosed":…|null,"peersInJournal":…|null,"dataDirectory":…}</c>.</summary>
    /// <param name="reason">Why the replay stopped.</param>
    /// <param name="exitCode">The process exit code.</param>
    /// <param name="input">What was read.</param>
    /// <param name="sent">The last progress state, or null.</param>
    /// <param name="peersInJournal">Peers with history in the journal, or null.</param>
    /// <param name="dataDirectory">The data directory.</param>
    /// <returns>Indented JSON.</returns>
    public static string ToJson(string reason, int exitCode, ReplayInputSummary input, ReplayProgressState? sent, int? peersInJournal, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = new System.Text.Json.Nodes.JsonObject
        {
            ["stoppedEarly"] = true,
            ["reason"] = reason,
            ["exitCode"] = exitCode,
            ["sessionsInInput"] = input.Sessions,
            ["rowsSkipped"] = input.RowsSkipped,
            ["eventsSent"] = sent?.Events,
            ["sessionsClosed"] = sent?.SessionsDone,
            ["peersInJournal"] = peersInJournal,
            ["dataDirectory"] = dataDirectory,
        };
        return o.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }
}
