using PeerActors.Node.Management.Commands;
using PeerActors.Peers;

namespace PeerActors.Node.Tests.Palettes;

/// <summary>The palettes' pure parts: limit JSON parsing, export building and CSV, the tracked-peers messages.</summary>
public sealed class PaletteUnitTests
{
    private static readonly DateTimeOffset H0 = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("""{"StreamsInbound": 10}""", 10, 0L)]
    [InlineData("""{"streamsinbound": 3, "Memory": "1048576"}""", 3, 1_048_576L)]
    [InlineData("""{"StreamsInbound": "unlimited", "Memory": "blockAll"}""", -1, -2L)]
    [InlineData("""{"StreamsInbound": 0}""", -2, 0L)] // rcmgr: an explicit 0 blocks all
    [InlineData("{}", 0, 0L)]
    public void ParseLimit_reads_one_rcmgr_limit_object(string json, int streamsInbound, long memory)
    {
        var l = LimitsSetCommand.ParseLimit(json);
        Assert.Equal(new LimitVal(streamsInbound), l.StreamsInbound);
        Assert.Equal(new LimitVal64(memory), l.Memory);
        Assert.True(l.Conns.IsDefault);
    }

    [Fact]
    public void A_parsed_partial_limit_keeps_the_current_values_it_does_not_name()
    {
        var current = new BaseLimit { Streams = 100, StreamsInbound = 50, StreamsOutbound = 50, Conns = 8, ConnsInbound = 4, ConnsOutbound = 4, FD = 16, Memory = 1 << 20 };
        var built = LimitsSetCommand.ParseLimit("""{"ConnsInbound": 2, "FD": "unlimited"}""").Build(current);
        Assert.Equal(current with { ConnsInbound = 2, FD = int.MaxValue }, built);
    }

    [Theory]
    [InlineData("""{"Conns": true}""", "limit.Conns")]
    [InlineData("""{"Memory": "much"}""", "limit.Memory")]
    [InlineData("""{"Conns": 99999999999}""", "limit.Conns")]
    [InlineData("not json", "limit")]
    [InlineData("\"text\"", "limit")]
    public void ParseLimit_rejects_bad_input_naming_the_field(string json, string field)
    {
        var e = Assert.Throws<InvalidInputException>(() => LimitsSetCommand.ParseLimit(json));
        Assert.Equal(field, e.Field);
        Assert.DoesNotContain("System", e.Message);
    }

    [Fact]
    public void Describe_gives_field_and_reason_once()
    {
        var e = new InvalidInputException("limit.FD", "must be a number");
        Assert.Equal("limit.FD: must be a number", LimitsCommandBase.Describe(e));
    }

    private static BandwidthReply Peer(string id, params (int Hour, ulong In, ulong Out)[] epochs) =>
        new(id, (ulong)epochs.Sum(e => (long)e.In), (ulong)epochs.Sum(e => (long)e.Out),
            epochs.Select(e => new BandwidthEpoch(H0.AddHours(e.Hour), H0.AddHours(e.Hour + 1), e.In, e.Out)).ToArray());

    // Issue #12, finding 5: sums over peers are 128-bit (they used to throw OverflowException past 2^63−1).
    [Fact]
    public void Export_sums_of_two_max_peers_are_exact()
    {
        const ulong max = long.MaxValue;
        var export = BandwidthExportCommand.Build([Peer("a", (0, max, 0)), Peer("b", (0, max, 1))], null, null);
        Assert.Equal((Int128)long.MaxValue * 2, export.IngressBytes);
        Assert.Equal((Int128)1, export.EgressBytes);
    }

    [Fact]
    public void Export_orders_rows_by_epoch_then_peer_and_sums_them_exactly()
    {
        var peers = new[] { Peer("b", (0, 5, 1), (2, 7, 0)), Peer("a", (1, 3, 3), (0, 2, 2)) };
        var export = BandwidthExportCommand.Build(peers, null, null);
        Assert.Equal([("a", 0), ("b", 0), ("a", 1), ("b", 2)], export.Rows.Select(r => (r.PeerId, (int)(r.EpochStart - H0).TotalHours)));
        Assert.Equal(17, export.IngressBytes);
        Assert.Equal(6, export.EgressBytes);
        Assert.Equal(peers.Sum(p => (long)p.IngressBytes), export.IngressBytes);
    }

    [Theory]
    [InlineData(1, null, 2)]  // [01:00, ∞): hours 1 and 2
    [InlineData(null, 1, 2)]  // (-∞, 01:00): hour 0 of both peers
    [InlineData(1, 2, 1)]     // [01:00, 02:00): hour 1
    [InlineData(3, null, 0)]
    public void Export_keeps_the_rows_overlapping_the_window(int? fromHour, int? toHour, int expectedRows)
    {
        var peers = new[] { Peer("b", (0, 5, 1), (2, 7, 0)), Peer("a", (1, 3, 3), (0, 2, 2)) };
        var export = BandwidthExportCommand.Build(peers, fromHour is { } f ? H0.AddHours(f) : null, toHour is { } t ? H0.AddHours(t) : null);
        Assert.Equal(expectedRows, export.Rows.Count);
        Assert.Equal(export.Rows.Sum(r => r.IngressBytes), export.IngressBytes);
    }

    [Fact]
    public void Csv_has_the_header_one_line_per_row_and_quotes_ids_that_need_it()
    {
        var export = BandwidthExportCommand.Build([Peer("plain", (0, 10, 20)), Peer("with,comma", (0, 1, 2))], null, null);
        var lines = BandwidthExportCommand.ToCsv(export).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("epoch_start,epoch_end,peer_id,ingress_bytes,egress_bytes", lines[0]);
        Assert.Equal("2025-03-01T00:00:00.0000000Z,2025-03-01T01:00:00.0000000Z,plain,10,20", lines[1]);
        Assert.Equal("2025-03-01T00:00:00.0000000Z,2025-03-01T01:00:00.0000000Z,\"with,comma\",1,2", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Theory]
    [InlineData(null, TrafficDirection.Ingress)]
    [InlineData("Egress", TrafficDirection.Egress)]
    [InlineData(" ingress ", TrafficDirection.Ingress)]
    public void Direction_parses(string? text, TrafficDirection expected) =>
        Assert.Equal(expected, BandwidthTopCommand.ParseDirection(text));

    [Fact]
    public void Direction_rejects_anything_else() =>
        Assert.Equal("direction", Assert.Throws<InvalidInputException>(() => BandwidthTopCommand.ParseDirection("sideways")).Field);

    [Fact]
    public void Tracked_peers_messages_round_trip_under_stable_manifests()
    {
        var serializer = new SelectorSerializer(null!);
        Assert.Equal("selector-tracked-peers.v1", serializer.Manifest(GetTrackedPeers.Instance));
        Assert.Equal(GetTrackedPeers.Instance, serializer.FromBinary(serializer.ToBinary(GetTrackedPeers.Instance), "selector-tracked-peers.v1"));
        var reply = new TrackedPeersReply(["a", "b"]);
        var back = (TrackedPeersReply)serializer.FromBinary(serializer.ToBinary(reply), serializer.Manifest(reply));
        Assert.Equal(reply.PeerIds, back.PeerIds);
    }
}
