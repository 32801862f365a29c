namespace PeerActors.Node.Management.Commands;

/// <summary>
/// Shared plumbing of the <c>limits</c> palette (SPEC §6): the limit actors' root from the ActorRegistry
/// (<see cref="LimitsKey"/>), a <see cref="LimitsClient"/> on it, and the calls bounded by the endpoint's Ask
/// timeout. The limit actors are per node, so every command reports the node it is sent to.
/// </summary>
public abstract class LimitsCommandBase : ManagementCommandBase
{
    /// <summary>Sets the command's identity.</summary>
    protected LimitsCommandBase(ManagementOptions options, string name, string description, params ManagementArgument[] arguments)
        : base("limits", name, description, arguments) => Options = options;

    /// <summary>Endpoint options (Ask timeout).</summary>
    protected ManagementOptions Options { get; }

    /// <summary>A client of this node's limit actors, or null when they are not running here.</summary>
    protected static LimitsClient? Client(ActorSystem system) =>
        ActorRegistry.For(system).TryGet<LimitsKey>(out var root) ? new LimitsClient(root) : null;

    /// <summary>Failure returned when the limit actors are missing.</summary>
    protected static CommandResult NoLimits() => CommandResult.Failure(ErrorCodes.Unavailable, "the limit actors are not running on this node");

