using System.Text.Encodings.Web;
using System.Text.Json.Serialization;

namespace PeerActors.Node.Replay;

/// <summary>One input file of the replay.</summary>
/// <param name="File">Path as given.</param>
/// <param name="Format"><c>csv</c> or <c>parquet</c>.</param>
/// <param name="RowsRead">Rows accepted.</param>
/// <param name="RowsSkipped">Malformed rows skipped.</param>
public sealed record ReplayReportFile(string File, string Format, long RowsRead, long RowsSkipped);

/// <summary>Per input file (a day of data for the dataset's daily files): what it holds and what the replay sent of it.</summary>
/// <param name="File">Path as given.</param>
/// <param name="SessionsExpected">Its valid sessions.</param>
/// <param name="SessionsReplayed">Its sessions closed by the replay.</param>
/// <param name="ChunksExpected">Σ cnt of its sessions.</param>
/// <param name="ChunksReplayed">Chunk steps of its sessions sent (each acknowledged by its peer).</param>
/// <param name="IngressBytesExpected">Σ total_bytes of its sessions.</param>
/// <param name="IngressBytesReplayed">Σ bytes of its chunk steps sent.</param>
/// <param name="Events">Replay steps of its sessions (online/offline, channel, open/close, chunk).</param>
/// <param name="FirstStart">Earliest min_ts (null without sessions).</param>
/// <param name="LastEnd">Latest max_ts.</param>
public sealed record ReplayFileTotals(string File, int SessionsExpected, int SessionsReplayed, long ChunksExpected, long ChunksReplayed,
    Int128 IngressBytesExpected, Int128 IngressBytesReplayed, long Events, DateTimeOffset? FirstStart, DateTimeOffset? LastEnd)
{
    /// <summary>The process's memory when the file's last session closed (null when not sampled): one point per day of the
    /// memory curve a long replay is projected from.</summary>
    public ReplayMemorySample? Memory { get; init; }

    /// <summary>True when every session, chunk and byte of the file was replayed.</summary>
    public bool Complete => SessionsReplayed == SessionsExpected && ChunksReplayed == ChunksExpected && IngressBytesReplayed == IngressBytesExpected;
}

/// <summary>One peer of <see cref="ReplayReport.TopPeersByScore"/>.</summary>
/// <param name="Id">Peer id.</param>
/// <param name="Score">Weighted selection score at the trace's end (blend(score(now)), SPEC §3).</param>
/// <param name="SrttMs">Smoothed RTT, ms (RFC 6298).</param>
/// <param name="SuccessRate">successes / requests_sent.</param>
/// <param name="UptimeFraction">Σ uptime / Σ lifetime over the peer's channels at the trace's end (lnd channel uptime:
/// lifetime = end − channel opened; uptime = online time within it); null when the peer has no channel (a pure receiver)
/// or the lifetimes sum to 0.</param>
/// <param name="FlapCount">lnd flap count (every online and offline event, with cooldown).</param>
/// <param name="IngressBytes">Bytes attributed to the peer as ingress (in total, including earlier runs).</param>
public sealed record ReplayTopPeer(string Id, double Score, double SrttMs, double SuccessRate, double? UptimeFraction, long FlapCount, ulong IngressBytes);

/// <summary>
/// The result of <c>peeractors replay</c>: what was read, what was sent, what the peer actors hold afterwards. Written
/// as JSON (camelCase keys) by <see cref="ToJson"/> and as a terminal table by <see cref="ToText"/>.
/// </summary>
public sealed record ReplayReport
{
    /// <summary>Input files.</summary>
    public required IReadOnlyList<ReplayReportFile> Files { get; init; }

    /// <summary>Per-file (per-day) totals: sessions, chunks, ingress bytes expected vs replayed, events.</summary>
    public IReadOnlyList<ReplayFileTotals> PerFile { get; init; } = [];

    /// <summary>Most peer actors alive at once during the replay (sampled every few thousand steps), or null when not sampled:
    /// bounded by the recently active peers when passivation follows the observation clock.</summary>
    public long? LivePeerActorsMax { get; init; }

