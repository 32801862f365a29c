using PeerActors.Peers;

namespace PeerActors.Node.Management.Commands;

/// <summary>
/// <c>peer ban ID --for 1h | --until 2025-03-01T13:00:00Z --reason TEXT</c>: bans a peer (critical: acknowledged after
/// its <c>peer-banned.v1</c> event is persisted). While the ban lasts (observation clock: the node's clock for a ban
/// made here) the peer is refused at its <c>peer:ID</c> limit scope on every node and excluded from selection.
/// </summary>
public sealed class PeerBanCommand : PeerCommandBase
{
    private readonly TimeProvider _time;

    /// <summary>Created by DI.</summary>
    public PeerBanCommand(ManagementOptions options, TimeProvider? time = null)
        : base(options, "ban", "Ban a peer until an instant or for a duration (critical, persisted): refused by the limits, never selected",
            IdArgument,
            new ManagementArgument("for", "Duration, e.g. 30m, 1h, 7d (HOCON duration)"),
            new ManagementArgument("until", "End instant, ISO 8601 (e.g. 2025-03-01T13:00:00Z)"),
            new ManagementArgument("reason", "Why (shown in refusals and peer bans)", Required: true)) => _time = time ?? TimeProvider.System;

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var id = args.RequireString("id");
        var forText = args.GetString("for");
        var untilText = args.GetString("until");
        TimeSpan? duration = null;
        DateTimeOffset? until = null;
        if (forText is not null)
        {
            if (!HoconDuration.TryParse(forText, out var d))
                return CommandResult.Failure(ErrorCodes.InvalidInput, $"for: expected a duration such as 30m, 1h, 7d, got '{forText}'");
            duration = d;
        }
        if (untilText is not null)
        {
            if (!DateTimeOffset.TryParse(untilText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var u))
                return CommandResult.Failure(ErrorCodes.InvalidInput, $"until: expected an ISO 8601 instant, got '{untilText}'");
            until = u;
        }
        var ban = new Ban(id, until, duration, args.GetString("reason") ?? "", _time.GetUtcNow());
        var (ack, failure) = await AskPeerAsync<CommandAck>(system, ban, cancellationToken).ConfigureAwait(false);
        return failure ?? CommandResult.Success(ToJson(ack));
    }
}

/// <summary><c>peer unban ID</c>: lifts a peer's ban (critical; idempotent).</summary>
public sealed class PeerUnbanCommand : PeerCommandBase
{
    private readonly TimeProvider _time;

    /// <summary>Created by DI.</summary>
    public PeerUnbanCommand(ManagementOptions options, TimeProvider? time = null)
        : base(options, "unban", "Lift a peer's ban (critical, persisted; idempotent)", IdArgument) => _time = time ?? TimeProvider.System;

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var id = args.RequireString("id");
        var (ack, failure) = await AskPeerAsync<CommandAck>(system, new Unban(id, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        return failure ?? CommandResult.Success(ToJson(ack));
    }
}

/// <summary>
/// <c>peer bans [--all]</c>: the peers banned now (cluster-wide: from this node's selector, which every peer actor
/// publishes to), with expiry, time left and reason; <c>--all</c> also lists expired bans.
/// </summary>
public sealed class PeerBansCommand : PeerCommandBase
{
    /// <summary>Table header.</summary>
    public static readonly IReadOnlyList<string> Columns = ["peer", "until", "remaining", "reason", "active"];

    private readonly TimeProvider _time;

    /// <summary>Created by DI.</summary>
    public PeerBansCommand(ManagementOptions options, TimeProvider? time = null)
        : base(options, "bans", "Banned peers with expiry and reason (from the selector; --all includes expired bans)",
            new ManagementArgument("all", "Also list expired bans", ManagementArgumentKind.Bool)) => _time = time ?? TimeProvider.System;

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        if (!ActorRegistry.For(system).TryGet<SelectorKey>(out var selector))
            return CommandResult.Failure(ErrorCodes.Unavailable, "the selector is not running on this node");
        var now = _time.GetUtcNow();
        var reply = await selector.Ask<BansReply>(new GetBans(now, args.GetBool("all")), Options.AskTimeout, cancellationToken).ConfigureAwait(false);
        var rows = reply.Bans.Select(b => (IReadOnlyList<string?>)
        [
            b.PeerId, b.Until.ToString("O", CultureInfo.InvariantCulture),
            (b.Active ? b.Until - reply.Now : TimeSpan.Zero).ToString("c", CultureInfo.InvariantCulture), b.Reason, b.Active ? "yes" : "no",
        ]).ToList();
        return CommandResult.Table(Columns, rows, ToJson(reply));
    }
}