    /// <summary>
    /// Runs one <see cref="LimitsClient"/> call bounded by <see cref="ManagementOptions.AskTimeout"/>; a refusal or
    /// failure becomes the returned <see cref="CommandResult.Failure"/> (<c>field: message</c>).
    /// </summary>
    /// <exception cref="TimeoutException">The limit actors did not answer within the Ask timeout.</exception>
    protected async Task<(T? Value, CommandResult? Failure)> CallAsync<T>(Func<CancellationToken, Task<LimitsResult<T>>> call, CancellationToken ct)
        where T : class
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(Options.AskTimeout);
        LimitsResult<T> r;
        try
        {
            r = await call(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"the limit actors did not answer within {Options.AskTimeout.TotalSeconds:0.###} s");
        }
        if (r.Value is { } v) return (v, null);
        if (r.Refused is { } refused) return (null, CommandResult.Failure(ErrorCodes.LimitExceeded, refused.Message));
        return (null, r.Failure is { } f ? CommandResult.Failure(ErrorCodes.InvalidInput, $"{f.Field}: {f.Message}") : CommandResult.Failure(ErrorCodes.Internal, "no reply"));
    }

    /// <summary>A count limit as text: <c>unlimited</c> for <see cref="int.MaxValue"/>, <c>blockAll</c> for 0.</summary>
    protected static string Limit(int value) => value switch
    {
        int.MaxValue => "unlimited",
        0 => "blockAll",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A memory limit as text: <c>unlimited</c> for <see cref="long.MaxValue"/>, <c>blockAll</c> for 0.</summary>
    protected static string Limit(long value) => value switch
    {
        long.MaxValue => "unlimited",
        0 => "blockAll",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The text of an <see cref="InvalidInputException"/> as <c>field: reason</c>, without the
    /// <c>(Parameter '…')</c> suffix <see cref="ArgumentException"/> appends.
    /// </summary>
    public static string Describe(InvalidInputException e) => $"{e.Field}: {Reason(e)}";

    /// <summary>The reason of an <see cref="InvalidInputException"/> without its field prefix and parameter suffix.</summary>
    public static string Reason(InvalidInputException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = e.Message;
        var suffix = $" (Parameter '{e.ParamName}')";
        if (e.ParamName is not null && text.EndsWith(suffix, StringComparison.Ordinal)) text = text[..^suffix.Length];
        var prefix = e.Field + ": ";
        return text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;
    }

    /// <summary>A <see cref="BaseLimit"/> in rcmgr's JSON form (default values never occur: every value is concrete).</summary>
    protected static JsonNode? LimitJson(BaseLimit limit) => JsonNode.Parse(LimitConfigJson.Write(limit.ToResourceLimits()));

    /// <summary>A <see cref="ScopeStat"/> as JSON (rcmgr field names).</summary>
    protected static JsonObject StatJson(ScopeStat s) => new()
    {
        ["Memory"] = s.Memory,
        ["NumStreamsInbound"] = s.NumStreamsInbound,
        ["NumStreamsOutbound"] = s.NumStreamsOutbound,
        ["NumConnsInbound"] = s.NumConnsInbound,
        ["NumConnsOutbound"] = s.NumConnsOutbound,
        ["NumFD"] = s.NumFD,
    };
}

/// <summary>
/// <c>limits show</c>: the limits in force on this node per scope class (<see cref="LimitsClient.GetLimitsAsync"/>),
/// one row per class (System, Transient, the allowlisted pair, the *Default classes, Conn, Stream) and one per
/// explicitly configured service / protocol / peer. <c>data</c> is the full rcmgr <c>PartialLimitConfig</c> JSON of
/// the concrete limits (every value explicit, <c>"unlimited"</c>/<c>"blockAll"</c> for the special values), so
/// <c>peeractl --json limits show</c> can be fed back as a limits file.
/// </summary>
public sealed class LimitsShowCommand : LimitsCommandBase
{
    /// <summary>Table header.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["scope", "streams", "streams_in", "streams_out", "conns", "conns_in", "conns_out", "fd", "memory", "source"];

    /// <summary>Created by DI.</summary>
    public LimitsShowCommand(ManagementOptions options)
        : base(options, "show", "Effective limits per scope class on this node with where each comes from (default/file/set); --json for the full PartialLimitConfig JSON, --sources for the layers",
            new ManagementArgument("sources", "data = {limits, sources, file, set, setFile} instead of the PartialLimitConfig", ManagementArgumentKind.Bool)) { }

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        if (Client(system) is not { } client) return NoLimits();
        var (reply, failure) = await CallAsync(client.GetLimitsAsync, cancellationToken).ConfigureAwait(false);
        if (failure is not null) return failure;
        var l = reply!.Limits;
        var layers = reply.Layers;
        IReadOnlyList<string?> Row(string scope, BaseLimit b, string? configKey = null, string? mapKey = null) => RowOf(layers, scope, b, configKey, mapKey);
        IEnumerable<IReadOnlyList<string?>> Keyed(string cls, IReadOnlyDictionary<string, BaseLimit> map) =>
            map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => Row($"{cls}[{kv.Key}]", kv.Value, cls, kv.Key));
        var rows = new List<IReadOnlyList<string?>>
        {
            Row("System", l.System), Row("Transient", l.Transient),
            Row("AllowlistedSystem", l.AllowlistedSystem), Row("AllowlistedTransient", l.AllowlistedTransient),
            Row("ServiceDefault", l.ServiceDefault),
        };
        rows.AddRange(Keyed("Service", l.Service));
        rows.Add(Row("ServicePeerDefault", l.ServicePeerDefault));
        rows.AddRange(Keyed("ServicePeer", l.ServicePeer));
        rows.Add(Row("ProtocolDefault", l.ProtocolDefault));
        rows.AddRange(Keyed("Protocol", l.Protocol));
        rows.Add(Row("ProtocolPeerDefault", l.ProtocolPeerDefault));
        rows.AddRange(Keyed("ProtocolPeer", l.ProtocolPeer));
        rows.Add(Row("PeerDefault", l.PeerDefault));
        rows.AddRange(Keyed("Peer", l.Peer));
        rows.Add(Row("Conn", l.Conn));
        rows.Add(Row("Stream", l.Stream));
        if (args.GetBool("sources"))
            return CommandResult.Table(Columns, rows, new JsonObject
            {
                ["limits"] = JsonNode.Parse(l.ToPartialLimitConfig().ToJson()),
                ["sources"] = SourcesJson(rows),
                ["file"] = reply.Layers is null ? null : JsonNode.Parse(reply.Layers.File.ToJson()),
                ["set"] = reply.Layers is null ? null : JsonNode.Parse(reply.Layers.Set.ToJson()),
                ["setFile"] = reply.SetFile,
            });
        return CommandResult.Table(Columns, rows, JsonNode.Parse(l.ToPartialLimitConfig().ToJson()));
    }

    private static IReadOnlyList<string?> RowOf(LimitLayers? layers, string scope, BaseLimit b, string? configKey, string? mapKey) =>
    [
        scope, Limit(b.Streams), Limit(b.StreamsInbound), Limit(b.StreamsOutbound), Limit(b.Conns),
        Limit(b.ConnsInbound), Limit(b.ConnsOutbound), Limit(b.FD), Limit(b.Memory), Source(layers, configKey ?? scope, mapKey),
    ];

    /// <summary>
    /// Where the row's values come from: <c>default</c> when every value is the scaled default, else the fields per layer,
    /// e.g. <c>set:StreamsInbound,Memory file:Conns</c>.
    /// </summary>
    private static string Source(LimitLayers? layers, string configKey, string? mapKey)
    {
        if (layers is null) return "?";
        var sources = layers.SourcesOf(configKey, mapKey);
        var parts = new[] { LimitSource.Set, LimitSource.File }
            .Select(src => (src, fields: sources.Where(kv => kv.Value == src).Select(kv => kv.Key).ToList()))
            .Where(x => x.fields.Count > 0)
            .Select(x => $"{(x.src == LimitSource.Set ? "set" : "file")}:{string.Join(',', x.fields)}")
            .ToList();
        return parts.Count == 0 ? "default" : string.Join(' ', parts);
    }

    private static JsonObject SourcesJson(List<IReadOnlyList<string?>> rows)
    {
        var o = new JsonObject();
        foreach (var r in rows) o[r[0]!] = r[9];
        return o;
    }
}

