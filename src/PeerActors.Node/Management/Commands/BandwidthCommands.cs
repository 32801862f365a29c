using System.Collections.Concurrent;
using CsvHelper;
using PeerActors.Client;
using PeerActors.Core.Bandwidth;
using PeerActors.Peers;

namespace PeerActors.Node.Management.Commands;

/// <summary>
/// Shared plumbing of the <c>bandwidth</c> palette (SPEC §5): the cluster-wide bytes attributed to each peer.
/// Peer ids come from this node's selector (<see cref="GetTrackedPeers"/>; every node's selector tracks every
/// peer of the cluster), and the bytes from each peer actor's <see cref="GetBandwidth"/> through the peer shard
/// region, at most <see cref="MaxInFlight"/> asks in flight.
/// </summary>
public abstract class BandwidthCommandBase : ManagementCommandBase
{
    /// <summary>Maximum concurrent <see cref="GetBandwidth"/> asks of one command.</summary>
    public const int MaxInFlight = 64;

    /// <summary>Sets the command's identity.</summary>
    protected BandwidthCommandBase(ManagementOptions options, string name, string description, params ManagementArgument[] arguments)
        : base("bandwidth", name, description, arguments) => Options = options;

    /// <summary>Endpoint options (Ask timeout of each call).</summary>
    protected ManagementOptions Options { get; }

    /// <summary>
    /// The bandwidth of every tracked peer, in ordinal peer-id order, or a failure when the selector or the peer
    /// region is not running here or a peer actor refused.
    /// </summary>
    /// <exception cref="AskTimeoutException">The selector or a peer actor did not answer within the Ask timeout.</exception>
    protected async Task<(IReadOnlyList<BandwidthReply>? Peers, CommandResult? Failure)> CollectAsync(ActorSystem system, CancellationToken ct)
    {
        var registry = ActorRegistry.For(system);
        if (!registry.TryGet<SelectorKey>(out var selector))
            return (null, CommandResult.Failure(ErrorCodes.Unavailable, "the selector is not running on this node"));
        if (!registry.TryGet<PeerRegionKey>(out var region))
            return (null, CommandResult.Failure(ErrorCodes.Unavailable, "the peer shard region is not running on this node"));

        var ids = await new SelectorClient(selector, Options.AskTimeout).TrackedPeersAsync(Options.AskTimeout, ct).ConfigureAwait(false);
        var client = new PeerActorsClient(region, askTimeout: Options.AskTimeout);
        var replies = new ConcurrentBag<BandwidthReply>();
        try
        {
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = MaxInFlight, CancellationToken = ct },
                async (id, token) => replies.Add(await client.GetBandwidthAsync(id, token).ConfigureAwait(false))).ConfigureAwait(false);
        }
        catch (PeerCommandRejectedException e)
        {
            return (null, CommandResult.Failure(ErrorCodes.Normalize(e.Rejection.Error), $"{e.Rejection.PeerId}: {e.Rejection.Message}"));
        }
        return (replies.OrderBy(r => r.PeerId, StringComparer.Ordinal).ToArray(), null);
    }

    /// <summary>Invariant text of a byte count.</summary>
    protected static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A 128-bit byte total as a JSON number (decimal holds every value up to 7.9·10^28 exactly).</summary>
    protected static JsonNode Json(Int128 value) => JsonValue.Create((decimal)value);

    /// <summary>A byte count from a peer reply, checked into <see cref="long"/>.</summary>
    /// <exception cref="OverflowException">Above <see cref="long.MaxValue"/> (cannot happen: peer counters saturate there).</exception>
    protected static long Bytes(ulong value) => checked((long)value);
}

/// <summary>
/// <c>bandwidth top [--count N] [--direction ingress|egress]</c>: the peers with the most bytes in one direction
/// (default ingress), cluster-wide, with both directions and their share of the direction's total.
/// Ties are broken by peer id (ordinal).
/// </summary>
public sealed class BandwidthTopCommand : BandwidthCommandBase
{
    /// <summary>Table header.</summary>
    public static readonly IReadOnlyList<string> Columns = ["rank", "peer", "ingress_bytes", "egress_bytes", "share_percent"];

