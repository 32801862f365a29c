namespace PeerActors.Core.ResourceManager;

/// <summary>Where a limit value comes from (<c>peeractl limits show</c>).</summary>
public enum LimitSource
{
    /// <summary>rcmgr's <c>DefaultLimits</c> auto-scaled to this machine.</summary>
    Default,
    /// <summary>The limits file (<c>config/limits.json</c>, rcmgr <c>PartialLimitConfig</c>).</summary>
    File,
    /// <summary>A run-time change (<c>limits set</c>), persisted in the data directory.</summary>
    Set,
}

/// <summary>The kind of a scope whose limit can be configured (and so persisted) by name.</summary>
public enum LimitScopeKind
{
    /// <summary><c>system</c>.</summary>
    System,
    /// <summary><c>transient</c>.</summary>
    Transient,
    /// <summary><c>allowlistedSystem</c>.</summary>
    AllowlistedSystem,
    /// <summary><c>allowlistedTransient</c>.</summary>
    AllowlistedTransient,
    /// <summary><c>svc:NAME</c>.</summary>
    Service,
    /// <summary><c>protocol:ID</c>.</summary>
    Protocol,
    /// <summary><c>peer:ID</c>.</summary>
    Peer,
}

/// <summary>
/// A scope name whose limit is a key of rcmgr's <c>PartialLimitConfig</c> (<c>System</c>, <c>Transient</c>, the
/// allowlisted pair, <c>Service[NAME]</c>, <c>Protocol[ID]</c>, <c>Peer[ID]</c>), so a run-time change to it can be
/// written as configuration. Live-only scopes (<c>svc:NAME.peer:ID</c>, <c>protocol:ID.peer:ID</c>, <c>conn-N</c>,
/// <c>stream-N</c>, spans) have no configuration key; <see cref="IsLiveOnly"/> recognises them.
/// </summary>
/// <param name="Kind">Scope kind.</param>
/// <param name="Key">Service name / protocol id / peer id; null for the four root scopes.</param>
public readonly record struct LimitScopeName(LimitScopeKind Kind, string? Key)
{
    /// <summary>The scope name, e.g. <c>peer:QmX</c>.</summary>
    public override string ToString() => Kind switch
    {
        LimitScopeKind.System => "system",
        LimitScopeKind.Transient => "transient",
        LimitScopeKind.AllowlistedSystem => "allowlistedSystem",
        LimitScopeKind.AllowlistedTransient => "allowlistedTransient",
        LimitScopeKind.Service => "svc:" + Key,
        LimitScopeKind.Protocol => "protocol:" + Key,
        _ => "peer:" + Key,
    };

    /// <summary>The <c>PartialLimitConfig</c> key and map key, e.g. (<c>Peer</c>, <c>QmX</c>) or (<c>System</c>, null).</summary>
    public (string ConfigKey, string? MapKey) ConfigKey => Kind switch
    {
        LimitScopeKind.System => ("System", null),
        LimitScopeKind.Transient => ("Transient", null),
        LimitScopeKind.AllowlistedSystem => ("AllowlistedSystem", null),
        LimitScopeKind.AllowlistedTransient => ("AllowlistedTransient", null),
        LimitScopeKind.Service => ("Service", Key),
        LimitScopeKind.Protocol => ("Protocol", Key),
        _ => ("Peer", Key),
    };

    /// <summary>What a scope name may be, for error messages.</summary>
    public const string Expected =
        "expected system, transient, allowlistedSystem, allowlistedTransient, svc:NAME, protocol:ID or peer:ID " +
        "(live scopes only: svc:NAME.peer:ID, protocol:ID.peer:ID, conn-N)";

    /// <summary>True for a name of a live-only scope (sub-scope, connection, stream or span): it has no configuration key.</summary>
    public static bool IsLiveOnly(string name) =>
        name.StartsWith("conn-", StringComparison.Ordinal) || name.StartsWith("stream-", StringComparison.Ordinal)
        || ((name.StartsWith("svc:", StringComparison.Ordinal) || name.StartsWith("protocol:", StringComparison.Ordinal))
            && name.Contains(".peer:", StringComparison.Ordinal))
        || name.Contains(".span-", StringComparison.Ordinal);

    /// <summary>
    /// Parses a configurable scope name. Names (service, protocol, peer) must be 1–256 printable characters without
    /// white space and must not look like a path: no <c>.</c> or <c>..</c> segment, no backslash, and no <c>/</c> in
    /// service names and peer ids.
    /// </summary>
    /// <param name="name">The scope name.</param>
    /// <param name="field">Field named in errors.</param>
    /// <exception cref="InvalidInputException">Unknown scope kind, a live-only scope, or a bad or path-like name.</exception>
    public static LimitScopeName Parse(string? name, string field = "scope")
    {
        switch (name)
        {
            case "system": return new(LimitScopeKind.System, null);
            case "transient": return new(LimitScopeKind.Transient, null);
            case "allowlistedSystem": return new(LimitScopeKind.AllowlistedSystem, null);
            case "allowlistedTransient": return new(LimitScopeKind.AllowlistedTransient, null);
            case null or "": throw new InvalidInputException(field, "a scope name is required; " + Expected);
        }

        if (IsLiveOnly(name))
            throw new InvalidInputException(field, $"{name}: a live-only scope has no configuration key; {Expected}");
        int colon = name.IndexOf(':');
        string kind = colon < 0 ? name : name[..colon];
        var k = kind switch
        {
            "svc" => LimitScopeKind.Service,
            "protocol" => LimitScopeKind.Protocol,
            "peer" => LimitScopeKind.Peer,
            _ => throw new InvalidInputException(field, $"{name}: unknown scope kind '{kind}'; {Expected}"),
        };
        string key = name[(colon + 1)..];
        if (PeerId.Validate(key) is { } error) throw new InvalidInputException(field, $"{name}: {error}");
        if (key.Contains('\\') || key.Split('/').Any(seg => seg is "." or "..")
            || (k != LimitScopeKind.Protocol && key.Contains('/')))
            throw new InvalidInputException(field, $"{name}: path-like names are not scope names");
        return new(k, key);
    }
}

