using PeerActors.Peers;

namespace PeerActors.Node.Management.Commands;

/// <summary>
/// Shared plumbing of the <c>peer</c> palette: the peer shard region from the ActorRegistry
/// (<see cref="PeerRegionKey"/>) and the Ask timeout. The region routes to the node that hosts the
/// peer, so every command works against any node of the cluster.
/// </summary>
public abstract class PeerCommandBase : ManagementCommandBase
{
    /// <summary>The <c>id</c> argument (peer id) shared by the commands of the palette.</summary>
    protected static readonly ManagementArgument IdArgument = new("id", "Peer id", ManagementArgumentKind.String, Required: true);

    /// <summary>Sets the command's identity.</summary>
    protected PeerCommandBase(ManagementOptions options, string name, string description, params ManagementArgument[] arguments)
        : base("peer", name, description, arguments) => Options = options;

    /// <summary>Endpoint options (Ask timeout).</summary>
    protected ManagementOptions Options { get; }

    /// <summary>The peer shard region, or null when this node does not run the peer actors.</summary>
    protected static IActorRef? Region(ActorSystem system) =>
        ActorRegistry.For(system).TryGet<PeerRegionKey>(out var region) ? region : null;

    /// <summary>Failure returned when the region is missing.</summary>
    protected static CommandResult NoRegion() => CommandResult.Failure(ErrorCodes.Unavailable, "the peer shard region is not running on this node");

    /// <summary>Asks the region; a <see cref="CommandRejected"/> answer becomes <see cref="CommandResult.Failure"/>.</summary>
    protected async Task<(T? Reply, CommandResult? Failure)> AskPeerAsync<T>(ActorSystem system, IPeerMessage message, CancellationToken ct)
        where T : class
    {
        if (Region(system) is not { } region) return (null, NoRegion());
        var reply = await region.Ask<object>(message, Options.AskTimeout, ct).ConfigureAwait(false);
        return reply switch
        {
            T typed => (typed, null),
            CommandRejected rejected => (null, CommandResult.Failure(ErrorCodes.Normalize(rejected.Error), rejected.Message)),
            _ => (null, CommandResult.Failure(ErrorCodes.Internal, $"unexpected reply {reply?.GetType().Name ?? "null"}")),
        };
    }

    /// <summary>Serializes a reply record for the <c>data</c> field.</summary>
    protected static JsonNode? ToJson<T>(T value) => JsonSerializer.SerializeToNode(value, CommandResult.JsonOptions);

}

/// <summary><c>peer show --id X</c>: every statistic and score of one peer (<see cref="GetPeerStats"/>), from any node.</summary>
public sealed class PeerShowCommand : PeerCommandBase
{
    /// <summary>Created by DI.</summary>
    public PeerShowCommand(ManagementOptions options)
        : base(options, "show", "Statistics and scores of one peer (asks its peer actor wherever it runs)", IdArgument) { }

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var id = args.RequireString("id");
        var (reply, failure) = await AskPeerAsync<PeerStatsReply>(system, new GetPeerStats(id), cancellationToken).ConfigureAwait(false);
        if (failure is not null) return failure;
        var r = reply!;
        var s = r.Stats;
        IReadOnlyList<IReadOnlyList<JsonNode?>> rows =
        [
            CommandResult.Row("peer", id),
            CommandResult.Row("requests_sent", s.RequestsSent),
            CommandResult.Row("successes", s.Successes),
            CommandResult.Row("timeouts", s.Timeouts),
            CommandResult.Row("failures", s.Failures),
            CommandResult.Row("success_rate", r.SuccessRate),
            CommandResult.Row("srtt_ms", s.SrttMs),
            CommandResult.Row("rttvar_ms", s.RttvarMs),
            CommandResult.Row("rto_ms", s.RtoMs),
            CommandResult.Row("score", r.Score),
            CommandResult.Row("backed_off", r.IsBackedOff),
            CommandResult.Row("online", r.Online),
            CommandResult.Row("flap_count", r.FlapCount),
            CommandResult.Row("channels", r.ChannelCount),
            CommandResult.Row("ingress_bytes", r.IngressBytes),
            CommandResult.Row("egress_bytes", r.EgressBytes),
            CommandResult.Row("banned_until", r.BannedUntil is { } until
                ? $"{until.ToString("O", CultureInfo.InvariantCulture)}{(until > r.Now ? "" : " (expired)")} ({r.BanReason})"
                : "-"),
            CommandResult.Row("now", r.Now),
        ];
        return CommandResult.Table(["field", "value"], rows, ToJson(r));
    }
}

/// <summary><c>peer forget --id X</c>: erases the peer's history (critical, acknowledged after it is persisted).</summary>
public sealed class PeerForgetCommand : PeerCommandBase
{
    /// <summary>Created by DI.</summary>
    public PeerForgetCommand(ManagementOptions options, TimeProvider? time = null)
        : base(options, "forget", "Erase one peer: its events and snapshots are deleted (critical)", IdArgument) => _time = time ?? TimeProvider.System;

    private readonly TimeProvider _time;

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var id = args.RequireString("id");
        var (ack, failure) = await AskPeerAsync<CommandAck>(system, new Forget(id, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return failure ?? CommandResult.Success(ToJson(ack));
    }
}
