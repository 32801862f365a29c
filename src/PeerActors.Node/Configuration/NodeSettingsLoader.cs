using System.Collections;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Akka.Configuration;
using PeerActors.Node.Replay;

namespace PeerActors.Node.Configuration;

/// <summary>
/// Loads and validates <see cref="NodeSettings"/>. Precedence, lowest first:
/// <list type="number">
/// <item><c>hocon.conf</c> in the configuration root (<see cref="ConfigRootLocator"/>);</item>
/// <item>the overlay: <c>--config</c>, else <c>PEERACTORS_CONFIG</c>, else <c>embedded</c>
/// (<c>embedded</c> / <c>cluster</c> = <c>config/&lt;name&gt;.conf</c>; anything else = a path to a <c>.conf</c> file);</item>
/// <item>environment variables <c>PEERACTORS_&lt;KEY&gt;</c> (see <see cref="EnvironmentVariableToKey"/>);</item>
/// <item>command-line flags (<see cref="NodeOverrides"/>).</item>
/// </list>
/// Environment variables and flags may only set keys that exist in <c>hocon.conf</c>. Every bad value
/// throws <see cref="NodeConfigurationException"/> naming the key and where the value came from.
/// </summary>
public static partial class NodeSettingsLoader
{
    /// <summary>Prefix of the environment variables that override configuration keys.</summary>
    public const string EnvironmentPrefix = "PEERACTORS_";

    /// <summary>Environment variable selecting the overlay (like <c>--config</c>).</summary>
    public const string OverlayVariable = "PEERACTORS_CONFIG";

    /// <summary>The overlay used when none is given.</summary>
    public const string DefaultOverlay = "embedded";

    /// <summary>Command-line flag → configuration key.</summary>
    public static readonly IReadOnlyDictionary<string, string> FlagKeys = new Dictionary<string, string>
    {
        ["--data-dir"] = "peeractors.data-dir",
        ["--hostname"] = "peeractors.node.hostname",
        ["--port"] = "peeractors.node.port",
        ["--seed"] = "peeractors.node.seed-nodes",
        ["--role"] = "peeractors.node.role",
        ["--connection-string"] = "peeractors.persistence.connection-string",
        ["--endpoint"] = "peeractors.management.endpoint",
        ["--token"] = "peeractors.management.token",
    };

    /// <summary>Loads the settings of this process: real environment variables, configuration root located automatically.</summary>
    /// <param name="flags">Command-line values.</param>
    /// <returns>Validated settings.</returns>
    /// <exception cref="NodeConfigurationException">A value is missing or invalid.</exception>
    public static NodeSettings LoadForProcess(NodeOverrides flags) => Load(flags, ProcessEnvironment());