/// <summary>
/// <c>limits stat [scope]</c>: usage against limit per resource (rcmgr <c>ResourceScopeViewer</c>) of
/// <c>system</c> and <c>transient</c> (default) or of any named scope (<c>peer:ID</c>, <c>svc:NAME</c>,
/// <c>protocol:ID</c>, <c>svc:NAME.peer:ID</c>, <c>protocol:ID.peer:ID</c>, <c>allowlistedSystem</c>, …). A keyed scope
/// that is not live reports zero usage and the limit it would get. <c>limits stat --list peers|services|protocols</c>
/// lists the live scopes of that kind with their usage.
/// </summary>
public sealed class LimitsStatCommand : LimitsCommandBase
{
    /// <summary>Header of the usage table.</summary>
    public static readonly IReadOnlyList<string> UsageColumns = ["scope", "resource", "used", "limit"];

    /// <summary>Header of the <c>--list</c> table.</summary>
    public static readonly IReadOnlyList<string> ListColumns =
        ["scope", "memory", "streams_in", "streams_out", "conns_in", "conns_out", "fd"];

    /// <summary>Created by DI.</summary>
    public LimitsStatCommand(ManagementOptions options)
        : base(options, "stat", "Usage vs limit per resource of a scope (default system and transient), or --list peers|services|protocols",
            new ManagementArgument("scope", "Scope name: system, transient, allowlistedSystem, allowlistedTransient, svc:NAME, protocol:ID, peer:ID, svc:NAME.peer:ID, protocol:ID.peer:ID"),
            new ManagementArgument("list", "peers, services or protocols: list the live scopes of that kind")) { }

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var scope = args.GetString("scope");
        var list = args.GetString("list");
        if (scope is not null && list is not null) return CommandResult.Failure(ErrorCodes.InvalidInput, "list: give either a scope or --list, not both");
        if (Client(system) is not { } client) return NoLimits();
        try
        {
            return list is not null
                ? await ListAsync(client, list.Trim().ToLowerInvariant(), cancellationToken).ConfigureAwait(false)
                : await StatAsync(client, string.IsNullOrWhiteSpace(scope) ? ["system", "transient"] : [scope.Trim()], cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidInputException e)
        {
            return CommandResult.Invalid(e);
        }
    }

