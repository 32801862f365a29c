namespace PeerActors.Node.Tests.Hosting;

public sealed class NodeSettingsLoaderTests : IDisposable
{
    // The csproj copies hocon.conf and config/ into the build output.
    private static readonly string ConfigRoot = AppContext.BaseDirectory;
    private static readonly Dictionary<string, string?> NoEnv = new();
    private readonly string _temp = Directory.CreateTempSubdirectory("peeractors-config-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static NodeSettings Load(NodeOverrides? flags = null, Dictionary<string, string?>? env = null) =>
        NodeSettingsLoader.Load(flags ?? new NodeOverrides(), env ?? NoEnv, ConfigRoot);

    /// <summary>The error of loading with <c>--config <paramref name="config"/></c> (an overlay name or a file path).</summary>
    private static NodeConfigurationException RejectedConfig(string config) =>
        Assert.Throws<NodeConfigurationException>(() => Load(new NodeOverrides { Config = config }));

    private string Overlay(string hocon)
    {
        var path = Path.Combine(_temp, "custom.conf");
        File.WriteAllText(path, hocon);
        return path;
    }

    [Fact]
    public void Defaults_come_from_hocon_conf_and_the_embedded_overlay()
    {
        var s = Load();
        Assert.Equal("embedded", s.Overlay);
        Assert.Equal(Path.GetFullPath("./data"), s.DataDirectory);
        Assert.Equal("peeractors", s.SystemName);
        Assert.Equal("127.0.0.1", s.Hostname);
        Assert.Equal(4053, s.Port);
        Assert.Empty(s.SeedNodes);
        Assert.Equal(PersistenceProvider.Sqlite, s.PersistenceProvider);
        Assert.Equal($"Data Source={Path.Combine(s.DataDirectory, "peeractors.db")}", s.ConnectionString);
        Assert.Equal("SQLite.MS", s.LinqToDbProviderName);
        Assert.Equal(TimeSpan.FromSeconds(1), s.FlushInterval);
        Assert.Equal(1000, s.SnapshotEvery);
        Assert.Equal(TimeSpan.FromMinutes(2), s.PassivationIdleTimeout);
        Assert.Equal("127.0.0.1:4080", s.ManagementEndpoint.ToString());
        Assert.Equal("", s.ManagementToken);
        Assert.Equal(100, s.MetricsPerPeerLabelCap);
        Assert.Equal(Path.Combine(ConfigRoot, "config", "limits.json"), s.LimitsFile);
        Assert.Equal(TimeSpan.FromHours(1), s.BandwidthEpochLength);
        var selector = s.ToSelectorOptions();
        Assert.Equal(TimeSpan.FromMinutes(5), selector.SnapshotInterval);
        Assert.True(selector.BootstrapFromJournal);
        Assert.Equal(8, selector.WakeMaxInFlight);
        Assert.Equal(2000, selector.BootstrapWakeRate);
    }

    [Fact]
    public void Defaults_match_PeerActorsOptions_defaults()
    {
        var fromConfig = Load().ToPeerActorsOptions();
        var defaults = new PeerActors.Hosting.PeerActorsOptions();
        Assert.Equal(defaults.FlushInterval, fromConfig.FlushInterval);
        Assert.Equal(defaults.SnapshotEvery, fromConfig.SnapshotEvery);
        Assert.Equal(defaults.PassivationIdleTimeout, fromConfig.PassivationIdleTimeout);
        Assert.Equal(defaults.Role, fromConfig.Role);
        Assert.Equal(defaults.BandwidthEpochLength, fromConfig.BandwidthEpochLength);
        Assert.Equal(defaults.MetricsPerPeerLabelCap, fromConfig.MetricsPerPeerLabelCap);
    }

    [Theory]
    [InlineData(null, EventDeletion.Replay, false)]
    [InlineData("replay", EventDeletion.Replay, false)]
    [InlineData("on", EventDeletion.On, true)]
    [InlineData("off", EventDeletion.Off, false)]
    public void Delete_events_on_snapshot_is_on_off_or_replay_only(string? value, EventDeletion expected, bool liveNodeDeletes)
    {
        var s = Load(new NodeOverrides { Set = value is null ? [] : [$"peeractors.persistence.delete-events-on-snapshot={value}"] });
        Assert.Equal(expected, s.DeleteEventsOnSnapshot);
        Assert.Equal(liveNodeDeletes, s.ToPeerActorsOptions().DeleteEventsOnSnapshot);
    }

    [Theory]
    [InlineData(null, SqliteSynchronous.Replay, "PRAGMA synchronous = FULL;")]
    [InlineData("replay", SqliteSynchronous.Replay, "PRAGMA synchronous = FULL;")]
    [InlineData("full", SqliteSynchronous.Full, "PRAGMA synchronous = FULL;")]
    [InlineData("NORMAL", SqliteSynchronous.Normal, "PRAGMA synchronous = NORMAL;")]
    public void Sqlite_synchronous_is_full_normal_or_replay_and_a_live_node_resolves_replay_to_full(string? value, SqliteSynchronous expected, string liveStatement)
    {
        var s = Load(new NodeOverrides { Set = value is null ? [] : [$"peeractors.persistence.sqlite-synchronous={value}"] });
        Assert.Equal(expected, s.SqliteSynchronous);
        Assert.Equal(liveStatement, SqlitePragmas.Statement(s.SqliteSynchronous == SqliteSynchronous.Replay ? SqliteSynchronous.Full : s.SqliteSynchronous));
        Assert.NotNull(SqlitePragmas.DataOptionsFor(s));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("off", null)]
    [InlineData("OFF", null)]
    [InlineData("30d", 30 * 24.0)]
    [InlineData("36h", 36.0)]
    public void Selector_retention_is_off_or_a_duration_and_reaches_the_selector_options(string? value, double? hours)
    {
        var s = Load(new NodeOverrides { Set = value is null ? [] : [$"peeractors.selector.retention={value}"] });
        var expected = hours is { } h ? TimeSpan.FromHours(h) : (TimeSpan?)null;
        Assert.Equal(expected, s.SelectorRetention);
        Assert.Equal(expected, s.ToSelectorOptions().Retention);
    }

    [Fact]
    public void Cluster_overlay_selects_postgresql_and_seed_nodes()
    {
        var s = Load(new NodeOverrides { Config = "cluster" });
        Assert.Equal("cluster", s.Overlay);
        Assert.Equal(PersistenceProvider.PostgreSql, s.PersistenceProvider);
        Assert.Equal("PostgreSQL.15", s.LinqToDbProviderName);
        Assert.Equal(["akka.tcp://peeractors@127.0.0.1:4053"], s.SeedNodes);
        // The downing rules come from the library's cluster contract, shared with proxy-only members; the overlay
        // must not shadow them (ClusterContractTests).
        Assert.False(s.Hocon.HasPath("akka.cluster.split-brain-resolver"));
        Assert.False(s.Hocon.HasPath("akka.cluster.failure-detector"));
        Assert.Null(SqlitePragmas.DataOptionsFor(s)); // PostgreSQL keeps the plugin's own options
    }

    [Fact]
    public void Overlay_can_be_chosen_by_environment_variable_and_flag_wins()
    {
        Assert.Equal("cluster", Load(env: new() { ["PEERACTORS_CONFIG"] = "cluster" }).Overlay);
        Assert.Equal("embedded", Load(new NodeOverrides { Config = "embedded" }, new() { ["PEERACTORS_CONFIG"] = "cluster" }).Overlay);
    }

    // Each layer sets flush-interval; the highest layer present wins: base < overlay < env < flags.
    [Theory]
    [InlineData(false, false, false, 1)]
    [InlineData(true, false, false, 2)]
    [InlineData(true, true, false, 3)]
    [InlineData(true, true, true, 4)]
    [InlineData(false, true, false, 3)]
    [InlineData(false, false, true, 4)]
    [InlineData(true, false, true, 4)]
    public void Precedence_is_base_then_overlay_then_environment_then_flags(bool overlay, bool env, bool flag, int expectedSeconds)
    {
        var flags = new NodeOverrides
        {
            Config = overlay ? Overlay("peeractors.persistence.flush-interval = 2s\npeeractors.node.port = 2222") : null,
            Set = flag ? ["peeractors.persistence.flush-interval=4s"] : null,
        };
        var environment = env ? new Dictionary<string, string?> { ["PEERACTORS_PERSISTENCE__FLUSH_INTERVAL"] = "3s" } : NoEnv;

        var s = Load(flags, environment);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), s.FlushInterval);
        Assert.Equal(overlay ? 2222 : 4053, s.Port); // untouched by env/flags: the overlay value survives
    }

    [Fact]
    public void Dedicated_flags_override_environment_which_overrides_overlay()
    {
        var env = new Dictionary<string, string?>
        {
            ["PEERACTORS_DATA_DIR"] = Path.Combine(_temp, "env-data"),
            ["PEERACTORS_NODE__PORT"] = "5000",
            ["PEERACTORS_NODE__HOSTNAME"] = "127.0.0.2",
            ["PEERACTORS_NODE__SEED_NODES"] = "akka.tcp://peeractors@127.0.0.1:5001, akka.tcp://peeractors@127.0.0.1:5002",
            ["PEERACTORS_MANAGEMENT__TOKEN"] = "env-token",
        };
        var flags = new NodeOverrides
        {
            DataDir = Path.Combine(_temp, "flag-data"),
            Port = 6000,
            Seeds = ["akka.tcp://peeractors@127.0.0.1:6001"],
            Endpoint = "127.0.0.1:6080",
        };

        var s = Load(flags, env);

        Assert.Equal(Path.Combine(_temp, "flag-data"), s.DataDirectory);
        Assert.Equal(6000, s.Port);
        Assert.Equal("127.0.0.2", s.Hostname);              // env only
        Assert.Equal(["akka.tcp://peeractors@127.0.0.1:6001"], s.SeedNodes); // flag replaces the whole list
        Assert.Equal("env-token", s.ManagementToken);
        Assert.Equal(6080, s.ManagementEndpoint.Port);

        var envOnly = Load(env: env);
        Assert.Equal(["akka.tcp://peeractors@127.0.0.1:5001", "akka.tcp://peeractors@127.0.0.1:5002"], envOnly.SeedNodes);
        Assert.Equal(5000, envOnly.Port);
    }

    [Theory]
    [InlineData("PEERACTORS_DATA_DIR", "peeractors.data-dir")]
    [InlineData("PEERACTORS_PERSISTENCE__FLUSH_INTERVAL", "peeractors.persistence.flush-interval")]
    [InlineData("PEERACTORS_METRICS__PER_PEER_LABEL_CAP", "peeractors.metrics.per-peer-label-cap")]
    [InlineData("PEERACTORS_CONFIG", null)]
    [InlineData("PEERACTORS_HOME", null)]
    [InlineData("PATH", null)]
    public void Environment_variable_names_map_to_keys(string variable, string? key)
    {
        Assert.Equal(key, NodeSettingsLoader.EnvironmentVariableToKey(variable));
    }

    [Theory]
    [InlineData("peeractors.persistence.flush-interval=banana", "peeractors.persistence.flush-interval")]
    [InlineData("peeractors.persistence.flush-interval=-1s", "peeractors.persistence.flush-interval")]
    [InlineData("peeractors.persistence.snapshot-every=-5", "peeractors.persistence.snapshot-every")]
    [InlineData("peeractors.persistence.snapshot-every=many", "peeractors.persistence.snapshot-every")]
    [InlineData("peeractors.passivation.idle-timeout=0s", "peeractors.passivation.idle-timeout")]
    [InlineData("peeractors.bandwidth.epoch-length=soon", "peeractors.bandwidth.epoch-length")]
    [InlineData("peeractors.node.port=70000", "peeractors.node.port")]
    [InlineData("peeractors.node.system-name=bad name", "peeractors.node.system-name")]
    [InlineData("peeractors.node.seed-nodes=not-an-address", "peeractors.node.seed-nodes")]
    [InlineData("peeractors.node.seed-nodes=akka.tcp://other@127.0.0.1:4053", "peeractors.node.seed-nodes")]
    [InlineData("peeractors.persistence.provider=oracle", "peeractors.persistence.provider")]
    [InlineData("peeractors.management.endpoint=nowhere", "peeractors.management.endpoint")]
    [InlineData("peeractors.management.endpoint=127.0.0.1:99999", "peeractors.management.endpoint")]
    [InlineData("peeractors.management.endpoint=0.0.0.0:4080", "peeractors.management.token")]
    [InlineData("peeractors.metrics.enabled=maybe", "peeractors.metrics.enabled")]
    [InlineData("peeractors.metrics.per-peer-label-cap=-1", "peeractors.metrics.per-peer-label-cap")]
    [InlineData("peeractors.selector.snapshots=sometimes", "peeractors.selector.snapshots")]
    [InlineData("peeractors.selector.snapshot-interval=0s", "peeractors.selector.snapshot-interval")]
    [InlineData("peeractors.selector.wake-max-in-flight=0", "peeractors.selector.wake-max-in-flight")]
    [InlineData("peeractors.selector.wake-rate=fast", "peeractors.selector.wake-rate")]
    [InlineData("peeractors.selector.retention=0s", "peeractors.selector.retention")]
    [InlineData("peeractors.selector.retention=forever", "peeractors.selector.retention")]
    [InlineData("peeractors.persistence.delete-events-on-snapshot=sometimes", "peeractors.persistence.delete-events-on-snapshot")]
    [InlineData("peeractors.persistence.sqlite-synchronous=off", "peeractors.persistence.sqlite-synchronous")]
    [InlineData("peeractors.no-such-key=1", "peeractors.no-such-key")]
    [InlineData("peeractors.persistence=1", "peeractors.persistence")]
    [InlineData("no-equals-sign", "--set")]
    public void Bad_value_names_its_key(string assignment, string key)
    {
        var e = Assert.Throws<NodeConfigurationException>(() => Load(new NodeOverrides { Set = [assignment] }));
        Assert.Equal(key, e.Key);
        Assert.StartsWith(key + ":", e.Message);
    }

    [Fact]
    public void Bad_port_flag_names_key_value_and_source()
    {
        var e = Assert.Throws<NodeConfigurationException>(() => Load(new NodeOverrides { Port = 70000 }));
        Assert.Equal("peeractors.node.port", e.Key);
        Assert.Contains("'70000'", e.Message);
        Assert.Contains("--port", e.Message);
    }

    [Fact]
    public void Bad_environment_value_names_key_and_variable()
    {
        var e = Assert.Throws<NodeConfigurationException>(() =>
            Load(env: new() { ["PEERACTORS_PERSISTENCE__FLUSH_INTERVAL"] = "banana" }));
        Assert.Equal("peeractors.persistence.flush-interval", e.Key);
        Assert.Contains("PEERACTORS_PERSISTENCE__FLUSH_INTERVAL", e.Message);
    }

    [Fact]
    public void Unknown_environment_key_is_rejected()
    {
        var e = Assert.Throws<NodeConfigurationException>(() => Load(env: new() { ["PEERACTORS_FLUSH_INTERVALL"] = "1s" }));
        Assert.Equal("peeractors.flush-intervall", e.Key);
    }

    [Fact]
    public void Bad_value_in_an_overlay_file_names_key_and_file()
    {
        var e = RejectedConfig(Overlay("peeractors.persistence.flush-interval = banana"));
        Assert.Equal("peeractors.persistence.flush-interval", e.Key);
        Assert.Contains("custom.conf", e.Message);
    }

    [Theory]
    [InlineData("foo")]
    [InlineData("embeded")]
    public void Unknown_overlay_is_rejected(string overlay)
    {
        var e = RejectedConfig(overlay);
        Assert.Equal("--config", e.Key);
        Assert.Contains($"'{overlay}'", e.Message);
    }

    [Fact]
    public void Missing_overlay_file_is_rejected()
    {
        var e = RejectedConfig(Path.Combine(_temp, "missing.conf"));
        Assert.Equal("--config", e.Key);
    }

    [Fact]
    public void Unparseable_overlay_names_the_file()
    {
        var e = RejectedConfig(Overlay("peeractors.persistence.flush-interval = ${no.such.key}"));
        Assert.Contains("custom.conf", e.Key);
    }

    [Fact]
    public void Postgresql_requires_a_connection_string()
    {
        var e = Assert.Throws<NodeConfigurationException>(() =>
            Load(new NodeOverrides { Config = "cluster", Set = ["peeractors.persistence.connection-string="] }));
        Assert.Equal("peeractors.persistence.connection-string", e.Key);
    }

    [Fact]
    public void Non_loopback_endpoint_is_accepted_with_a_token()
    {
        var s = Load(new NodeOverrides { Endpoint = "0.0.0.0:4080", Token = "secret" });
        Assert.Equal("secret", s.ManagementToken);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("1s", 1000)]
    [InlineData("2 minutes", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("250", 250)]
    [InlineData("1.5s", 1500)]
    public void Durations_use_hocon_units(string text, int expectedMs)
    {
        var s = Load(new NodeOverrides { Set = [$"peeractors.persistence.flush-interval={text}"] });
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), s.FlushInterval);
    }

    [Fact]
    public async Task Executable_exits_with_code_2_and_names_the_key()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "PeerActors.Node.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "run", "--port", "70000", "--data-dir", _temp },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        using var process = Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("peeractors.node.port", stderr);
    }
}