    /// <summary>Snapshot of the process environment variables.</summary>
    /// <returns>Name → value.</returns>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            result[(string)e.Key] = e.Value as string;
        return result;
    }

    /// <summary>
    /// Maps an environment variable to a configuration key: strip <c>PEERACTORS_</c>, split path
    /// segments on <c>__</c>, turn the remaining <c>_</c> into <c>-</c>, lower-case, prefix
    /// <c>peeractors.</c>. Example: <c>PEERACTORS_PERSISTENCE__FLUSH_INTERVAL</c> →
    /// <c>peeractors.persistence.flush-interval</c>; <c>PEERACTORS_DATA_DIR</c> → <c>peeractors.data-dir</c>.
    /// </summary>
    /// <param name="variable">The variable name.</param>
    /// <returns>The key, or <c>null</c> when the variable is not an override (wrong prefix,
    /// <c>PEERACTORS_CONFIG</c>, <c>PEERACTORS_HOME</c>).</returns>
    public static string? EnvironmentVariableToKey(string variable)
    {
        if (!variable.StartsWith(EnvironmentPrefix, StringComparison.Ordinal)
            || variable is OverlayVariable or ConfigRootLocator.HomeVariable
            || variable.Length == EnvironmentPrefix.Length)
            return null;
        var segments = variable[EnvironmentPrefix.Length..].Split("__")
            .Select(s => s.Replace('_', '-').ToLowerInvariant());
        return "peeractors." + string.Join('.', segments);
    }

    /// <summary>Loads and validates the settings.</summary>
    /// <param name="flags">Command-line values (highest precedence).</param>
    /// <param name="environment">Environment variables.</param>
    /// <param name="configRoot">Directory holding <c>hocon.conf</c>; <c>null</c> = <see cref="ConfigRootLocator.Locate"/>.</param>
    /// <returns>Validated settings.</returns>
    /// <exception cref="NodeConfigurationException">A value is missing or invalid; the message starts with the key.</exception>
    public static NodeSettings Load(NodeOverrides flags, IReadOnlyDictionary<string, string?> environment, string? configRoot = null)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(environment);
        var root = Path.GetFullPath(configRoot ?? ConfigRootLocator.Locate(environment));
        var basePath = Path.Combine(root, ConfigRootLocator.BaseFileName);
        if (!File.Exists(basePath))
            throw new NodeConfigurationException(ConfigRootLocator.BaseFileName, $"not found at {basePath}.");
        var baseConfig = ParseFile(basePath, ConfigRootLocator.BaseFileName);

        var (overlayName, overlayPath) = ResolveOverlay(root, flags, environment);
        var overlayLabel = Path.GetRelativePath(root, overlayPath);
        var overlayConfig = ParseFile(overlayPath, overlayLabel);
        foreach (var key in LeafKeys(overlayConfig, "peeractors"))
        {
            if (!baseConfig.HasPath(key))
                throw new NodeConfigurationException(key, $"unknown configuration key in overlay {overlayLabel} (misspelt?); keys must exist in hocon.conf.");
        }

        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var envOverrides = new List<(string Key, string Source, object Value)>();
        foreach (var (name, value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (EnvironmentVariableToKey(name) is not { } key || value is null)
                continue;
            var source = $"environment variable {name}";
            var isList = RequireLeafKey(baseConfig, key, name);
            envOverrides.Add((key, source, isList ? SplitList(value) : value));
        }

        var flagOverrides = new List<(string Key, string Source, object Value)>();
        void Flag(string flag, object? value)
        {
            if (value is null) return;
            flagOverrides.Add((FlagKeys[flag], flag, value));
        }
        Flag("--data-dir", flags.DataDir);
        Flag("--hostname", flags.Hostname);
        Flag("--port", flags.Port?.ToString(CultureInfo.InvariantCulture));
        Flag("--seed", flags.Seeds is { Count: > 0 } seeds ? seeds : null);
        Flag("--role", flags.Role);
        Flag("--connection-string", flags.ConnectionString);
        Flag("--endpoint", flags.Endpoint);
        Flag("--token", flags.Token);
        foreach (var pair in flags.Set ?? [])
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
                throw new NodeConfigurationException("--set", $"expected key=value, got '{pair}'.");
            var key = pair[..eq].Trim();
            var isList = RequireLeafKey(baseConfig, key, "--set");
            flagOverrides.Add((key, "--set", isList ? SplitList(pair[(eq + 1)..]) : pair[(eq + 1)..]));
        }

        var merged = overlayConfig.WithFallback(baseConfig);
        foreach (var layer in new[] { envOverrides, flagOverrides })
        {
            if (layer.Count == 0) continue;
            merged = ToConfig(layer).WithFallback(merged);
            foreach (var (key, source, _) in layer)
                sources[key] = source;
        }

        var reader = new Reader(merged, key => sources.TryGetValue(key, out var s) ? s
            : overlayConfig.HasPath(key) ? overlayLabel : ConfigRootLocator.BaseFileName);
        return Map(reader, root, overlayName, merged);
    }

    private static NodeSettings Map(Reader r, string root, string overlay, Config merged)
    {
        var dataDirRaw = r.String("peeractors.data-dir");
        string dataDir;
        try
        {
            dataDir = Path.GetFullPath(dataDirRaw);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw r.Invalid("peeractors.data-dir", $"not a valid directory path ({e.Message}).");
        }

        var systemName = r.String("peeractors.node.system-name");
        if (!SystemNamePattern().IsMatch(systemName))
            throw r.Invalid("peeractors.node.system-name", "must start with a letter or digit and contain only letters, digits, '-' and '_'.");

        var hostname = r.String("peeractors.node.hostname");
        if (hostname.Any(char.IsWhiteSpace))
            throw r.Invalid("peeractors.node.hostname", "must not contain whitespace.");
        var port = r.Int("peeractors.node.port", 0, 65535);

        var seeds = r.List("peeractors.node.seed-nodes");
        foreach (var seed in seeds)
        {
            Address address;
            try
            {
                address = Address.Parse(seed);
            }
            catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
            {
                throw r.Invalid("peeractors.node.seed-nodes", $"'{seed}' is not an Akka address like akka.tcp://{systemName}@127.0.0.1:4053.");
            }
            if (address.Host is null || address.Port is null or < 1 or > 65535)
                throw r.Invalid("peeractors.node.seed-nodes", $"'{seed}' needs a host and a port 1-65535.");
            if (address.System != systemName)
                throw r.Invalid("peeractors.node.seed-nodes", $"'{seed}' names system '{address.System}' but peeractors.node.system-name is '{systemName}'.");
        }

        var role = r.String("peeractors.node.role");
        if (role.Any(char.IsWhiteSpace))
            throw r.Invalid("peeractors.node.role", "must not contain whitespace.");
        var shardingRole = r.String("peeractors.sharding.role");
        if (shardingRole.Any(char.IsWhiteSpace))
            throw r.Invalid("peeractors.sharding.role", "must not contain whitespace.");

        var provider = r.String("peeractors.persistence.provider").ToLowerInvariant() switch
        {
            "sqlite" => PersistenceProvider.Sqlite,
            "postgresql" or "postgres" => PersistenceProvider.PostgreSql,
            _ => throw r.Invalid("peeractors.persistence.provider", "expected 'sqlite' or 'postgresql'."),
        };
        var connectionString = r.String("peeractors.persistence.connection-string", allowEmpty: true);
        if (connectionString.Length == 0)
        {
            connectionString = provider == PersistenceProvider.Sqlite
                ? $"Data Source={Path.Combine(dataDir, "peeractors.db")}"
                : throw r.Invalid("peeractors.persistence.connection-string", "is required when peeractors.persistence.provider = postgresql.");
        }
        else if (ConnectionStrings.Check(provider, connectionString, dataDir) is { } connectionProblem)
        {
            throw r.InvalidSecret("peeractors.persistence.connection-string", connectionProblem);
        }

        var managementEndpoint = r.String("peeractors.management.endpoint");
        if (!TryParseEndpoint(managementEndpoint, out var endpoint))
            throw r.Invalid("peeractors.management.endpoint", "expected <ip>:<port> with port 0-65535, e.g. 127.0.0.1:4080.");
        var managementEnabled = r.Bool("peeractors.management.enabled");
        var token = r.String("peeractors.management.token", allowEmpty: true);
        if (managementEnabled && token.Length == 0 && !IPAddress.IsLoopback(endpoint.Address))
            throw new NodeConfigurationException("peeractors.management.token",
                $"is required because peeractors.management.endpoint ({managementEndpoint}) is not a loopback address.");

        var limitsFile = r.String("peeractors.limits.file", allowEmpty: true);
        string? limitsPath = null;
        if (limitsFile.Length > 0)
        {
            try
            {
                limitsPath = Path.GetFullPath(limitsFile, root);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
            {
                throw r.Invalid("peeractors.limits.file", $"not a valid file path ({e.Message}).");
            }
            if (Directory.Exists(limitsPath))
                throw r.Invalid("peeractors.limits.file", $"{limitsPath} is a directory, not a JSON file.");
            if (!File.Exists(limitsPath))
                throw r.Invalid("peeractors.limits.file", $"{limitsPath} does not exist (set the key to \"\" for the built-in default limits).");
        }

        return new NodeSettings
        {
            ConfigRoot = root,
            Overlay = overlay,
            DataDirectory = dataDir,
            SystemName = systemName,
            Hostname = hostname,
            Port = port,
            SeedNodes = seeds,
            Role = role,
            ShardingRole = shardingRole,
            PersistenceProvider = provider,
            ConnectionString = connectionString,
            FlushInterval = r.Duration("peeractors.persistence.flush-interval"),
            SnapshotEvery = r.Int("peeractors.persistence.snapshot-every", 1, int.MaxValue),
            SnapshotOnPassivation = r.Bool("peeractors.persistence.snapshot-on-passivation"),
            WriteBinary = r.Bool("peeractors.serialization.write-binary"),
            SnapshotOnPassivationMinEvents = r.Int("peeractors.persistence.snapshot-on-passivation-min-events", 1, int.MaxValue),
            DeleteEventsOnSnapshot = r.String("peeractors.persistence.delete-events-on-snapshot").ToLowerInvariant() switch
            {
                "on" or "true" or "yes" => EventDeletion.On,
                "off" or "false" or "no" => EventDeletion.Off,
                "replay" => EventDeletion.Replay,
                _ => throw r.Invalid("peeractors.persistence.delete-events-on-snapshot", "expected on, off or replay (on during a replay only)."),
            },
            SqliteSynchronous = r.String("peeractors.persistence.sqlite-synchronous").ToLowerInvariant() switch
            {
                "full" => SqliteSynchronous.Full,
                "normal" => SqliteSynchronous.Normal,
                "replay" => SqliteSynchronous.Replay,
                _ => throw r.Invalid("peeractors.persistence.sqlite-synchronous", "expected full, normal or replay (normal during a replay only)."),
            },
            PassivationIdleTimeout = r.Duration("peeractors.passivation.idle-timeout"),
            SelectorSnapshots = r.Bool("peeractors.selector.snapshots"),
            SelectorSnapshotInterval = r.Duration("peeractors.selector.snapshot-interval"),
            SelectorWakeMaxInFlight = r.Int("peeractors.selector.wake-max-in-flight", 1, 1000),
            SelectorWakeRate = r.Int("peeractors.selector.wake-rate", 1, int.MaxValue),
            SelectorRetention = r.DurationOrOff("peeractors.selector.retention"),
            ManagementEnabled = managementEnabled,
            ManagementEndpoint = endpoint,
            ManagementToken = token,
            MetricsEnabled = r.Bool("peeractors.metrics.enabled"),
            MetricsPerPeerLabelCap = r.Int("peeractors.metrics.per-peer-label-cap", 0, int.MaxValue),
            LimitsFile = limitsPath,
            BandwidthEpochLength = r.Duration("peeractors.bandwidth.epoch-length"),
            Delivery = new PeerActors.Delivery.DeliverySettings
            {
                BatchInterval = r.Duration("peeractors.delivery.batch-interval"),
                MaxBatchItems = r.Int("peeractors.delivery.max-batch-items", 1, 65536),
                ResendAfter = r.Duration("peeractors.delivery.resend-after"),
                MaxUnconfirmed = r.Int("peeractors.delivery.max-unconfirmed", 1, int.MaxValue),
            },
            AutoBanPaymentDefaults = r.Int("peeractors.bans.auto-ban-payment-defaults", 0, int.MaxValue),
            AutoBanDuration = r.Duration("peeractors.bans.auto-ban-duration"),
            ReplayCompactJournal = r.Bool("peeractors.replay.compact-journal"),
            ReplayInput = new ReplayInputLimits
            {
                MaxChunksPerSession = r.Int("peeractors.replay.max-chunks-per-session", 1, int.MaxValue),
                MaxLineBytes = r.Int("peeractors.replay.max-line-length", 256, 1 << 30),
            },
            Hocon = merged,
        };
    }

    private static bool TryParseEndpoint(string text, out IPEndPoint endpoint)
    {
        endpoint = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            return false;
        var host = text[..colon].Trim('[', ']');
        IPAddress? address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed : null;
        if (address is null)
            return false;
        endpoint = new IPEndPoint(address, port);
        return true;
    }

    private static (string Name, string Path) ResolveOverlay(string root, NodeOverrides flags, IReadOnlyDictionary<string, string?> environment)
    {
        string key;
        string value;
        if (!string.IsNullOrWhiteSpace(flags.Config))
            (key, value) = ("--config", flags.Config.Trim());
        else if (environment.TryGetValue(OverlayVariable, out var env) && !string.IsNullOrWhiteSpace(env))
            (key, value) = (OverlayVariable, env.Trim());
        else
            return (DefaultOverlay, Path.Combine(root, "config", DefaultOverlay + ".conf"));

        if (value is "embedded" or "cluster")
        {
            var path = Path.Combine(root, "config", value + ".conf");
            return File.Exists(path) ? (value, path) : throw new NodeConfigurationException(key, $"overlay '{value}' expected at {path}, which does not exist.");
        }
        var looksLikePath = value.EndsWith(".conf", StringComparison.OrdinalIgnoreCase)
            || value.Contains('/') || value.Contains('\\');
        if (!looksLikePath)
            throw new NodeConfigurationException(key, $"unknown overlay '{value}': expected 'embedded', 'cluster', or a path to a .conf file.");
        var full = Path.GetFullPath(value);
        return File.Exists(full) ? (full, full) : throw new NodeConfigurationException(key, $"overlay file '{full}' does not exist.");
    }

    private static Config ParseFile(string path, string label)
    {
        try
        {
            return ConfigurationFactory.ParseString(File.ReadAllText(path));
        }
        catch (Exception e) when (e is not NodeConfigurationException and not OutOfMemoryException)
        {
            throw new NodeConfigurationException(label, $"cannot be parsed as HOCON: {e.Message}");
        }
    }

    /// <summary>The full paths of the leaf values below <paramref name="prefix"/> (lists count as leaves).</summary>
    private static IEnumerable<string> LeafKeys(Config config, string prefix)
    {
        if (!config.HasPath(prefix))
            yield break;
        var value = config.GetValue(prefix);
        if (!value.IsObject())
        {
            yield return prefix;
            yield break;
        }
        foreach (var name in value.GetObject().Items.Keys)
        {
            var child = prefix + "." + (name.Contains('.') ? $"\"{name}\"" : name);
            foreach (var leaf in LeafKeys(config, child))
                yield return leaf;
        }
    }

    /// <summary>Checks that an override targets an existing leaf key of hocon.conf; returns whether it is a list.</summary>
    private static bool RequireLeafKey(Config baseConfig, string key, string source)
    {
        if (!key.StartsWith("peeractors.", StringComparison.Ordinal) || !KeyPattern().IsMatch(key) || !baseConfig.HasPath(key))
            throw new NodeConfigurationException(key, $"unknown configuration key (set by {source}); keys must exist in hocon.conf.");
        var value = baseConfig.GetValue(key);
        if (value.IsObject())
            throw new NodeConfigurationException(key, $"is a section, not a value (set by {source}).");
        return IsList(value);
    }

    /// <summary>Akka HOCON reports an empty array as neither array, string nor object.</summary>
    private static bool IsList(Akka.Configuration.Hocon.HoconValue value) =>
        value.IsArray() || (!value.IsString() && !value.IsObject());

    private static string[] SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Config ToConfig(IEnumerable<(string Key, string Source, object Value)> overrides)
    {
        var hocon = new StringBuilder();
        foreach (var (key, _, value) in overrides)
        {
            hocon.Append(key).Append(" = ");
            hocon.AppendLine(value is IEnumerable<string> list
                ? "[" + string.Join(", ", list.Select(Quote)) + "]"
                : Quote((string)value));
        }
        return ConfigurationFactory.ParseString(hocon.ToString());
    }

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Quote(string value) => JsonSerializer.Serialize(value, QuoteOptions);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial Regex SystemNamePattern();

    [GeneratedRegex(@"^[a-z0-9-]+(\.[a-z0-9-]+)+$")]
    private static partial Regex KeyPattern();

    /// <summary>Typed, validating access to the merged configuration; errors name key, value and source.</summary>
    private sealed class Reader(Config config, Func<string, string> sourceOf)
    {
        public NodeConfigurationException Invalid(string key, string problem) =>
            new(key, $"invalid value {Show(Raw(key))} (from {sourceOf(key)}): {problem}");

        /// <summary>Like <see cref="Invalid"/> but without echoing the value (it may hold a password).</summary>
        public NodeConfigurationException InvalidSecret(string key, string problem) =>
            new(key, $"invalid value (from {sourceOf(key)}): {problem}");

        public string String(string key, bool allowEmpty = false)
        {
            var raw = Raw(key);
            if (raw is null)
                throw new NodeConfigurationException(key, $"is missing (from {sourceOf(key)}).");
            if (!allowEmpty && raw.Trim().Length == 0)
                throw Invalid(key, "must not be empty.");
            return raw.Trim();
        }

        public int Int(string key, int min, int max)
        {
            var raw = String(key);
            if (!long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                throw Invalid(key, $"expected an integer in {min}..{max}.");
            if (n < min || n > max)
                throw Invalid(key, $"out of range: expected {min}..{max}.");
            return (int)n;
        }

        public TimeSpan Duration(string key)
        {
            var raw = String(key);
            if (!HoconDuration.TryParse(raw, out var value))
                throw Invalid(key, "expected a duration such as 500ms, 1s, 2m, 1h.");
            if (value <= TimeSpan.Zero)
                throw Invalid(key, "must be a positive duration.");
            return value;
        }

        /// <summary>A positive duration, or null for <c>off</c>.</summary>
        public TimeSpan? DurationOrOff(string key)
        {
            var raw = String(key);
            if (raw.Equals("off", StringComparison.OrdinalIgnoreCase)) return null;
            if (!HoconDuration.TryParse(raw, out var value))
                throw Invalid(key, "expected off or a duration such as 12h, 7d, 30d.");
            if (value <= TimeSpan.Zero)
                throw Invalid(key, "must be off or a positive duration.");
            return value;
        }

        public bool Bool(string key) => String(key).ToLowerInvariant() switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            _ => throw Invalid(key, "expected on/off (true/false, yes/no)."),
        };

        public IReadOnlyList<string> List(string key)
        {
            if (!config.HasPath(key))
                throw new NodeConfigurationException(key, $"is missing (from {sourceOf(key)}).");
            var value = config.GetValue(key);
            if (!IsList(value))
                throw Invalid(key, "expected a list, e.g. [\"a\", \"b\"].");
            var items = config.GetStringList(key).Select(s => s.Trim()).ToArray();
            if (items.Any(s => s.Length == 0))
                throw Invalid(key, "list entries must not be empty.");
            return items;
        }

        private string? Raw(string key)
        {
            if (!config.HasPath(key))
                return null;
            var value = config.GetValue(key);
            if (value.IsObject())
                throw new NodeConfigurationException(key, $"expected a value but found a section (from {sourceOf(key)}).");
            if (IsList(value))
                return "[" + string.Join(", ", config.GetStringList(key)) + "]";
            return value.GetString();
        }

        private static string Show(string? raw) => raw is null ? "(missing)" : $"'{raw}'";
    }
}