    private async Task<CommandResult> StatAsync(LimitsClient client, string[] scopes, CancellationToken ct)
    {
        var rows = new List<IReadOnlyList<JsonNode?>>();
        var data = new JsonArray();
        foreach (var name in scopes)
        {
            var (reply, failure) = await CallAsync(t => client.StatAsync(name, t), ct).ConfigureAwait(false);
            if (failure is not null) return failure;
            var (s, l) = (reply!.Stat, reply.Limit);
            var n = reply.Scope;
            rows.Add(CommandResult.Row(n, "streams_in", s.NumStreamsInbound, LimitCell(Limit(l.StreamsInbound))));
            rows.Add(CommandResult.Row(n, "streams_out", s.NumStreamsOutbound, LimitCell(Limit(l.StreamsOutbound))));
            rows.Add(CommandResult.Row(n, "streams", (long)s.NumStreamsInbound + s.NumStreamsOutbound, LimitCell(Limit(l.Streams))));
            rows.Add(CommandResult.Row(n, "conns_in", s.NumConnsInbound, LimitCell(Limit(l.ConnsInbound))));
            rows.Add(CommandResult.Row(n, "conns_out", s.NumConnsOutbound, LimitCell(Limit(l.ConnsOutbound))));
            rows.Add(CommandResult.Row(n, "conns", (long)s.NumConnsInbound + s.NumConnsOutbound, LimitCell(Limit(l.Conns))));
            rows.Add(CommandResult.Row(n, "fd", s.NumFD, LimitCell(Limit(l.FD))));
            rows.Add(CommandResult.Row(n, "memory", s.Memory, LimitCell(Limit(l.Memory))));
            var entry = new JsonObject { ["scope"] = n, ["stat"] = StatJson(s), ["limit"] = LimitJson(l) };
            if (n.StartsWith("peer:", StringComparison.Ordinal))
            {
                // Why this peer has its limit: explicit Peer[ID], PeerDefault, the reputation policy, a ban.
                var (why, whyFailure) = await CallAsync(t => client.ExplainPeerLimitAsync(n[5..], null, t), ct).ConfigureAwait(false);
                if (whyFailure is not null) return whyFailure;
                rows.Add(CommandResult.Row(n, "why", why!.BannedUntil is null ? "" : "banned", why.Why));
                entry["why"] = why.Why;
                entry["bannedUntil"] = why.BannedUntil?.ToString("O", CultureInfo.InvariantCulture);
                entry["reputationPolicy"] = why.PolicyEnabled;
            }
            data.Add(entry);
        }
        return CommandResult.Table(UsageColumns, rows, data);
    }

    private async Task<CommandResult> ListAsync(LimitsClient client, string kind, CancellationToken ct)
    {
        var (prefix, call) = kind switch
        {
            "peers" or "peer" => ("peer:", (Func<CancellationToken, Task<LimitsResult<ScopeList>>>)client.ListPeersAsync),
            "services" or "service" or "svc" => ("svc:", client.ListServicesAsync),
            "protocols" or "protocol" => ("protocol:", client.ListProtocolsAsync),
            _ => throw new InvalidInputException("list", $"must be peers, services or protocols, got '{kind}'"),
        };
        var (reply, failure) = await CallAsync(call, ct).ConfigureAwait(false);
        if (failure is not null) return failure;
        var rows = new List<IReadOnlyList<JsonNode?>>();
        var data = new JsonObject();
        foreach (var (key, s) in reply!.Scopes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            rows.Add(CommandResult.Row(prefix + key, s.Memory, s.NumStreamsInbound, s.NumStreamsOutbound, s.NumConnsInbound, s.NumConnsOutbound, s.NumFD));
            data[key] = StatJson(s);
        }
        return CommandResult.Table(ListColumns, rows, data);
    }

