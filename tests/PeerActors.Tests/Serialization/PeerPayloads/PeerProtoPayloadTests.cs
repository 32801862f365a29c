using System.Text.Json;
using System.Text.Json.Serialization;
using Wire = PeerActors.Serialization.Proto;

namespace PeerActors.Tests.Serialization.PeerPayloads;

/// <summary>
/// An independent structural oracle for peer payload values: their JSON text (every public property, doubles in
/// round-trip form with -0 and NaN kept, null lists distinct from empty ones). Record equality is not enough: lists in
/// <see cref="ObservationsFlushed"/> and <see cref="PeerSnapshot"/> compare by reference, and -0.0 equals 0.0.
/// </summary>
public static class PeerPayloadOracle
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    public static string Text(object value) => JsonSerializer.Serialize(value, value.GetType(), Options);

    public static void AssertSame(object expected, object actual)
    {
        Assert.IsType(expected.GetType(), actual);
        Assert.Equal(Text(expected), Text(actual));
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var o = PeerSerializer.CreateOptions();
        o.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        return o;
    }
}

public sealed class PeerProtoPayloadTests
{
    private readonly PeerSerializer _serializer = new(null!);

    public static TheoryData<string> ProtoManifests()
    {
        var data = new TheoryData<string>();
        foreach (var m in PeerProtoGoldenPayloads.ByManifest.Keys) data.Add(m);
        return data;
    }

    private static byte[] Golden(string manifest) => Convert.FromBase64String(PeerProtoGoldenPayloads.ByManifest[manifest]);

    [Theory]
    [MemberData(nameof(ProtoManifests))]
    public void Proto_golden_payload_still_reads_as_its_sample(string manifest)
    {
        PeerPayloadOracle.AssertSame(PeerProtoSamples.ByManifest[manifest], _serializer.FromBinary(Golden(manifest), manifest));
    }

    [Theory]
    [MemberData(nameof(ProtoManifests))]
    public void Serializer_writes_exactly_the_proto_golden_bytes_under_the_same_manifest(string manifest)
    {
        var sample = PeerProtoSamples.ByManifest[manifest];
        Assert.Equal(manifest, _serializer.Manifest(sample));
        Assert.Equal(PeerProtoGoldenPayloads.ByManifest[manifest], Convert.ToBase64String(_serializer.ToBinary(sample)));
    }

    [Fact]
    public void Golden_snapshot_keeps_minus_zero_the_empty_mark_list_the_ban_and_the_compacted_log()
    {
        var read = (PeerSnapshot)_serializer.FromBinary(Golden("peer-snapshot.v3"), "peer-snapshot.v3");
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(read.State.Stats.ThroughputBurst));
        Assert.Equal(BitConverter.DoubleToInt64Bits(0.1 + 0.2), BitConverter.DoubleToInt64Bits(read.State.Stats.RttvarMs));
        Assert.Equal(ulong.MaxValue, read.State.Stats.PaidSat);
        Assert.NotNull(read.Deliveries);
        Assert.Empty(read.Deliveries);
        Assert.Equal("spam: 40 defaults in 1 h", read.Ban!.Reason);
        Assert.Equal(TimeSpan.FromHours(50.25), read.State.Log.Prefix!.OnlineBeforeBoundary);
        Assert.Equal(new Core.Bandwidth.OlderBytes(492_100, 492_259, 7, 0), read.State.Bandwidth.Older);
        Assert.Equal(TimeSpan.Zero, read.State.Stats.ConnectedAt.Offset);
    }

    [Fact]
    public void Golden_delta_reads_its_window_and_both_delivery_marks()
    {
        var read = (ObservationsDelta)_serializer.FromBinary(Golden("peer-flushed-delta.v2"), "peer-flushed-delta.v2");
        Assert.Equal(["127.0.0.1:4053/0a1b2c3d4e5f", "10.0.0.7:4053/ffeeddccbbaa"], read.Deliveries!.Select(m => m.ProducerId));
        Assert.Equal(9_000_000_001, read.Deliveries![1].SeqNr);
        Assert.Equal(["/live/2.1.0"], read.Window!.AddedProtocols);
        Assert.Empty(read.Window.AddedServices);
        Assert.Equal(8, read.Window.Log.FlapCount);
    }

    [Theory]
    [MemberData(nameof(ProtoManifests))]
    public void Every_truncation_of_a_proto_payload_is_a_serialization_error_naming_the_manifest(string manifest)
    {
        var bytes = Golden(manifest);
        for (var length = 0; length < bytes.Length; length++)
        {
            var cut = bytes[..length];
            var e = Assert.Throws<SerializationException>(() => _serializer.FromBinary(cut, manifest));
            Assert.Contains($"'{manifest}'", e.Message);
            Assert.Contains($"({length} bytes)", e.Message);
        }
    }

    [Fact]
    public void A_cut_at_a_field_boundary_is_reported_as_truncated()
    {
        // The payment event's last field before the end mark is complete here: only the missing mark reveals the cut.
        var bytes = Golden("peer-receipt.v2");
        var e = Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes[..^2], "peer-receipt.v2"));
        Assert.Contains("truncated payload", e.Message);
    }

    [Theory]
    [InlineData("peer-flushed-delta.v2")]
    [InlineData("peer-snapshot.v3")]
    [InlineData("peer-payment.v2")]
    public void Garbage_or_a_json_payload_under_a_proto_manifest_is_a_serialization_error_naming_the_manifest(string manifest)
    {
        byte[][] payloads =
        [
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            System.Text.Encoding.UTF8.GetBytes(PeerGoldenPayloads.ByManifest["peer-flushed-delta.v1"]),
        ];
        foreach (var payload in payloads)
        {
            var e = Assert.Throws<SerializationException>(() => _serializer.FromBinary(payload, manifest));
            Assert.Contains($"'{manifest}'", e.Message);
        }
    }

    [Fact]
    public void A_stored_invalid_peer_id_is_a_serialization_error()
    {
        var sample = (ObservationsDelta)PeerProtoSamples.ByManifest["peer-flushed-delta.v2"];
        var proto = Wire.FlushDelta.Parser.ParseFrom(_serializer.ToBinary(sample));
        proto.Window.Stats.PeerId = "";
        var e = Assert.Throws<SerializationException>(() => _serializer.FromBinary(Google.Protobuf.MessageExtensions.ToByteArray(proto), "peer-flushed-delta.v2"));
        Assert.Contains("peerId", e.Message);
    }

    [Fact]
    public void A_flush_without_its_counts_is_a_serialization_error_naming_the_missing_field()
    {
        var proto = new Wire.FlushDelta { FromUtcTicks = 1, ToUtcTicks = 2, End = true };
        var e = Assert.Throws<SerializationException>(() => _serializer.FromBinary(Google.Protobuf.MessageExtensions.ToByteArray(proto), "peer-flushed-delta.v2"));
        Assert.Contains("'counts'", e.Message);
    }

    [Fact]
    public void A_delta_that_only_moved_delivery_marks_round_trips_with_a_null_window()
    {
        var marksOnly = new ObservationsDelta(PeerProtoSamples.T0, PeerProtoSamples.T0, ObservationCounts.Empty, null,
            [new PeerActors.Delivery.DeliveryMark("p", 1)]);
        var back = _serializer.FromBinary(_serializer.ToBinary(marksOnly), "peer-flushed-delta.v2");
        PeerPayloadOracle.AssertSame(marksOnly, back);
        Assert.Null(((ObservationsDelta)back).Window);
    }
}
