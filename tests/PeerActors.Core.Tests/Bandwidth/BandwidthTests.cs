using System.Text.Json;

namespace PeerActors.Core.Tests.Bandwidth;

public class BandwidthTests
{
    internal static readonly DateTimeOffset T0 = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("peer", "session", "peer")]
    [InlineData(null, "session", "session")]
    [InlineData("", "session", "session")]
    [InlineData("  ", "session", "session")]
    [InlineData("peer", null, "peer")]
    [InlineData(" Peer ", null, " Peer ")] // opaque: used verbatim
    public void Identity_falls_back_to_session_id(string? peerId, string? sessionId, string expected)
    {
        Assert.Equal(expected, PeerIdentity.Resolve(peerId, sessionId));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", " ")]
    public void Identity_requires_one_id(string? peerId, string? sessionId)
    {
        var ex = Assert.Throws<InvalidInputException>(() => PeerIdentity.Resolve(peerId, sessionId));
        Assert.Equal("peerId", ex.Field);
    }

    [Theory]
    [InlineData("1970-01-01T00:00:00Z", 0)]
    [InlineData("1970-01-01T00:59:59.9999999Z", 0)]
    [InlineData("1970-01-01T01:00:00Z", 1)]
    [InlineData("1969-12-31T23:59:59Z", -1)]
    [InlineData("1969-12-31T23:00:00Z", -1)]
    [InlineData("1969-12-31T22:59:59Z", -2)]
    [InlineData("2024-03-01T12:30:00+02:00", 474_802)] // 10:30Z
    public void Epochs_are_aligned_to_unix_epoch(string at, long expected)
    {
        var options = BandwidthOptions.Default;
        var instant = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, options.EpochOf(instant));
        Assert.True(options.EpochStart(expected) <= instant && instant < options.EpochStart(expected + 1));
    }

    [Fact]
    public void Peer_totals_and_epoch_buckets_keep_directions_apart()
    {
        var p = new PeerBandwidth();
        p.Record(TrafficDirection.Ingress, 100, T0);
        p.Record(TrafficDirection.Egress, 7, T0.AddMinutes(10));
        p.Record(TrafficDirection.Ingress, 50, T0.AddHours(1));
        p.Record(TrafficDirection.Ingress, 0, T0.AddHours(5)); // no-op, no bucket
        Assert.Equal(150, p.IngressBytes);
        Assert.Equal(7, p.EgressBytes);
        var e0 = BandwidthOptions.Default.EpochOf(T0);
        Assert.Equal([new EpochBytes(e0, 100, 7), new EpochBytes(e0 + 1, 50, 0)], p.Epochs);
    }

    [Fact]
    public void Negative_bytes_and_bad_direction_are_rejected_without_change()
    {
        var ledger = new BandwidthLedger();
        ledger.Record("p", null, TrafficDirection.Ingress, 10, T0);
        var ex = Assert.Throws<InvalidInputException>(() => ledger.Record("p", null, TrafficDirection.Ingress, -1, T0));
        Assert.Equal("bytes", ex.Field);
        Assert.Throws<InvalidInputException>(() => ledger.Record("p", null, (TrafficDirection)7, 1, T0));
        Assert.Throws<InvalidInputException>(() => ledger.Record(null, null, TrafficDirection.Ingress, 1, T0));
        Assert.Throws<InvalidInputException>(() => ledger.Record("q", null, TrafficDirection.Ingress, -5, T0));
        Assert.Equal(10, ledger.IngressBytes);
        Assert.Equal(1, ledger.PeerCount); // "q" was not created
    }

    [Fact]
    public void A_peer_counter_refuses_overflow_and_stays_exact()
    {
        var ledger = new BandwidthLedger();
        ledger.Record("p", null, TrafficDirection.Egress, long.MaxValue, T0);
        var e = Assert.Throws<InvalidInputException>(() => ledger.Record("p", null, TrafficDirection.Egress, 1, T0));
        Assert.Equal("bytes", e.Field);
        Assert.Equal(long.MaxValue, ledger.EgressBytes);
        Assert.Equal(long.MaxValue, ledger.Peers["p"].EgressBytes);
    }

    [Fact]
    public void Ledger_aggregates_sessions_of_the_same_peer_and_falls_back_to_session()
    {
        var ledger = new BandwidthLedger();
        Assert.Equal("peer-A", ledger.Record("peer-A", "s1", TrafficDirection.Ingress, 10, T0));
        ledger.Record("peer-A", "s2", TrafficDirection.Ingress, 5, T0);
        Assert.Equal("s3", ledger.Record(null, "s3", TrafficDirection.Ingress, 1, T0));
        Assert.Equal(15, ledger.Peers["peer-A"].IngressBytes);
        Assert.Equal(1, ledger.Peers["s3"].IngressBytes);
        Assert.Equal(16, ledger.IngressBytes);
    }

    [Fact]
    public void Retention_folds_old_epochs_into_an_older_bucket_keeping_sums()
    {
        var options = new BandwidthOptions { MaxEpochs = 2 };
        var ledger = new BandwidthLedger(options);
        for (var h = 0; h < 5; h++) ledger.Record("p", null, TrafficDirection.Ingress, 10 + h, T0.AddHours(h));
        var p = ledger.Peers["p"];
        var e0 = options.EpochOf(T0);
        Assert.Equal(2, p.Epochs.Count);
        Assert.Equal(new OlderBytes(e0, e0 + 2, 10 + 11 + 12, 0), p.Older);

        ledger.Record("p", null, TrafficDirection.Egress, 3, T0.AddHours(1)); // late: goes to the older bucket
        Assert.Equal(new OlderBytes(e0, e0 + 2, 33, 3), p.Older);

        var export = ledger.Export();
        Assert.Equal(3, export.Rows.Count);
        Assert.Equal(options.EpochStart(e0), export.Rows[0].EpochStart);
        Assert.Equal(options.EpochStart(e0 + 3), export.Rows[0].EpochEnd);
        Assert.Equal(ledger.IngressBytes, export.Rows.Sum(r => r.IngressBytes));
        Assert.Equal(ledger.EgressBytes, export.Rows.Sum(r => r.EgressBytes));
    }

    [Fact]
    public void Export_is_ordered_and_filtered_by_window()
    {
        var ledger = new BandwidthLedger();
        ledger.Record("b", null, TrafficDirection.Ingress, 1, T0);
        ledger.Record("a", null, TrafficDirection.Ingress, 2, T0);
        ledger.Record("a", null, TrafficDirection.Egress, 3, T0.AddHours(2));
        var all = ledger.Export();
        Assert.Equal(["a", "b", "a"], all.Rows.Select(r => r.PeerId));
        Assert.Equal((3L, 3L), (all.IngressBytes, all.EgressBytes));

        var window = ledger.Export(T0.AddHours(1), T0.AddHours(3));
        var row = Assert.Single(window.Rows);
        Assert.Equal(new BandwidthExportRow(T0.AddHours(2), T0.AddHours(3), "a", 0, 3), row);
        Assert.Throws<InvalidInputException>(() => ledger.Export(T0.AddHours(1), T0));
    }

    [Fact]
    public void Export_json_round_trips_rows_and_sums()
    {
        var ledger = new BandwidthLedger();
        ledger.Record("a", null, TrafficDirection.Ingress, 2, T0);
        ledger.Record("b", null, TrafficDirection.Egress, 9, T0.AddHours(1));
        using var doc = JsonDocument.Parse(ledger.ExportJson());
        var rows = doc.RootElement.GetProperty("rows");
        Assert.Equal(2, rows.GetArrayLength());
        Assert.Equal("a", rows[0].GetProperty("peerId").GetString());
        Assert.Equal(T0, rows[0].GetProperty("epochStart").GetDateTimeOffset());
        Assert.Equal(2, rows.EnumerateArray().Sum(r => r.GetProperty("ingressBytes").GetInt64()));
        Assert.Equal(9, doc.RootElement.GetProperty("egressBytes").GetInt64());
    }

    [Fact]
    public void Peer_state_round_trips_exactly()
    {
        var options = new BandwidthOptions { MaxEpochs = 3 };
        var p = new PeerBandwidth(options);
        for (var h = 0; h < 10; h++) p.Record(h % 2 == 0 ? TrafficDirection.Ingress : TrafficDirection.Egress, 100 * h + 1, T0.AddHours(h));
        var state = p.ToState();
        Assert.Equal(state, PeerBandwidth.FromState(state, options).ToState());
    }

    [Fact]
    public void Changing_epoch_length_rebuckets_and_keeps_sums()
    {
        var p = new PeerBandwidth();
        for (var h = 0; h < 6; h++) p.Record(TrafficDirection.Ingress, h + 1, T0.AddHours(h)); // T0 is 12:00Z
        var daily = PeerBandwidth.FromState(p.ToState(), new BandwidthOptions { EpochLength = TimeSpan.FromDays(1) });
        Assert.Equal(21, daily.IngressBytes);
        Assert.Equal([new EpochBytes(daily.Options.EpochOf(T0), 21, 0)], daily.Epochs);
    }

    [Fact]
    public void Inconsistent_state_is_rejected()
    {
        var bad = new PeerBandwidthState(TimeSpan.FromHours(1), 10, 0, [new EpochBytes(1, 9, 0)], null);
        Assert.Throws<InvalidInputException>(() => PeerBandwidth.FromState(bad));
        var negative = new PeerBandwidthState(TimeSpan.FromHours(1), 0, 0, [new EpochBytes(1, -1, 1)], null);
        Assert.Throws<InvalidInputException>(() => PeerBandwidth.FromState(negative));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Options_reject_bad_values(int hours)
    {
        Assert.Throws<InvalidInputException>(() => new BandwidthLedger(new BandwidthOptions { EpochLength = TimeSpan.FromHours(hours) }));
        Assert.Throws<InvalidInputException>(() => new BandwidthLedger(new BandwidthOptions { MaxEpochs = hours }));
    }

    [Fact]
    public void Ledger_load_rebuilds_totals()
    {
        var p = new PeerBandwidth();
        p.Record(TrafficDirection.Ingress, 5, T0);
        var ledger = new BandwidthLedger();
        ledger.Record("x", null, TrafficDirection.Egress, 1, T0);
        ledger.Load("p", p.ToState());
        Assert.Equal((5L, 1L), (ledger.IngressBytes, ledger.EgressBytes));
    }

    // Issue #12, finding 5: node-wide totals and export sums are 128-bit (they used to saturate at 2^63−1).
    [Fact]
    public void Ledger_totals_and_export_sums_of_two_max_peers_are_exact()
    {
        var ledger = new BandwidthLedger();
        ledger.Record("a", null, TrafficDirection.Ingress, long.MaxValue, T0);
        ledger.Record("b", null, TrafficDirection.Ingress, long.MaxValue, T0);
        var twice = (Int128)long.MaxValue * 2;
        Assert.Equal(twice, ledger.IngressBytes);
        Assert.Equal(twice, ledger.Export().IngressBytes);
        Assert.Contains("\"ingressBytes\":18446744073709551614", ledger.ExportJson());
    }
}