/// <summary>
/// A run-time limit change (<c>limits set SCOPE JSON</c>): the values it sets and the fields it resets. Read with
/// rcmgr's reading of a limit object (<see cref="LimitConfigJson.ParseChange"/>): a number ≥ 0 (an explicit 0 blocks
/// all), <c>"unlimited"</c>, <c>"blockAll"</c>, or <c>"default"</c> (drop the run-time value: the field falls back to the
/// limits file, else the scaled default). Fields not named keep their value.
/// </summary>
/// <param name="Values">Fields set (default = not set).</param>
/// <param name="Reset">Fields given as <c>"default"</c> (names as in rcmgr: Streams, …, Memory).</param>
public sealed record LimitChange(ResourceLimits Values, IReadOnlySet<string> Reset)
{
    /// <summary>Every field of a concrete limit set explicitly (the run-time <c>SetLimit</c> of a whole <see cref="BaseLimit"/>).</summary>
    public static LimitChange Of(BaseLimit limit) => new(limit.ToResourceLimits(), new HashSet<string>());
}

/// <summary>
/// The three layers of this node's limits, lowest precedence first: rcmgr's scaled <see cref="Defaults"/>, the limits
/// <see cref="File"/> and the run-time changes <see cref="Set"/> (both rcmgr <c>PartialLimitConfig</c>). The limits in
/// force are <c>Set.Build(File.Build(Defaults))</c> (rcmgr's <c>PartialLimitConfig.Build</c>, twice), and every value can
/// say which layer it came from (<see cref="SourceOf"/>). Immutable: a change returns new layers.
/// </summary>
public sealed class LimitLayers
{
    /// <summary>Field names of a limit object, rcmgr order.</summary>
    public static readonly IReadOnlyList<string> Fields =
        ["Streams", "StreamsInbound", "StreamsOutbound", "Conns", "ConnsInbound", "ConnsOutbound", "FD", "Memory"];

    /// <summary>Creates the layers.</summary>
    public LimitLayers(ConcreteLimitConfig defaults, PartialLimitConfig? file = null, PartialLimitConfig? set = null)
    {
        Defaults = defaults ?? throw new ArgumentNullException(nameof(defaults));
        File = file ?? new PartialLimitConfig();
        Set = set ?? new PartialLimitConfig();
        Effective = Set.Build(File.Build(Defaults));
    }

    /// <summary>Scaled defaults.</summary>
    public ConcreteLimitConfig Defaults { get; }

    /// <summary>The limits file (empty when there is none). Do not mutate.</summary>
    public PartialLimitConfig File { get; }

    /// <summary>Run-time changes (empty when none). Do not mutate.</summary>
    public PartialLimitConfig Set { get; }

    /// <summary>The limits in force.</summary>
    public ConcreteLimitConfig Effective { get; }

    /// <summary>The limit in force of a configurable scope.</summary>
    public BaseLimit LimitOf(LimitScopeName scope) => scope.Kind switch
    {
        LimitScopeKind.System => Effective.System,
        LimitScopeKind.Transient => Effective.Transient,
        LimitScopeKind.AllowlistedSystem => Effective.AllowlistedSystem,
        LimitScopeKind.AllowlistedTransient => Effective.AllowlistedTransient,
        LimitScopeKind.Service => Effective.GetServiceLimits(scope.Key!),
        LimitScopeKind.Protocol => Effective.GetProtocolLimits(scope.Key!),
        _ => Effective.GetPeerLimits(scope.Key!),
    };

    /// <summary>New layers with <paramref name="change"/> applied to the run-time layer of <paramref name="scope"/>.</summary>
    public LimitLayers With(LimitScopeName scope, LimitChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var set = PartialLimitConfig.FromJson(Set.ToJson()); // deep copy
        var (key, mapKey) = scope.ConfigKey;
        var current = Get(set, key, mapKey) ?? default;
        foreach (var f in Fields)
        {
            if (change.Reset.Contains(f)) current = WithRaw(current, f, 0);
            long v = Raw(change.Values, f);
            if (v != 0) current = WithRaw(current, f, v);
        }

        Put(set, key, mapKey, current);
        return new LimitLayers(Defaults, File, set);
    }