    /// <summary>Created by DI.</summary>
    public BandwidthTopCommand(ManagementOptions options)
        : base(options, "top", "Peers with the most bytes (cluster-wide), ingress (default) or egress",
            new ManagementArgument("count", "N peers (default 10)", ManagementArgumentKind.Int),
            new ManagementArgument("direction", "ingress (default) or egress")) { }

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        int count;
        TrafficDirection direction;
        try
        {
            count = args.GetInt("count", 10, 0);
            direction = ParseDirection(args.GetString("direction"));
        }
        catch (InvalidInputException e)
        {
            return CommandResult.Invalid(e);
        }
        var (peers, failure) = await CollectAsync(system, cancellationToken).ConfigureAwait(false);
        if (failure is not null) return failure;

        Int128 totalIn = 0, totalOut = 0; // 128-bit: Σ over peers of 64-bit counters cannot overflow
        foreach (var p in peers!)
        {
            totalIn += p.IngressBytes;
            totalOut += p.EgressBytes;
        }
        var total = direction == TrafficDirection.Ingress ? totalIn : totalOut;
        ulong Key(BandwidthReply r) => direction == TrafficDirection.Ingress ? r.IngressBytes : r.EgressBytes;
        var top = peers!.OrderByDescending(Key).ThenBy(p => p.PeerId, StringComparer.Ordinal).Take(count).ToArray();

        var rows = top.Select((p, i) => CommandResult.Row(
            i + 1, p.PeerId, Bytes(p.IngressBytes), Bytes(p.EgressBytes),
            total == 0 ? 0.0 : Math.Round(100.0 * Key(p) / (double)total, 2))).ToList();
        var list = new JsonArray();
        foreach (var p in top)
            list.Add(new JsonObject { ["peerId"] = p.PeerId, ["ingressBytes"] = Bytes(p.IngressBytes), ["egressBytes"] = Bytes(p.EgressBytes) });
        var data = new JsonObject
        {
            ["direction"] = direction.ToString().ToLowerInvariant(),
            ["peers"] = list,
            ["peerCount"] = peers!.Count,
            ["totalIngressBytes"] = Json(totalIn),
            ["totalEgressBytes"] = Json(totalOut),
        };
        return CommandResult.Table(Columns, rows, data);
    }

    /// <summary>Parses <c>ingress</c> / <c>egress</c> (case-insensitive); null = ingress.</summary>
    /// <exception cref="InvalidInputException">Anything else (field <c>direction</c>).</exception>
    public static TrafficDirection ParseDirection(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "ingress" or "in" => TrafficDirection.Ingress,
        "egress" or "out" => TrafficDirection.Egress,
        _ => throw new InvalidInputException("direction", $"must be ingress or egress, got '{text}'"),
    };
}

/// <summary>
/// <c>bandwidth export [--format csv|json] [--from ISO] [--to ISO]</c>: bytes per peer and per epoch, cluster-wide
/// (SPEC §5, the reward-oracle export). Rows are the peers' epoch buckets (a folded "older" bucket is one row
/// spanning its epochs) overlapping [from, to), ordered by (epoch start, peer id ordinal). The result's
/// <c>data</c> carries the sums of the rows (<c>ingressBytes</c>, <c>egressBytes</c>) and the peers' all-time totals
/// (<c>totalIngressBytes</c>, <c>totalEgressBytes</c>); without --from/--to both pairs are equal, exactly.
/// CSV (CsvHelper, RFC 4180, header <c>epoch_start,epoch_end,peer_id,ingress_bytes,egress_bytes</c>, instants ISO 8601
/// UTC) is in <c>data.csv</c>; JSON (<see cref="BandwidthExport"/>, camelCase) is in <c>data.export</c>.
/// </summary>
public sealed class BandwidthExportCommand : BandwidthCommandBase
{
    /// <summary>CSV header.</summary>
    public static readonly string[] CsvHeader = ["epoch_start", "epoch_end", "peer_id", "ingress_bytes", "egress_bytes"];

