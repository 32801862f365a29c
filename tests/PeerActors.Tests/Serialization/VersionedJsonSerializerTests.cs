using FsCheck;
using FsCheck.Xunit;

namespace PeerActors.Tests.Serialization;

public sealed class VersionedJsonSerializerTests
{
    private static readonly SampleSerializer Serializer = new(null!);

    [Fact]
    public void Current_version_writes_exactly_the_golden_payload_under_its_manifest()
    {
        Assert.Equal("SampleNoted.v2", Serializer.Manifest(Golden.SampleNotedV2Value));
        Assert.Equal(Golden.SampleNotedV2, Golden.Text(Serializer.ToBinary(Golden.SampleNotedV2Value)));
    }

    [Theory]
    [InlineData("SampleNoted.v2", Golden.SampleNotedV2)]
    [InlineData("SampleNoted.v1", Golden.SampleNotedV1)]
    [InlineData("NoteSeen.v1", Golden.NoteSeenV1)]
    [InlineData("SampleForgotten.v1", Golden.SampleForgottenV1)]
    public void Every_golden_payload_still_deserializes(string manifest, string json)
    {
        var value = Serializer.FromBinary(Golden.Utf8(json), manifest);
        Assert.NotNull(value);
    }

    [Fact]
    public void V1_payload_is_upcast_to_the_current_type()
    {
        var value = Serializer.FromBinary(Golden.Utf8(Golden.SampleNotedV1), "SampleNoted.v1");
        Assert.Equal(new SampleNoted("npub1legacy", 77, SampleKind.Request, SampleSerializer.LegacyObservedAt), value);
    }

    [Fact]
    public void Json_document_upcaster_reads_a_renamed_and_restructured_type()
    {
        var value = Serializer.FromBinary(Golden.Utf8(Golden.NoteSeenV1), "NoteSeen.v1");
        Assert.Equal(new SampleNoted("old-peer", 3 * 1024, SampleKind.Request, SampleSerializer.LegacyObservedAt), value);
    }

    [Fact]
    public void Current_golden_payload_reads_back_equal()
    {
        Assert.Equal(Golden.SampleNotedV2Value, Serializer.FromBinary(Golden.Utf8(Golden.SampleNotedV2), "SampleNoted.v2"));
    }

    [Theory]
    [InlineData("SampleNoted.v3")]
    [InlineData("PeerActors.Tests.Serialization.SampleNoted")]
    [InlineData("")]
    public void Unknown_manifest_throws_SerializationException_naming_the_manifest(string manifest)
    {
        var e = Assert.Throws<SerializationException>(() => Serializer.FromBinary(Golden.Utf8(Golden.SampleNotedV2), manifest));
        Assert.Contains($"'{manifest}'", e.Message);
        Assert.Contains("SampleNoted.v2", e.Message); // lists what it can read
    }

    [Fact]
    public void Unregistered_type_throws_SerializationException_naming_the_type()
    {
        var e = Assert.Throws<SerializationException>(() => Serializer.ToBinary("just a string"));
        Assert.Contains("System.String", e.Message);
    }

    [Fact]
    public void Payload_not_matching_its_manifest_throws_naming_the_manifest()
    {
        // v2 requires peerId/kind/observedAt: a v1 payload under the v2 manifest is rejected, not half-read.
        var e = Assert.Throws<SerializationException>(() => Serializer.FromBinary(Golden.Utf8(Golden.SampleNotedV1), "SampleNoted.v2"));
        Assert.Contains("'SampleNoted.v2'", e.Message);
    }

    [Fact]
    public void Duplicate_registrations_are_rejected()
    {
        var registry = new ManifestRegistry().Register<SampleNoted>("SampleNoted", 2);
        Assert.Throws<ArgumentException>(() => registry.Register<SampleNoted>("Other", 1));
        Assert.Throws<ArgumentException>(() => registry.Register<SampleForgotten>("SampleNoted", 2));
        Assert.Throws<ArgumentException>(() => registry.Upcast<SampleNotedV1>("SampleNoted", 2, v => v));
    }

    [Theory]
    [InlineData("PeerStatsChanged", 1, "PeerStatsChanged.v1")]
    [InlineData("limit-set", 12, "limit-set.v12")]
    public void Manifest_is_name_dot_v_version(string name, int version, string expected)
    {
        Assert.Equal(expected, ManifestRegistry.Manifest(name, version));
    }

    [Theory]
    [InlineData("", 1)]
    [InlineData("1Bad", 1)]
    [InlineData("Has.Dot", 1)]
    [InlineData("Has Space", 1)]
    [InlineData("Good", 0)]
    public void Invalid_manifest_names_or_versions_are_rejected(string name, int version)
    {
        Assert.ThrowsAny<ArgumentException>(() => ManifestRegistry.Manifest(name, version));
    }

    [Property(MaxTest = 200)]
    public bool Round_trip_preserves_every_value(NonNull<string> peer, long bytes, bool payment, int seconds)
    {
        var peerId = new string(peer.Get.Select(c => char.IsSurrogate(c) ? 'x' : c).ToArray());
        var value = new SampleNoted(peerId, bytes, payment ? SampleKind.Payment : SampleKind.Request,
            DateTimeOffset.UnixEpoch.AddSeconds(seconds));
        var manifest = Serializer.Manifest(value);
        return value.Equals(Serializer.FromBinary(Serializer.ToBinary(value), manifest));
    }

    [Fact]
    public async Task Hocon_binding_makes_akka_pick_the_serializer_for_registered_types()
    {
        var config = SampleSerializer.Registry.ToHocon("sample-events", typeof(SampleSerializer))
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var system = ActorSystem.Create("serialization-binding", config);
        try
        {
            var serializer = system.Serialization.FindSerializerFor(Golden.SampleNotedV2Value);
            Assert.IsType<SampleSerializer>(serializer);
            var bytes = serializer.ToBinary(Golden.SampleNotedV2Value);
            var back = system.Serialization.Deserialize(bytes, serializer.Identifier, "SampleNoted.v2");
            Assert.Equal(Golden.SampleNotedV2Value, back);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