    /// <summary>
    /// Where the value of <paramref name="field"/> of config key <paramref name="configKey"/> (map entry
    /// <paramref name="mapKey"/>, or null) comes from: the run-time layer, else the file, else — for a map entry — the
    /// class default it inherits (<c>PeerDefault</c> for <c>Peer[ID]</c>, …), else the scaled defaults.
    /// </summary>
    public LimitSource SourceOf(string configKey, string? mapKey, string field)
    {
        if (Get(Set, configKey, mapKey) is { } s && Raw(s, field) != 0) return LimitSource.Set;
        if (Get(File, configKey, mapKey) is { } f && Raw(f, field) != 0) return LimitSource.File;
        if (mapKey is not null && !DefaultsHas(configKey, mapKey)) return SourceOf(configKey + "Default", null, field);
        return LimitSource.Default;
    }

    /// <summary>Sources of every field of a config key (see <see cref="SourceOf"/>).</summary>
    public IReadOnlyDictionary<string, LimitSource> SourcesOf(string configKey, string? mapKey) =>
        Fields.ToDictionary(f => f, f => SourceOf(configKey, mapKey, f), StringComparer.Ordinal);

    private bool DefaultsHas(string configKey, string mapKey) => configKey switch
    {
        "Service" => Defaults.Service.ContainsKey(mapKey),
        "ServicePeer" => Defaults.ServicePeer.ContainsKey(mapKey),
        "Protocol" => Defaults.Protocol.ContainsKey(mapKey),
        "ProtocolPeer" => Defaults.ProtocolPeer.ContainsKey(mapKey),
        "Peer" => Defaults.Peer.ContainsKey(mapKey),
        _ => false,
    };

    private static ResourceLimits? Get(PartialLimitConfig p, string key, string? mapKey)
    {
        if (mapKey is not null)
        {
            var map = Map(p, key);
            return map is not null && map.TryGetValue(mapKey, out var l) ? l : null;
        }

        return key switch
        {
            "System" => p.System,
            "Transient" => p.Transient,
            "AllowlistedSystem" => p.AllowlistedSystem,
            "AllowlistedTransient" => p.AllowlistedTransient,
            "ServiceDefault" => p.ServiceDefault,
            "ServicePeerDefault" => p.ServicePeerDefault,
            "ProtocolDefault" => p.ProtocolDefault,
            "ProtocolPeerDefault" => p.ProtocolPeerDefault,
            "PeerDefault" => p.PeerDefault,
            "Conn" => p.Conn,
            "Stream" => p.Stream,
            _ => null,
        };
    }

    private static Dictionary<string, ResourceLimits>? Map(PartialLimitConfig p, string key) => key switch
    {
        "Service" => p.Service,
        "ServicePeer" => p.ServicePeer,
        "Protocol" => p.Protocol,
        "ProtocolPeer" => p.ProtocolPeer,
        "Peer" => p.Peer,
        _ => null,
    };

    private static void Put(PartialLimitConfig p, string key, string? mapKey, ResourceLimits l)
    {
        if (mapKey is not null)
        {
            var map = Map(p, key)!;
            if (l.IsDefault) map.Remove(mapKey);
            else map[mapKey] = l;
            return;
        }

        switch (key)
        {
            case "System": p.System = l; break;
            case "Transient": p.Transient = l; break;
            case "AllowlistedSystem": p.AllowlistedSystem = l; break;
            case "AllowlistedTransient": p.AllowlistedTransient = l; break;
        }
    }

    /// <summary>The raw value (0 default, −1 unlimited, −2 blockAll, else the limit) of a field.</summary>
    public static long Raw(ResourceLimits l, string field) => field switch
    {
        "Streams" => l.Streams.Value,
        "StreamsInbound" => l.StreamsInbound.Value,
        "StreamsOutbound" => l.StreamsOutbound.Value,
        "Conns" => l.Conns.Value,
        "ConnsInbound" => l.ConnsInbound.Value,
        "ConnsOutbound" => l.ConnsOutbound.Value,
        "FD" => l.FD.Value,
        "Memory" => l.Memory.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "unknown limit field"),
    };

    /// <summary><paramref name="l"/> with <paramref name="field"/> set to the raw value <paramref name="v"/> (see <see cref="Raw"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="field"/> is not a limit field.</exception>
    internal static ResourceLimits WithRaw(ResourceLimits l, string field, long v) => field switch
    {
        "Streams" => l with { Streams = new LimitVal((int)v) },
        "StreamsInbound" => l with { StreamsInbound = new LimitVal((int)v) },
        "StreamsOutbound" => l with { StreamsOutbound = new LimitVal((int)v) },
        "Conns" => l with { Conns = new LimitVal((int)v) },
        "ConnsInbound" => l with { ConnsInbound = new LimitVal((int)v) },
        "ConnsOutbound" => l with { ConnsOutbound = new LimitVal((int)v) },
        "FD" => l with { FD = new LimitVal((int)v) },
        "Memory" => l with { Memory = new LimitVal64(v) },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "unknown limit field"),
    };
}