    /// <summary>Created by DI.</summary>
    public BandwidthExportCommand(ManagementOptions options)
        : base(options, "export", "Bytes per peer and per epoch (cluster-wide) as CSV or JSON; sums equal the totals",
            new ManagementArgument("format", "csv (default) or json"),
            new ManagementArgument("from", "Window start, ISO 8601 (inclusive; rows overlapping the window are kept)"),
            new ManagementArgument("to", "Window end, ISO 8601 (exclusive)")) { }

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        string format;
        DateTimeOffset? from, to;
        try
        {
            format = (args.GetString("format") ?? "csv").Trim().ToLowerInvariant();
            if (format is not ("csv" or "json")) throw new InvalidInputException("format", $"must be csv or json, got '{format}'");
            from = ParseInstant(args, "from");
            to = ParseInstant(args, "to");
            if (from is { } f && to is { } t && t < f) throw new InvalidInputException("to", "is before from");
        }
        catch (InvalidInputException e)
        {
            return CommandResult.Invalid(e);
        }

        var (peers, failure) = await CollectAsync(system, cancellationToken).ConfigureAwait(false);
        if (failure is not null) return failure;
        var export = Build(peers!, from, to);
        Int128 totalIn = 0, totalOut = 0; // 128-bit: Σ over peers of 64-bit counters cannot overflow
        foreach (var p in peers!)
        {
            totalIn += p.IngressBytes;
            totalOut += p.EgressBytes;
        }

        var data = new JsonObject
        {
            ["format"] = format,
            ["peerCount"] = peers!.Count,
            ["rowCount"] = export.Rows.Count,
            ["ingressBytes"] = Json(export.IngressBytes),
            ["egressBytes"] = Json(export.EgressBytes),
            ["totalIngressBytes"] = Json(totalIn),
            ["totalEgressBytes"] = Json(totalOut),
        };
        if (from is { } start) data["from"] = start.ToString("O", CultureInfo.InvariantCulture);
        if (to is { } end) data["to"] = end.ToString("O", CultureInfo.InvariantCulture);
        if (format == "csv") data["csv"] = ToCsv(export);
        else data["export"] = JsonSerializer.SerializeToNode(export, CommandResult.JsonOptions);
        return CommandResult.Success(data);
    }

    /// <summary>
    /// The export of <paramref name="peers"/>' epoch buckets overlapping [from, to), ordered by (start, peer id),
    /// with the exact sums of the rows.
    /// </summary>
    public static BandwidthExport Build(IEnumerable<BandwidthReply> peers, DateTimeOffset? from, DateTimeOffset? to)
    {
        ArgumentNullException.ThrowIfNull(peers);
        var rows = peers
            .SelectMany(p => p.Epochs.Select(e => new BandwidthExportRow(e.EpochStart, e.EpochEnd, p.PeerId, Bytes(e.IngressBytes), Bytes(e.EgressBytes))))
            .Where(r => (from is not { } f || r.EpochEnd > f) && (to is not { } t || r.EpochStart < t))
            .OrderBy(r => r.EpochStart)
            .ThenBy(r => r.PeerId, StringComparer.Ordinal)
            .ToArray();
        Int128 sumIn = 0, sumOut = 0;
        foreach (var r in rows)
        {
            sumIn += r.IngressBytes;
            sumOut += r.EgressBytes;
        }
        return new BandwidthExport(from, to, rows, sumIn, sumOut);
    }

    /// <summary>The rows as RFC 4180 CSV (CsvHelper), header <see cref="CsvHeader"/>, instants ISO 8601 UTC.</summary>
    public static string ToCsv(BandwidthExport export)
    {
        ArgumentNullException.ThrowIfNull(export);
        var ci = CultureInfo.InvariantCulture;
        using var text = new StringWriter(ci);
        using (var csv = CsvWriter.Create(text, CsvWriterOptions.Default, leaveOpen: true))
        {
            csv.WriteHeader(CsvHeader);
            foreach (var r in export.Rows)
            {
                csv.WriteRecord(
                [
                    r.EpochStart.UtcDateTime.ToString("O", ci), r.EpochEnd.UtcDateTime.ToString("O", ci), r.PeerId,
                    r.IngressBytes.ToString(ci), r.EgressBytes.ToString(ci),
                ]);
            }
            csv.Flush();
        }
        return text.ToString();
    }

    private static DateTimeOffset? ParseInstant(CommandArguments args, string name)
    {
        var text = args.GetString(name);
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            throw new InvalidInputException(name, $"must be an ISO 8601 instant such as 2024-05-01T00:00:00Z, got '{text}'");
        return value;
    }
}
