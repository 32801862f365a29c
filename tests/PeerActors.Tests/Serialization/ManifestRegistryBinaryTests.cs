using System.Buffers.Binary;

namespace PeerActors.Tests.Serialization;

/// <summary>A type that moved from JSON (<c>tick.v1</c>) to a binary form of its own (<c>tick.v2</c>: 8 bytes, little-endian).</summary>
public sealed record Tick(long Value);

/// <summary>Serializer over <see cref="TickSerializer.Registry"/> (id 9301, tests only).</summary>
public sealed class TickSerializer(ExtendedActorSystem system) : VersionedJsonSerializer(system, Registry)
{
    public static ManifestRegistry Registry { get; } = new ManifestRegistry()
        .RegisterBinary<Tick>("tick", 2, Write, Read)
        .ReadJson<Tick>("tick", 1);

    public override int Identifier => 9301;

    private static byte[] Write(Tick t)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, t.Value);
        return bytes;
    }

    private static Tick Read(ReadOnlySpan<byte> payload) => payload.Length == 8
        ? new Tick(BinaryPrimitives.ReadInt64LittleEndian(payload))
        : throw new InvalidDataException($"expected 8 bytes, got {payload.Length}");
}

public sealed class ManifestRegistryBinaryTests
{
    private static readonly TickSerializer Serializer = new(null!);

    [Fact]
    public void A_binary_type_is_written_by_its_own_writer_under_its_current_manifest()
    {
        Assert.Equal("tick.v2", Serializer.Manifest(new Tick(1)));
        Assert.Equal(new byte[] { 0x2A, 0, 0, 0, 0, 0, 0, 0 }, Serializer.ToBinary(new Tick(42)));
        Assert.Equal(new Tick(-7), Serializer.FromBinary(Serializer.ToBinary(new Tick(-7)), "tick.v2"));
    }

    [Fact]
    public void The_json_manifest_the_type_was_stored_under_before_still_reads()
    {
        Assert.Equal(new Tick(42), Serializer.FromBinary(Encoding.UTF8.GetBytes("""{"value":42}"""), "tick.v1"));
        Assert.Equal(["tick.v1", "tick.v2"], TickSerializer.Registry.ReadableManifests.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_binary_reader_error_is_a_serialization_error_naming_the_manifest_and_the_size()
    {
        var e = Assert.Throws<SerializationException>(() => Serializer.FromBinary([1, 2, 3], "tick.v2"));
        Assert.Equal("TickSerializer failed to read manifest 'tick.v2' (3 bytes): expected 8 bytes, got 3", e.Message);
    }

    [Fact]
    public void A_type_is_written_under_one_manifest_only()
    {
        Assert.Throws<ArgumentException>(() => new ManifestRegistry().Register<Tick>("tick", 1).RegisterBinary<Tick>("tick", 2, _ => [], _ => new Tick(0)));
        Assert.Throws<ArgumentException>(() => new ManifestRegistry().RegisterBinary<Tick>("tick", 2, _ => [], _ => new Tick(0)).ReadJson<Tick>("tick", 2));
    }
}
