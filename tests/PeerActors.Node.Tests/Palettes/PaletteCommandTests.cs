using CsvHelper;
using static PeerActors.Node.Tests.Palettes.PaletteNodeFixture;

namespace PeerActors.Node.Tests.Palettes;

/// <summary><c>peeractl</c> against a real in-process node: limits, peer top and bandwidth palettes.</summary>
[Collection(PaletteCollection.Name)]
public sealed class PaletteCommandTests(PaletteNodeFixture node)
{
    private const string Protocol = "/p2p-live/chunk/1.0.0";

    /// <summary>Rows of a rendered table (header and dash lines skipped), cells split on runs of spaces.</summary>
    private static List<string[]> TableRows(PaletteRun run) =>
        run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2)
            .Select(l => l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();

    private static JsonElement Data(PaletteRun run) => run.Json.GetProperty("data");

    // ---------------------------------------------------------------- limits

    [Fact]
    public async Task Limits_show_lists_every_scope_class_and_json_is_the_full_partial_limit_config()
    {
        var table = await node.RunAsync("limits", "show");
        Assert.True(table.ExitCode == PeerCtl.ExitCodes.Ok, table.ToString());
        var scopes = TableRows(table).Select(r => r[0]).ToList();
        Assert.Equal("System", scopes[0]);
        Assert.Contains("Transient", scopes);
        Assert.Contains("PeerDefault", scopes);
        Assert.Contains("Stream", scopes);

        var json = await node.RunAsync("--json", "limits", "show");
        Assert.Equal(PeerCtl.ExitCodes.Ok, json.ExitCode);
        var data = Data(json);
        Assert.True(data.TryGetProperty("System", out var system), json.Out);
        Assert.True(system.TryGetProperty("StreamsInbound", out _));
        // The data reads back as an rcmgr PartialLimitConfig whose System row is the table's.
        var cfg = PartialLimitConfig.FromJson(data.GetRawText());
        var systemRow = TableRows(table).First(r => r[0] == "System");
        Assert.Equal(systemRow[2], cfg.System.StreamsInbound.ToString());
        Assert.Equal(systemRow[8], cfg.System.Memory.ToString());
    }

    [Fact]
    public async Task Limits_stat_defaults_to_system_and_transient()
    {
        var run = await node.RunAsync("limits", "stat");
        Assert.True(run.ExitCode == PeerCtl.ExitCodes.Ok, run.ToString());
        var rows = TableRows(run);
        Assert.Equal(["system", "transient"], rows.Select(r => r[0]).Distinct());
        Assert.Contains(rows, r => r[0] == "system" && r[1] == "memory");
        // The fixture's open inbound stream counts in system.
        var systemStreams = rows.Single(r => r[0] == "system" && r[1] == "streams_in");
        Assert.True(int.Parse(systemStreams[2], CultureInfo.InvariantCulture) >= 1, run.Out);
    }

    [Fact]
    public async Task Limits_stat_of_a_peer_shows_its_open_stream()
    {
        var run = await node.RunAsync("limits", "stat", $"peer:{StreamPeer}");
        Assert.True(run.ExitCode == PeerCtl.ExitCodes.Ok, run.ToString());
        var rows = TableRows(run);
        Assert.All(rows, r => Assert.Equal($"peer:{StreamPeer}", r[0]));
        Assert.Equal("1", rows.Single(r => r[1] == "streams_in")[2]);
        Assert.Equal("0", rows.Single(r => r[1] == "streams_out")[2]);

        var json = await node.RunAsync("--json", "limits", "stat", $"peer:{StreamPeer}");
        var entry = Assert.Single(Data(json).EnumerateArray());
        Assert.Equal(1, entry.GetProperty("stat").GetProperty("NumStreamsInbound").GetInt32());
        Assert.True(entry.GetProperty("limit").TryGetProperty("StreamsInbound", out _));

        // A peer with no live scope: zero usage.
        var other = await node.RunAsync("limits", "stat", $"peer:{Fast}");
        Assert.Equal("0", TableRows(other).Single(r => r[1] == "streams_in")[2]);
    }

    [Fact]
    public async Task Limits_stat_list_peers_lists_the_live_peer_scopes()
    {
        var run = await node.RunAsync("limits", "stat", "--list", "peers");
        Assert.True(run.ExitCode == PeerCtl.ExitCodes.Ok, run.ToString());
        var row = Assert.Single(TableRows(run), r => r[0] == $"peer:{StreamPeer}");
        Assert.Equal("1", row[2]); // streams_in

        var services = await node.RunAsync("limits", "stat", "--list", "services");
        Assert.Equal(PeerCtl.ExitCodes.Ok, services.ExitCode);

        var bad = await node.RunAsync("limits", "stat", "--list", "nodes");
        Assert.Equal(PeerCtl.ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("list", bad.Err);
    }

    [Fact]
    public async Task Limits_set_changes_a_limit_and_a_following_stat_shows_it()
    {
        var scope = $"protocol:{Protocol}";
        var before = TableRows(await node.RunAsync("limits", "stat", scope));
        var beforeStreams = before.Single(r => r[1] == "streams")[3];
        Assert.NotEqual("7", before.Single(r => r[1] == "streams_in")[3]);

        var set = await node.RunAsync("limits", "set", scope, """{"StreamsInbound": 7, "Memory": "unlimited"}""");
        Assert.True(set.ExitCode == PeerCtl.ExitCodes.Ok, set.ToString());

        var after = TableRows(await node.RunAsync("limits", "stat", scope));
        Assert.Equal("7", after.Single(r => r[1] == "streams_in")[3]);
        Assert.Equal("unlimited", after.Single(r => r[1] == "memory")[3]);
        Assert.Equal(beforeStreams, after.Single(r => r[1] == "streams")[3]); // keys left out keep their value

        // limits show reports it as an explicitly configured protocol.
        var show = await node.RunAsync("--json", "limits", "show");
        Assert.Equal(7, Data(show).GetProperty("Protocol").GetProperty(Protocol).GetProperty("StreamsInbound").GetInt32());
    }

    [Theory]
    [InlineData("""{"StreamsInbound": "lots"}""", "limit.StreamsInbound")]
    [InlineData("""{"Streamz": 3}""", "limit.Streamz")]
    [InlineData("""{"FD": -5}""", "limit.FD")]
    [InlineData("""{"Conns": 1""", "limit")]
    [InlineData("[1, 2]", "limit")]
    public async Task Limits_set_with_invalid_json_or_values_fails_naming_the_field_and_changes_nothing(string json, string field)
    {
        var before = (await node.RunAsync("limits", "stat", "system")).Out;

        var run = await node.RunAsync("--json", "limits", "set", "system", json);

        Assert.Equal(PeerCtl.ExitCodes.Usage, run.ExitCode);
        Assert.False(run.Json.GetProperty("ok").GetBoolean());
        Assert.StartsWith(field + ":", run.Json.GetProperty("error").GetString());
        Assert.Equal(before, (await node.RunAsync("limits", "stat", "system")).Out);
    }

    // ---------------------------------------------------------------- peer top

    [Theory]
    [InlineData(null)]
    [InlineData("LowestLatency")]
    [InlineData("HighestSuccessRate")]
    public async Task Peer_top_orders_the_fast_reliable_peer_first(string? strategy)
    {
        string[] args = strategy is null ? ["peer", "top"] : ["peer", "top", "--strategy", strategy];
        var run = await node.RunAsync(args);
        Assert.True(run.ExitCode == PeerCtl.ExitCodes.Ok, run.ToString());
        var rows = TableRows(run);
        Assert.Equal(3, rows.Count);
        Assert.Equal(["1", Fast], rows[0][..2]);
        Assert.Equal(Slow, rows[^1][1]);
        Assert.Equal("10", rows[0][5]);  // requests
        Assert.Equal("no", rows[0][6]);  // backed_off

        var json = await node.RunAsync(["--json", .. args, "--count", "1"]);
        var peers = Data(json).GetProperty("peers");
        Assert.Equal(Fast, Assert.Single(peers.EnumerateArray()).GetProperty("peerId").GetString());
    }

    [Fact]
    public async Task Peer_top_rejects_an_unknown_strategy()
    {
        var run = await node.RunAsync("peer", "top", "--strategy", "Fastest");
        Assert.Equal(PeerCtl.ExitCodes.Usage, run.ExitCode);
        Assert.Contains("strategy", run.Err);
    }

    // ---------------------------------------------------------------- bandwidth

    [Fact]
    public async Task Bandwidth_top_lists_the_peer_with_most_ingress_first()
    {
        var run = await node.RunAsync("bandwidth", "top");
        Assert.True(run.ExitCode == PeerCtl.ExitCodes.Ok, run.ToString());
        var rows = TableRows(run);
        Assert.Equal([Slow, Fast, StreamPeer], rows.Select(r => r[1]));
        Assert.Equal(["1", Slow, "50000", "10"], rows[0][..4]);

        var egress = TableRows(await node.RunAsync("bandwidth", "top", "--direction", "egress", "--count", "2"));
        Assert.Equal([Fast, Slow], egress.Select(r => r[1]));

        var json = Data(await node.RunAsync("--json", "bandwidth", "top"));
        Assert.Equal(51_700, json.GetProperty("totalIngressBytes").GetInt64());
        Assert.Equal(9_010, json.GetProperty("totalEgressBytes").GetInt64());
    }

    [Fact]
    public async Task Bandwidth_export_csv_rows_sum_exactly_to_the_totals()
    {
        var run = await node.RunAsync("--json", "bandwidth", "export", "--format", "csv");
        Assert.True(run.ExitCode == PeerCtl.ExitCodes.Ok, run.ToString());
        var data = Data(run);

        using var csv = CsvReader.FromText(data.GetProperty("csv").GetString()!, CsvReaderOptions.Default with { HasHeader = true });
        Assert.Equal(["epoch_start", "epoch_end", "peer_id", "ingress_bytes", "egress_bytes"], csv.Headers);
        var rows = new List<(DateTimeOffset Start, string Peer, long In, long Out)>();
        while (csv.Read())
        {
            rows.Add((DateTimeOffset.Parse(csv.GetString(0), CultureInfo.InvariantCulture), csv.GetString(2),
                long.Parse(csv.GetString(3), CultureInfo.InvariantCulture), long.Parse(csv.GetString(4), CultureInfo.InvariantCulture)));
        }

        Assert.Equal(4, rows.Count); // fast, slow, stream-peer in the 12:00 epoch; stream-peer in 13:00
        Assert.Equal(data.GetProperty("rowCount").GetInt32(), rows.Count);
        Assert.Equal(data.GetProperty("ingressBytes").GetInt64(), rows.Sum(r => r.In));
        Assert.Equal(data.GetProperty("egressBytes").GetInt64(), rows.Sum(r => r.Out));
        Assert.Equal(data.GetProperty("totalIngressBytes").GetInt64(), rows.Sum(r => r.In));
        Assert.Equal(data.GetProperty("totalEgressBytes").GetInt64(), rows.Sum(r => r.Out));
        Assert.Equal(51_700, rows.Sum(r => r.In));
        Assert.Equal(9_010, rows.Sum(r => r.Out));
        Assert.Equal(rows.OrderBy(r => r.Start).ThenBy(r => r.Peer, StringComparer.Ordinal), rows);
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero), rows[0].Start);
    }

    [Fact]
    public async Task Bandwidth_export_json_with_a_window_keeps_the_overlapping_epochs()
    {
        var from = T0.AddHours(1).ToString("O", CultureInfo.InvariantCulture);
        var run = await node.RunAsync("--json", "bandwidth", "export", "--format", "json", "--from", from);
        Assert.True(run.ExitCode == PeerCtl.ExitCodes.Ok, run.ToString());
        var data = Data(run);
        var row = Assert.Single(data.GetProperty("export").GetProperty("rows").EnumerateArray());
        Assert.Equal(StreamPeer, row.GetProperty("peerId").GetString());
        Assert.Equal(400, row.GetProperty("ingressBytes").GetInt64());
        Assert.Equal(400, data.GetProperty("ingressBytes").GetInt64());
        Assert.Equal(51_700, data.GetProperty("totalIngressBytes").GetInt64());

        var all = Data(await node.RunAsync("--json", "bandwidth", "export", "--format", "json"));
        var rows = all.GetProperty("export").GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(all.GetProperty("totalIngressBytes").GetInt64(), rows.Sum(r => r.GetProperty("ingressBytes").GetInt64()));
        Assert.Equal(all.GetProperty("totalEgressBytes").GetInt64(), rows.Sum(r => r.GetProperty("egressBytes").GetInt64()));
    }

    [Theory]
    [InlineData("--format", "xml", "format")]
    [InlineData("--from", "yesterday", "from")]
    public async Task Bandwidth_export_rejects_bad_arguments_naming_them(string option, string value, string field)
    {
        var run = await node.RunAsync("bandwidth", "export", option, value);
        Assert.Equal(PeerCtl.ExitCodes.Usage, run.ExitCode);
        Assert.Contains(field, run.Err);
    }
}