    /// <summary>
    /// With a selector retention window (<c>peeractors.selector.retention</c>; null without one): the run's peers the
    /// selector no longer held at the report, having been inactive for longer than the window. The request check covers the
    /// peers it holds, one by one; the dropped senders' requests count from the replay's tally, and Spearman and the top
    /// peers are over the peers it holds.
    /// </summary>
    public int? SelectorDroppedPeers { get; init; }

    /// <summary>Peak resident memory of the process up to the report, bytes (null when not measured).</summary>
    public long? PeakWorkingSetBytes { get; init; }

    /// <summary>
    /// Where the replay driver waited instead of sending (seconds; <c>driverWaits</c>): mostly <c>barriersSeconds</c> = the
    /// node's peer actors and journal bound the replay; mostly <c>criticalAcksSeconds</c> or <c>limitsSeconds</c> = single
    /// round trips do. Null when not measured.
    /// </summary>
    public ReplayDriverWaits? DriverWaits { get; init; }

    /// <summary>Malformed rows skipped over all files.</summary>
    public required long RowsSkipped { get; init; }

    /// <summary>Sessions replayed.</summary>
    public required int Sessions { get; init; }

    /// <summary>Chunks replayed (Σ cnt).</summary>
    public required long Chunks { get; init; }

    /// <summary>Distinct peers (receivers ∪ senders).</summary>
    public required int Peers { get; init; }

    /// <summary>Distinct receivers (pid1).</summary>
    public required int Receivers { get; init; }

    /// <summary>Distinct senders (pid2).</summary>
    public required int Senders { get; init; }

    /// <summary>Distinct (sender, receiver) channels.</summary>
    public required int Channels { get; init; }

    /// <summary>Ingress bytes this replay added to the peer actors: Σ over peers of (ingress after − ingress before).
    /// Must equal <see cref="ExpectedIngressBytes"/>.</summary>
    public required Int128 IngressBytesTotal { get; init; }

    /// <summary>Where the gains and scores were read: <see cref="FromSelectorInputs"/> (the selector's score inputs and the
    /// replay's acknowledged tallies; only the top N peers are asked) or <see cref="FromFinalStats"/> (every peer asked).</summary>
    public string ReportSource { get; init; } = FromFinalStats;

    /// <summary><see cref="ReportSource"/>: the selector's inputs and the replay's tallies (no peer woken but the top N).</summary>
    public const string FromSelectorInputs = "selector inputs and replay tallies";

    /// <summary><see cref="ReportSource"/>: every peer's final stats.</summary>
    public const string FromFinalStats = "final stats of every peer";

    /// <summary>True when this run resumed an interrupted one (<c>--resume</c>): the gains are counted from that run's
    /// baseline, so they cover the whole input.</summary>
    public bool Resumed { get; init; }

    /// <summary>Σ over the input's peers of their total ingress bytes after the replay, including earlier runs on the same
    /// journal (after two runs of one file: twice its bytes, which shows the first run's coalesced events were flushed).</summary>
    public required Int128 IngressBytesAfter { get; init; }

    /// <summary>Σ total_bytes of the input (the planner's total).</summary>
    public required Int128 ExpectedIngressBytes { get; init; }

    /// <summary>Requests this replay added to the peer actors (Σ Δ requests_sent); must equal <see cref="Chunks"/> plus nothing else.</summary>
    public required long RequestsApplied { get; init; }

    /// <summary>Replay steps sent (online/offline, channel, session open/close, chunk).</summary>
    public required long Events { get; init; }

    /// <summary><see cref="Events"/> / replay wall time.</summary>
    public required double EventsPerSecond { get; init; }

    /// <summary>Wall time of the replay proper (steps and acks), s.</summary>
    public required double ReplayWallSeconds { get; init; }

    /// <summary>Wall time of the whole run (reading, node start, recovery check, replay, queries, shutdown excluded), s.</summary>
    public required double WallSeconds { get; init; }

    /// <summary><c>max</c> or the N of <c>--speed N</c>.</summary>
    public required string Speed { get; init; }

    /// <summary>Earliest min_ts.</summary>
    public required DateTimeOffset? TraceStart { get; init; }

    /// <summary>Latest max_ts (the instant the final stats, scores and uptimes are computed at).</summary>
    public required DateTimeOffset? TraceEnd { get; init; }

    /// <summary>Peers of the input whose history was already in the journal when the replay started.</summary>
    public required int RecoveredPeers { get; init; }

