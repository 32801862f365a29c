using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PeerActors.Core.ResourceManager;

/// <summary>
/// rcmgr's <c>PartialLimitConfig</c> JSON format, read and written with System.Text.Json.
/// <list type="bullet">
/// <item>Top-level keys: System, Transient, AllowlistedSystem, AllowlistedTransient, ServiceDefault, Service{},
/// ServicePeerDefault, ServicePeer{}, ProtocolDefault, Protocol{}, ProtocolPeerDefault, ProtocolPeer{},
/// PeerDefault, Peer{}, Conn, Stream. Maps are objects keyed by service name / protocol id / peer id.</item>
/// <item>Each limit object has Streams, StreamsInbound, StreamsOutbound, Conns, ConnsInbound, ConnsOutbound, FD
/// (numbers) and Memory (a string, since it is 64-bit; a number is also accepted on read).</item>
/// <item>Every value may also be <c>"default"</c>, <c>"unlimited"</c> or <c>"blockAll"</c>; an explicit 0 reads as
/// blockAll, −1 as unlimited, −2 as blockAll (rcmgr's constants).</item>
/// <item>Key names are matched case-insensitively on read (as Go's encoding/json does); unknown keys are rejected
/// (stricter than rcmgr, so that typos do not pass silently).</item>
/// <item>On write, default values, all-default limit objects and empty maps are omitted; map keys are sorted.</item>
/// </list>
/// </summary>
public static class LimitConfigJson
{
    private static readonly string[] CountKeys =
        ["Streams", "StreamsInbound", "StreamsOutbound", "Conns", "ConnsInbound", "ConnsOutbound", "FD"];

    private static readonly string[] ScopeKeys =
    [
        "System", "Transient", "AllowlistedSystem", "AllowlistedTransient", "ServiceDefault", "Service",
        "ServicePeerDefault", "ServicePeer", "ProtocolDefault", "Protocol", "ProtocolPeerDefault", "ProtocolPeer",
        "PeerDefault", "Peer", "Conn", "Stream",
    ];

