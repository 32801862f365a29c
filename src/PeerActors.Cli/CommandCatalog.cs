namespace PeerActors.Cli;

/// <summary>Kind of a CLI parameter's value.</summary>
public enum CliParamKind
{
    /// <summary>Text.</summary>
    String,
    /// <summary>Integer (sent as a JSON number).</summary>
    Int,
    /// <summary>Flag (sent as JSON true when present).</summary>
    Bool,
}

/// <summary>
/// One parameter of a known command. <see cref="Name"/> is the JSON key sent to the node (camelCase); as an
/// option it is spelled in kebab-case (<c>maxChildren</c> → <c>--max-children</c>).
/// </summary>
/// <param name="Name">JSON key.</param>
/// <param name="Description">Help text.</param>
/// <param name="Kind">Value kind.</param>
/// <param name="Positional">True for a positional argument, false for an option.</param>
/// <param name="Required">True when it must be given.</param>
public sealed record CliParam(string Name, string Description, CliParamKind Kind = CliParamKind.String, bool Positional = false, bool Required = false);

/// <summary>A command known to <c>peeractl</c> for help and argument parsing; the node decides whether it exists.</summary>
/// <param name="Path">Palette words then command name, e.g. ["cluster", "sharding", "regions"].</param>
/// <param name="Description">Help text.</param>
/// <param name="Params">Parameters.</param>
public sealed record CliCommandSpec(string[] Path, string Description, params CliParam[] Params);

/// <summary>The statically known palettes (SPEC §9). Commands not listed here are reachable with <c>peeractl exec</c>.</summary>
public static class CommandCatalog
{
    private static CliParam Pos(string name, string description, bool required = true) => new(name, description, CliParamKind.String, true, required);
    private static CliParam Opt(string name, string description, CliParamKind kind = CliParamKind.String, bool required = false) => new(name, description, kind, false, required);

    /// <summary>All known commands.</summary>
    public static IReadOnlyList<CliCommandSpec> Commands { get; } =
    [
        new(["cluster", "show"], "List cluster members (address, status, roles, age, leader, reachable)"),
        new(["cluster", "status"], "This node's address/status, leader, member and unreachable counts"),
        new(["cluster", "leave"], "Gracefully remove a member (default: the node you talk to)", Pos("address", "member address akka.tcp://system@host:port", required: false)),
        new(["cluster", "down"], "Mark a member down", Pos("address", "member address akka.tcp://system@host:port")),
        new(["cluster", "down-unreachable"], "Mark every unreachable member down"),
        new(["cluster", "join"], "Join the node to the cluster of the given seed", Pos("address", "seed address akka.tcp://system@host:port")),
        new(["cluster", "sharding", "regions"], "Entity types and their regions with shard/entity counts", Opt("timeoutMs", "stats timeout (ms)", CliParamKind.Int)),
        new(["cluster", "sharding", "region-stats"], "Shards and entity counts of the node's region of a type",
            Pos("typeName", "entity type name"), Opt("timeoutMs", "timeout (ms)", CliParamKind.Int)),
        new(["actor", "hierarchy"], "Print the actor tree under /user (and /system)",
            Opt("depth", "levels to show", CliParamKind.Int), Opt("system", "include /system", CliParamKind.Bool), Opt("maxChildren", "children listed per actor", CliParamKind.Int)),
        new(["peer", "show"], "Statistics, scores, flap log and bandwidth of one peer", Pos("id", "peer id")),
        new(["peer", "top"], "Top peers as the selector ranks them", Opt("count", "number of peers", CliParamKind.Int), Opt("strategy", "selection strategy (default Weighted)")),
        new(["peer", "forget"], "Forget a peer (explicit, persisted)", Pos("id", "peer id"), Opt("reason", "why")),
        new(["limits", "show"], "Effective limits per scope class (rcmgr; --json for the PartialLimitConfig JSON)"),
        new(["limits", "stat"], "Usage vs limit of a scope (default system and transient), or --list peers|services|protocols",
            Pos("scope", "scope name, e.g. system, transient, peer:<id>, svc:<name>, protocol:<id>", required: false), Opt("list", "peers, services or protocols")),
        new(["limits", "set"], "Change a scope's limit at run time (rcmgr SetLimit; unset keys keep their value)",
            Pos("scope", "scope name"), Pos("limit", "rcmgr limit JSON, e.g. {\"StreamsInbound\":10}")),
        new(["selector", "select"], "Rank peers under a strategy", Opt("strategy", "selection strategy (Weighted, …, UtilityUcb, Throughput)"), Opt("count", "number of peers", CliParamKind.Int),
            Opt("unknownLatencyLast", "LowestLatency: peers without an RTT sample last", CliParamKind.Bool)),
        new(["selector", "summary"], "Selector state summary"),
        new(["bandwidth", "top"], "Top peers by bytes", Opt("count", "number of peers", CliParamKind.Int), Opt("direction", "ingress or egress")),
        new(["bandwidth", "export"], "Bytes per peer and per epoch (sums equal the totals)", Opt("format", "csv or json"),
            Opt("from", "window start (ISO 8601, inclusive)"), Opt("to", "window end (ISO 8601, exclusive)")),
    ];

    /// <summary>camelCase → kebab-case ("maxChildren" → "max-children").</summary>
    public static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i == 0 ? "" : "-") + char.ToLowerInvariant(c) : c.ToString()));
}