    /// <summary>Peers of the input unknown before the replay (<c>peer not found</c>).</summary>
    public required int NewPeers { get; init; }

    /// <summary>Sessions refused by a limit (connection or stream), by refusing scope class.</summary>
    public required IReadOnlyDictionary<string, long> LimitBlocks { get; init; }

    /// <summary>
    /// Σ <see cref="LimitBlocks"/>: sessions our limits refused. Counted here only: a refusal is ours, not a failure of
    /// the sender, so it is never recorded against the sender's reputation (no <c>RecordFailure</c>).
    /// </summary>
    public long LimitRefusals => LimitBlocks.Values.Sum();

    /// <summary>Which limits were applied.</summary>
    public required string LimitsSource { get; init; }

    /// <summary>Channels opened (acknowledged after persisting).</summary>
    public required int ChannelsOpened { get; init; }

    /// <summary>Channels already open from an earlier run.</summary>
    public required int ChannelsAlreadyOpen { get; init; }

    /// <summary>Critical commands rejected for another reason.</summary>
    public required long Rejections { get; init; }

    /// <summary>Top peers under the Weighted strategy at the trace's end, among the peers of this run only (a selector that also tracks peers of earlier runs or other nodes does not add them).</summary>
    public required IReadOnlyList<ReplayTopPeer> TopPeersByScore { get; init; }

    /// <summary>Where the ranking came from.</summary>
    public required string TopPeersSource { get; init; }

    /// <summary>True when the ranking's ids equal the reference Weighted ranking (<see cref="Core.Selection.PeerSelector"/>)
    /// of the peers' final stats at the trace's end; false means the selector's inputs lagged or differ.</summary>
    public required bool TopPeersMatchReference { get; init; }

    /// <summary>Spearman ρ between each sender's final Weighted score and its mean observed throughput
    /// (Σ total_bytes / Σ total_timespent, KB/s); null when undefined (fewer than 2 senders, or no variance).</summary>
    public required double? SpearmanScoreVsThroughput { get; init; }

    /// <summary>Senders in the correlation.</summary>
    public required int SpearmanPairs { get; init; }

    /// <summary>Failed consistency checks (empty when all hold): ingress or request mismatch, missing peers, rejections.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>The data directory of the node.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>True when <see cref="IngressBytesTotal"/> equals <see cref="ExpectedIngressBytes"/>.</summary>
    public bool IngressBytesMatch => IngressBytesTotal == ExpectedIngressBytes;

    /// <summary>The JSON options of the node's reports (camelCase, indented, readable non-ASCII): replay and evaluation.</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The report as indented JSON with camelCase keys (<c>sessions</c>, <c>chunks</c>, <c>peers</c>,
    /// <c>ingressBytesTotal</c>, <c>eventsPerSecond</c>, <c>recoveredPeers</c>, <c>limitBlocks</c>, <c>topPeersByScore</c>,
    /// <c>spearmanScoreVsThroughput</c>, …).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses <see cref="ToJson"/> output into a <see cref="JsonDocument"/> (for tests and tools).</summary>
    public static JsonDocument ParseJson(string json) => JsonDocument.Parse(json);

    private static string MemoryText(ReplayMemorySample? m) => m is null ? "" : string.Create(CultureInfo.InvariantCulture,
        $"; then RSS {m.WorkingSetBytes / 1048576.0:N0} MiB, GC heap {m.GcHeapBytes / 1048576.0:N0} MiB");

    /// <summary>The report as a terminal table.</summary>
    public string ToText()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        void Row(string k, string v) => sb.Append(inv, $"  {k,-28} {v}").AppendLine();

