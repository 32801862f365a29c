namespace PeerActors.Node.Management.Commands;

/// <summary>
/// <c>peer top [--count N] [--strategy S]</c>: the best peers as this node's selector ranks them
/// (<see cref="SelectorClient.SelectAsync"/>, SPEC §3), with id, score, SRTT, success rate, requests sent and
/// whether the peer is backed off. Fairness is off: this is a ranking for operators, not a selection. When every
/// peer is backed off, the selector's fallback order (soonest-expiring back-off first) is shown.
/// </summary>
public sealed class PeerTopCommand : PeerCommandBase
{
    /// <summary>Table header.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["rank", "peer", "score", "srtt_ms", "success_rate", "requests", "backed_off"];

    /// <summary>Created by DI.</summary>
    public PeerTopCommand(ManagementOptions options)
        : base(options, "top", "Top peers as the selector ranks them (score, SRTT, success rate, requests, backed off)",
            new ManagementArgument("count", "N peers (default 10)", ManagementArgumentKind.Int),
            new ManagementArgument("strategy", "Weighted (default), LowestLatency, HighestSuccessRate, TitForTat, UtilityUcb, Throughput, RoundRobin, Random")) { }

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var count = args.GetInt("count", 10, 0, 10_000);
        var strategyText = args.GetString("strategy", nameof(SelectionStrategy.Weighted))!.Trim();
        if (!Enum.TryParse<SelectionStrategy>(strategyText, ignoreCase: true, out var strategy) || !Enum.IsDefined(strategy)
            || int.TryParse(strategyText, out _))
        {
            throw new InvalidInputException("strategy", $"unknown strategy '{strategyText}' (expected one of {string.Join(", ", Enum.GetNames<SelectionStrategy>())})");
        }
        if (!ActorRegistry.For(system).TryGet<SelectorKey>(out var selector))
            return CommandResult.Failure(ErrorCodes.Unavailable, "the selector is not running on this node");

        SelectPeersReply reply;
        try
        {
            reply = await new SelectorClient(selector, Options.AskTimeout)
                .SelectAsync(new SelectPeers(strategy, count, Fairness: false), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidInputException e)
        {
            return CommandResult.Invalid(e);
        }
        var rows = reply.Peers.Select((p, i) => CommandResult.Row(
            i + 1, p.PeerId, p.Score, p.Inputs.SrttMs, p.Inputs.SuccessRate,
            p.Inputs.RequestsSent, p.Inputs.BackoffRemaining > TimeSpan.Zero)).ToList();
        return CommandResult.Table(Columns, rows, JsonSerializer.SerializeToNode(reply, CommandResult.JsonOptions));
    }
}
