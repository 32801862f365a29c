namespace PeerActors.Node.Management.Commands;

/// <summary><c>selector select</c>: ranked peers from this node's selector (SPEC §3), with scores and inputs.</summary>
public sealed class SelectorSelectCommand : ManagementCommandBase
{
    private readonly ManagementOptions _options;

    /// <summary>Created by DI.</summary>
    public SelectorSelectCommand(ManagementOptions options)
        : base("selector", "select", "Ranked peers from this node's selector (SPEC §3 strategies)",
            new ManagementArgument("strategy", "Weighted (default), RoundRobin, Random, LowestLatency, HighestSuccessRate, TitForTat, UtilityUcb, Throughput"),
            new ManagementArgument("count", "N peers (default 10)", ManagementArgumentKind.Int),
            new ManagementArgument("fairness", "Fairness on/off (default true)", ManagementArgumentKind.Bool),
            new ManagementArgument("paymentWeight", "w in [0,1] (default 0)", ManagementArgumentKind.Number),
            new ManagementArgument("paymentDefaultThreshold", "Exclude peers with at least this many payment defaults (0 = off)", ManagementArgumentKind.Int),
            new ManagementArgument("exclude", "Comma-separated peer ids never returned"),
            new ManagementArgument("protocol", "Only peers serving this protocol"),
            new ManagementArgument("service", "Only peers serving this service"),
            new ManagementArgument("seed", "Seed of the Random strategy", ManagementArgumentKind.Int),
            new ManagementArgument("unknownLatencyLast", "LowestLatency: peers without an RTT sample last (default false: first, as the reference)", ManagementArgumentKind.Bool)) => _options = options;

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        if (!ActorRegistry.For(system).TryGet<SelectorKey>(out var selector))
            return CommandResult.Failure(ErrorCodes.Unavailable, "the selector is not running on this node");
        SelectPeers query;
        try
        {
            var strategyText = args.GetString("strategy", nameof(SelectionStrategy.Weighted))!;
            if (!Enum.TryParse<SelectionStrategy>(strategyText, ignoreCase: true, out var strategy) || !Enum.IsDefined(strategy))
                throw new InvalidInputException("strategy", $"unknown strategy '{strategyText}' (expected one of {string.Join(", ", Enum.GetNames<SelectionStrategy>())})");
            var w = args.Raw.TryGetPropertyValue("paymentWeight", out var node) && node is not null
                ? node.GetValueKind() == JsonValueKind.Number ? node.GetValue<double>() : double.Parse(node.ToString(), CultureInfo.InvariantCulture)
                : 0;
            query = new SelectPeers(strategy, args.GetInt("count", 10, 0), args.GetBool("fairness", true), w,
                (ulong)args.GetInt("paymentDefaultThreshold", 0, 0),
                args.GetString("exclude")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                args.GetString("protocol"), args.GetString("service"), args.Has("seed") ? args.GetInt("seed", 0) : null,
                UnknownLatencyLast: args.GetBool("unknownLatencyLast", false));
        }
        catch (InvalidInputException e)
        {
            return CommandResult.Invalid(e);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return CommandResult.Failure(ErrorCodes.InvalidInput, e.Message);
        }
        try
        {
            var reply = await new SelectorClient(selector, _options.AskTimeout).SelectAsync(query, cancellationToken).ConfigureAwait(false);
            var rows = reply.Peers.Select((p, i) => CommandResult.Row(
                i + 1, p.PeerId, p.Score, p.Inputs.BaseScore, p.Inputs.SuccessRate,
                p.Inputs.SrttMs, p.Inputs.RequestsSent, p.Inputs.PaymentMultiplier, p.Inputs.PaymentBoost)).ToList();
            return CommandResult.Table(["rank", "peer", "score", "base", "success_rate", "srtt_ms", "requests", "pay_mult", "pay_boost"], rows,
                JsonSerializer.SerializeToNode(reply, CommandResult.JsonOptions));
        }
        catch (InvalidInputException e)
        {
            return CommandResult.Invalid(e);
        }
    }
}

/// <summary><c>selector summary</c>: the SPEC §3 summary of this node's selector.</summary>
public sealed class SelectorSummaryCommand : ManagementCommandBase
{
    private readonly ManagementOptions _options;

    /// <summary>Created by DI.</summary>
    public SelectorSummaryCommand(ManagementOptions options)
        : base("selector", "summary", "peer_count, totals, backed-off count, mean SRTT, overall success rate of this node's selector") => _options = options;

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        if (!ActorRegistry.For(system).TryGet<SelectorKey>(out var selector))
            return CommandResult.Failure(ErrorCodes.Unavailable, "the selector is not running on this node");
        var s = await new SelectorClient(selector, _options.AskTimeout).SummaryAsync(null, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<IReadOnlyList<System.Text.Json.Nodes.JsonNode?>> rows =
        [
            CommandResult.Row("peer_count", s.PeerCount), CommandResult.Row("total_requests", s.TotalRequests),
            CommandResult.Row("total_successes", s.TotalSuccesses), CommandResult.Row("total_timeouts", s.TotalTimeouts),
            CommandResult.Row("backed_off_count", s.BackedOffCount), CommandResult.Row("avg_rtt_ms", s.AvgRttMs),
            CommandResult.Row("overall_success_rate", s.OverallSuccessRate),
        ];
        return CommandResult.Table(["field", "value"], rows, JsonSerializer.SerializeToNode(s, CommandResult.JsonOptions));
    }
}