        sb.AppendLine("Replay report");
        foreach (var f in Files)
            Row("file", string.Create(inv, $"{f.File} ({f.Format}): {f.RowsRead:N0} rows, {f.RowsSkipped:N0} skipped"));
        if (PerFile.Count > 1)
        {
            foreach (var f in PerFile)
                Row(Path.GetFileName(f.File), string.Create(inv,
                    $"{f.SessionsReplayed:N0}/{f.SessionsExpected:N0} sessions, {f.Events:N0} events, {f.IngressBytesReplayed:N0}/{f.IngressBytesExpected:N0} bytes{(f.Complete ? "" : " INCOMPLETE")}{MemoryText(f.Memory)}"));
        }
        Row("sessions", Sessions.ToString("N0", inv));
        Row("chunks", Chunks.ToString("N0", inv));
        Row("peers", string.Create(inv, $"{Peers:N0} ({Receivers:N0} receivers, {Senders:N0} senders, {Channels:N0} channels)"));
        Row("ingress bytes", string.Create(inv, $"{IngressBytesTotal:N0} (expected {ExpectedIngressBytes:N0}: {(IngressBytesMatch ? "OK" : "MISMATCH")})"));
        Row("report from", ReportSource);
        Row("ingress in journal", string.Create(inv, $"{IngressBytesAfter:N0} (these peers, all runs)"));
        Row("trace", string.Create(inv, $"{TraceStart:u} .. {TraceEnd:u}"));
        Row("events", string.Create(inv, $"{Events:N0} in {ReplayWallSeconds:F1} s = {EventsPerSecond:N0} events/s (speed {Speed})"));
        if (DriverWaits is { } w)
            Row("driver waited", string.Create(inv,
                $"barriers {w.BarriersSeconds:F1} s, critical acks {w.CriticalAcksSeconds:F1} s, limits {w.LimitsSeconds:F1} s, drain {w.DrainSeconds:F1} s, final {w.FinalSeconds:F1} s"));
        if (LivePeerActorsMax is { } live)
            Row("live peer actors", string.Create(inv, $"at most {live:N0} at once (of {Peers:N0} peers)"));
        if (SelectorDroppedPeers is { } droppedPeers)
            Row("selector retention", string.Create(inv, $"{droppedPeers:N0} of the run's peers dropped by the selector as inactive (checked: the {Peers - droppedPeers:N0} it holds)"));
        if (PeakWorkingSetBytes is { } peak)
            Row("peak memory (RSS)", string.Create(inv, $"{peak / 1048576.0:N0} MiB"));
        Row("wall time", string.Create(inv, $"{WallSeconds:F1} s"));
        if (Resumed) Row("resumed", "yes: an interrupted run was completed (its persisted part was skipped, not counted twice)");
        Row("recovered peers", RecoveredPeers > 0
            ? string.Create(inv, $"{RecoveredPeers:N0} (history recovered from the journal; {NewPeers:N0} new)")
            : string.Create(inv, $"0 (fresh journal; {NewPeers:N0} new)"));
        Row("channels", string.Create(inv, $"{ChannelsOpened:N0} opened, {ChannelsAlreadyOpen:N0} already open"));
        Row("limit blocks", LimitBlocks.Count == 0
            ? $"none ({LimitsSource})"
            : string.Create(inv, $"{LimitRefusals:N0} sessions, not charged to the senders: ")
              + string.Join(", ", LimitBlocks.Select(kv => string.Create(inv, $"{kv.Key}: {kv.Value:N0}"))) + $" ({LimitsSource})");
        Row("spearman(score, throughput)", SpearmanScoreVsThroughput is { } rho
            ? string.Create(inv, $"{rho:F3} over {SpearmanPairs:N0} senders")
            : string.Create(inv, $"undefined ({SpearmanPairs:N0} senders)"));
        sb.AppendLine();
        sb.AppendLine(TopPeersSource == StatsReplaySelector.SourceName
            ? $"Top peers by score ({TopPeersSource})"
            : $"Top peers by score ({TopPeersSource}; {(TopPeersMatchReference ? "same order as" : "DIFFERS from")} the reference ranking of the final stats)");
        sb.Append(inv, $"  {"#",3} {"peer",-36} {"score",7} {"srtt ms",9} {"success",8} {"uptime",7} {"flaps",6} {"ingress bytes",16}").AppendLine();
        var i = 0;
        foreach (var p in TopPeersByScore)
        {
            var up = p.UptimeFraction is { } u ? u.ToString("P1", inv) : "-";
            sb.Append(inv, $"  {++i,3} {p.Id,-36} {p.Score,7:F4} {p.SrttMs,9:F1} {p.SuccessRate,8:P1} {up,7} {p.FlapCount,6} {p.IngressBytes,16:N0}").AppendLine();
        }
        if (Problems.Count > 0)
        {
            sb.AppendLine();
            foreach (var p in Problems)
                sb.Append("!!! ").AppendLine(p);
        }
        return sb.ToString();
    }
}