    /// <summary>Parses a partial limit config.</summary>
    /// <exception cref="InvalidInputException">
    /// Malformed JSON (<c>Field</c> = <c>$</c>) or an invalid key or value (<c>Field</c> = key path such as
    /// <c>System.ConnsInbound</c> or <c>Peer["QmX"].Memory</c>).
    /// </exception>
    public static PartialLimitConfig Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false }); // a repeated key is an error, not "last wins"
        }
        catch (JsonException e)
        {
            throw new InvalidInputException("$", $"malformed JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {e.Message}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidInputException("$", $"must be a JSON object, got {root.ValueKind}");
            var cfg = new PartialLimitConfig();
            foreach (var prop in root.EnumerateObject())
            {
                string key = Canonical(prop.Name, ScopeKeys)
                             ?? throw new InvalidInputException(prop.Name, "unknown key; expected one of " + string.Join(", ", ScopeKeys));
                var v = prop.Value;
                switch (key)
                {
                    case "System": cfg.System = ReadLimits(v, key); break;
                    case "Transient": cfg.Transient = ReadLimits(v, key); break;
                    case "AllowlistedSystem": cfg.AllowlistedSystem = ReadLimits(v, key); break;
                    case "AllowlistedTransient": cfg.AllowlistedTransient = ReadLimits(v, key); break;
                    case "ServiceDefault": cfg.ServiceDefault = ReadLimits(v, key); break;
                    case "Service": cfg.Service = ReadMap(v, key); break;
                    case "ServicePeerDefault": cfg.ServicePeerDefault = ReadLimits(v, key); break;
                    case "ServicePeer": cfg.ServicePeer = ReadMap(v, key); break;
                    case "ProtocolDefault": cfg.ProtocolDefault = ReadLimits(v, key); break;
                    case "Protocol": cfg.Protocol = ReadMap(v, key); break;
                    case "ProtocolPeerDefault": cfg.ProtocolPeerDefault = ReadLimits(v, key); break;
                    case "ProtocolPeer": cfg.ProtocolPeer = ReadMap(v, key); break;
                    case "PeerDefault": cfg.PeerDefault = ReadLimits(v, key); break;
                    case "Peer": cfg.Peer = ReadMap(v, key); break;
                    case "Conn": cfg.Conn = ReadLimits(v, key); break;
                    case "Stream": cfg.Stream = ReadLimits(v, key); break;
                }
            }

            return cfg;
        }
    }

    /// <summary>
    /// Parses one limit object as a run-time change (<c>limits set</c>), strictly in rcmgr's reading: each value is a
    /// whole number ≥ 0 (an explicit 0 blocks all, as rcmgr's <c>LimitVal.UnmarshalJSON</c>), <c>"unlimited"</c>,
    /// <c>"blockAll"</c> or <c>"default"</c> (a reset, see <see cref="LimitChange"/>); Memory may also be a decimal
    /// string (rcmgr writes it so). Negative numbers are refused: −1/−2 are rcmgr's in-memory constants, not input.
    /// </summary>
    /// <param name="json">The object, e.g. <c>{"StreamsInbound": 10, "Memory": "unlimited"}</c>.</param>
    /// <param name="field">Prefix of the field named in errors (<c>limit</c> → <c>limit.StreamsInbound</c>).</param>
    /// <exception cref="InvalidInputException">Malformed JSON or not an object (<c>Field</c> = <paramref name="field"/>), an
    /// unknown key or a bad value (<c>Field</c> = <c>limit.KEY</c>).</exception>
    public static LimitChange ParseChange(string json, string field = "limit")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(field, $"malformed JSON at byte {e.BytePositionInLine + 1}: {e.Message}");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidInputException(field, $"must be a JSON object of limits, got {doc.RootElement.ValueKind}");
            var values = new ResourceLimits();
            var reset = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                string? key = Canonical(p.Name, CountKeys) ?? (string.Equals(p.Name, "Memory", StringComparison.OrdinalIgnoreCase) ? "Memory" : null);
                string f = $"{field}.{key ?? p.Name}";
                if (key is null)
                    throw new InvalidInputException(f, "unknown limit; expected Streams, StreamsInbound, StreamsOutbound, Conns, ConnsInbound, ConnsOutbound, FD or Memory");
                long raw = StrictValue(p.Value, f, key == "Memory");
                if (raw == 0)
                {
                    reset.Add(key);
                    continue;
                }

                values = LimitLayers.WithRaw(values, key, raw);
            }

            return new LimitChange(values, reset);
        }
    }

    private const string StrictHelp = "must be a whole number ≥ 0 or \"unlimited\", \"blockAll\" or \"default\"";

    /// <summary>A strict value as a raw <see cref="LimitVal"/> (0 = "default", i.e. a reset).</summary>
    private static long StrictValue(JsonElement e, string field, bool memory)
    {
        long n;
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
            {
                string s = e.GetString()!;
                if (Special(s) is { } sp) return sp;
                if (!memory || !long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out n))
                    throw new InvalidInputException(field, $"{StrictHelp}, got \"{s}\"");
                break;
            }

            case JsonValueKind.Number:
                if (!e.TryGetInt64(out n))
                    throw new InvalidInputException(field, $"{StrictHelp}, got {e.GetRawText()}");
                if (n < 0)
                    throw new InvalidInputException(field, $"{StrictHelp}, got {n} (negative numbers are not limits: write \"unlimited\" or \"blockAll\")");
                break;
            default:
                throw new InvalidInputException(field, $"{StrictHelp}, got {e.ValueKind}");
        }

        if (!memory && n > int.MaxValue)
            throw new InvalidInputException(field, $"must be at most {int.MaxValue} (use \"unlimited\"), got {n}");
        return n == 0 ? -2 : n; // rcmgr: an explicit 0 blocks all
    }

    /// <summary>Serialises <paramref name="cfg"/>; output of the README's noisy-neighbour config matches rcmgr's.</summary>
    public static string Write(PartialLimitConfig cfg, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(cfg);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions
               {
                   Indented = indented,
                   Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
               }))
        {
            w.WriteStartObject();
            WriteLimits(w, "System", cfg.System);
            WriteLimits(w, "Transient", cfg.Transient);
            WriteLimits(w, "AllowlistedSystem", cfg.AllowlistedSystem);
            WriteLimits(w, "AllowlistedTransient", cfg.AllowlistedTransient);
            WriteLimits(w, "ServiceDefault", cfg.ServiceDefault);
            WriteMap(w, "Service", cfg.Service);
            WriteLimits(w, "ServicePeerDefault", cfg.ServicePeerDefault);
            WriteMap(w, "ServicePeer", cfg.ServicePeer);
            WriteLimits(w, "ProtocolDefault", cfg.ProtocolDefault);
            WriteMap(w, "Protocol", cfg.Protocol);
            WriteLimits(w, "ProtocolPeerDefault", cfg.ProtocolPeerDefault);
            WriteMap(w, "ProtocolPeer", cfg.ProtocolPeer);
            WriteLimits(w, "PeerDefault", cfg.PeerDefault);
            WriteMap(w, "Peer", cfg.Peer);
            WriteLimits(w, "Conn", cfg.Conn);
            WriteLimits(w, "Stream", cfg.Stream);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Serialises one limit object (default values omitted), e.g. <c>{"StreamsInbound":10,"Memory":"unlimited"}</c>.</summary>
    public static string Write(ResourceLimits limits)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
            WriteLimitsBody(w, limits);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static string? Canonical(string name, string[] keys)
    {
        foreach (var k in keys)
            if (string.Equals(k, name, StringComparison.OrdinalIgnoreCase))
                return k;
        return null;
    }

    private static Dictionary<string, ResourceLimits> ReadMap(JsonElement e, string path)
    {
        var map = new Dictionary<string, ResourceLimits>(StringComparer.Ordinal);
        if (e.ValueKind == JsonValueKind.Null)
            return map;
        if (e.ValueKind != JsonValueKind.Object)
            throw new InvalidInputException(path, $"must be an object mapping names to limits, got {e.ValueKind}");
        foreach (var p in e.EnumerateObject())
        {
            string itemPath = $"{path}[\"{p.Name}\"]";
            if (p.Name.Length == 0)
                throw new InvalidInputException(itemPath, "key must not be empty");
            map[p.Name] = ReadLimits(p.Value, itemPath);
        }

        return map;
    }

    private static ResourceLimits ReadLimits(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Null)
            return default;
        if (e.ValueKind != JsonValueKind.Object)
            throw new InvalidInputException(path, $"must be an object of limits, got {e.ValueKind}");
        var l = new ResourceLimits();
        foreach (var p in e.EnumerateObject())
        {
            string? key = Canonical(p.Name, CountKeys) ?? (string.Equals(p.Name, "Memory", StringComparison.OrdinalIgnoreCase) ? "Memory" : null);
            string field = $"{path}.{key ?? p.Name}";
            switch (key)
            {
                case null:
                    throw new InvalidInputException(field, "unknown limit; expected Streams, StreamsInbound, StreamsOutbound, Conns, ConnsInbound, ConnsOutbound, FD or Memory");
                case "Streams": l = l with { Streams = ReadCount(p.Value, field) }; break;
                case "StreamsInbound": l = l with { StreamsInbound = ReadCount(p.Value, field) }; break;
                case "StreamsOutbound": l = l with { StreamsOutbound = ReadCount(p.Value, field) }; break;
                case "Conns": l = l with { Conns = ReadCount(p.Value, field) }; break;
                case "ConnsInbound": l = l with { ConnsInbound = ReadCount(p.Value, field) }; break;
                case "ConnsOutbound": l = l with { ConnsOutbound = ReadCount(p.Value, field) }; break;
                case "FD": l = l with { FD = ReadCount(p.Value, field) }; break;
                case "Memory": l = l with { Memory = ReadMemory(p.Value, field) }; break;
            }
        }

        return l;
    }

    private const string SpecialHelp = "must be a number or \"default\", \"unlimited\" or \"blockAll\"";

    private static long? Special(string s) => s switch
    {
        "default" => 0,
        "unlimited" => -1,
        "blockAll" => -2,
        _ => null,
    };

    private static long FromNumber(long n, string field)
    {
        if (n == 0) return -2; // rcmgr: an explicit 0 means block all
        if (n < -2) throw new InvalidInputException(field, $"{SpecialHelp}; negative limit {n} is not allowed");
        return n; // -1 unlimited, -2 blockAll, or a positive limit
    }

    private static LimitVal ReadCount(JsonElement e, string field)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Null:
                return LimitVal.Default;
            case JsonValueKind.String:
                return Special(e.GetString()!) is { } s
                    ? new LimitVal((int)s)
                    : throw new InvalidInputException(field, $"{SpecialHelp}, got \"{e.GetString()}\"");
            case JsonValueKind.Number:
                if (!e.TryGetInt64(out long n))
                    throw new InvalidInputException(field, $"must be a whole number, got {e.GetRawText()}");
                if (n > int.MaxValue)
                    throw new InvalidInputException(field, $"must be at most {int.MaxValue} (use \"unlimited\"), got {n}");
                return new LimitVal((int)FromNumber(n, field));
            default:
                throw new InvalidInputException(field, $"{SpecialHelp}, got {e.ValueKind}");
        }
    }

    private static LimitVal64 ReadMemory(JsonElement e, string field)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Null:
                return LimitVal64.Default;
            case JsonValueKind.String:
            {
                string s = e.GetString()!;
                if (Special(s) is { } sp) return new LimitVal64(sp);
                if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
                    throw new InvalidInputException(field, $"must be a whole number of bytes (as a string) or \"default\", \"unlimited\" or \"blockAll\", got \"{s}\"");
                return new LimitVal64(FromNumber(n, field));
            }

            case JsonValueKind.Number:
                if (!e.TryGetInt64(out long m))
                    throw new InvalidInputException(field, $"must be a whole number of bytes, got {e.GetRawText()}");
                return new LimitVal64(FromNumber(m, field));
            default:
                throw new InvalidInputException(field, $"{SpecialHelp}, got {e.ValueKind}");
        }
    }

    private static void WriteLimits(Utf8JsonWriter w, string name, ResourceLimits l)
    {
        if (l.IsDefault) return;
        w.WritePropertyName(name);
        WriteLimitsBody(w, l);
    }

    private static void WriteMap(Utf8JsonWriter w, string name, Dictionary<string, ResourceLimits>? map)
    {
        if (map is null || map.Count == 0) return;
        w.WritePropertyName(name);
        w.WriteStartObject();
        foreach (var key in map.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            w.WritePropertyName(key);
            WriteLimitsBody(w, map[key]);
        }

        w.WriteEndObject();
    }

    private static void WriteLimitsBody(Utf8JsonWriter w, ResourceLimits l)
    {
        w.WriteStartObject();
        WriteCount(w, "Streams", l.Streams);
        WriteCount(w, "StreamsInbound", l.StreamsInbound);
        WriteCount(w, "StreamsOutbound", l.StreamsOutbound);
        WriteCount(w, "Conns", l.Conns);
        WriteCount(w, "ConnsInbound", l.ConnsInbound);
        WriteCount(w, "ConnsOutbound", l.ConnsOutbound);
        WriteCount(w, "FD", l.FD);
        if (!l.Memory.IsDefault)
            w.WriteString("Memory", l.Memory.ToString());
        w.WriteEndObject();
    }

    private static void WriteCount(Utf8JsonWriter w, string name, LimitVal v)
    {
        switch (v.Value)
        {
            case 0: return;
            case -1: w.WriteString(name, "unlimited"); break;
            case -2: w.WriteString(name, "blockAll"); break;
            default: w.WriteNumber(name, v.Value); break;
        }
    }
}