    /// <summary>A limit cell: a JSON number for a concrete limit, the text <c>unlimited</c> / <c>blockAll</c> otherwise.</summary>
    private static object LimitCell(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : text;
}

/// <summary>
/// <c>limits set &lt;scope&gt; &lt;json&gt;</c>: changes a scope's limit at run time (rcmgr <c>SetLimit</c>) and persists the
/// change (critical: written atomically to <c>&lt;data-dir&gt;/limits-set.json</c> before the reply; reapplied at start over
/// <c>config/limits.json</c>). Scopes: <c>system</c>, <c>transient</c>, <c>allowlistedSystem</c>,
/// <c>allowlistedTransient</c>, <c>svc:NAME</c>, <c>protocol:ID</c>, <c>peer:ID</c> (an unknown kind or a path-like
/// name is refused naming the scope). The JSON is one rcmgr limit object read as rcmgr reads it: each of Streams,
/// StreamsInbound, StreamsOutbound, Conns, ConnsInbound, ConnsOutbound, FD, Memory is a whole number ≥ 0 (an explicit 0
/// blocks all), <c>"unlimited"</c>, <c>"blockAll"</c>, or <c>"default"</c> (drops the run-time value: the file's or the
/// scaled default is back). Negative numbers are refused (<c>limit.StreamsInbound: must be a whole number ≥ 0 …</c>).
/// Keys left out keep their value. Usage above the new limit is kept (rcmgr).
/// </summary>
public sealed class LimitsSetCommand : LimitsCommandBase
{
    /// <summary>Created by DI.</summary>
    public LimitsSetCommand(ManagementOptions options)
        : base(options, "set", "Change a scope's limit at run time (rcmgr SetLimit), persisted in the data directory; unset keys keep the current value",
            new ManagementArgument("scope", "Scope name: system, transient, allowlistedSystem, allowlistedTransient, svc:NAME, protocol:ID, peer:ID", Required: true),
            new ManagementArgument("limit", "rcmgr limit object, e.g. {\"StreamsInbound\":10,\"Memory\":\"unlimited\"}; values ≥ 0, \"unlimited\", \"blockAll\", \"default\"", Required: true)) { }

    /// <inheritdoc />
    public override async Task<CommandResult> ExecuteAsync(CommandArguments args, ActorSystem system, CancellationToken cancellationToken)
    {
        var scope = args.RequireString("scope").Trim();
        LimitChange change;
        try
        {
            LimitScopeName.Parse(scope);
            change = LimitConfigJson.ParseChange(LimitText(args));
        }
        catch (InvalidInputException e)
        {
            return CommandResult.Invalid(e);
        }
        if (Client(system) is not { } client) return NoLimits();
        var (changed, failure) = await CallAsync(t => client.ChangeLimitAsync(scope, change, t), cancellationToken).ConfigureAwait(false);
        if (failure is not null) return failure;
        return CommandResult.Success(new JsonObject
        {
            ["scope"] = scope,
            ["previous"] = LimitJson(changed!.Previous),
            ["limit"] = LimitJson(changed.Limit),
            ["persistedTo"] = changed.PersistedTo,
        });
    }

    /// <summary>The <c>limit</c> argument as JSON text (a string argument, or an object sent as JSON).</summary>
    private static string LimitText(CommandArguments args)
    {
        if (!args.Raw.TryGetPropertyValue("limit", out var node) || node is null)
            throw new InvalidInputException("limit", "argument 'limit' is required (an rcmgr limit object, e.g. {\"StreamsInbound\":10})");
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node.ToJsonString();
    }

    /// <summary>
    /// Parses one rcmgr limit object strictly (<see cref="LimitConfigJson.ParseChange"/>); the values it sets
    /// (<c>"default"</c> reads as default, i.e. "keep"); errors name the field as <c>limit</c> or <c>limit.KEY</c>.
    /// </summary>
    /// <exception cref="InvalidInputException">Malformed JSON, not an object, an unknown key or a bad value.</exception>
    public static ResourceLimits ParseLimit(string json) => LimitConfigJson.ParseChange(json).Values;
}
