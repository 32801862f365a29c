using System.Text.Json;

namespace PeerActors.Tests.Serialization;

public enum SampleKind { Request, Payment }

/// <summary>Current shape (v2) of a sample event.</summary>
public sealed record SampleNoted(string PeerId, long Bytes, SampleKind Kind, DateTimeOffset ObservedAt);

/// <summary>Another registered type, to check the table keeps them apart.</summary>
public sealed record SampleForgotten(string PeerId);

/// <summary>Legacy v1 shape: "peer" instead of "peerId", no kind, no time.</summary>
internal sealed record SampleNotedV1(string Peer, long Bytes);

/// <summary>Test serializer: how a real one (peer events) is declared.</summary>
public sealed class SampleSerializer(ExtendedActorSystem system) : VersionedJsonSerializer(system, Registry)
{
    public static readonly DateTimeOffset LegacyObservedAt = DateTimeOffset.UnixEpoch;

    public static readonly ManifestRegistry Registry = new ManifestRegistry()
        .Register<SampleNoted>("SampleNoted", 2)
        .Register<SampleForgotten>("SampleForgotten", 1)
        // v1 → v2 through the legacy record.
        .Upcast<SampleNotedV1>("SampleNoted", 1, v1 => new SampleNoted(v1.Peer, v1.Bytes, SampleKind.Request, LegacyObservedAt))
        // The type was once called "NoteSeen" and stored bytes in kilobytes as "kb": upcast on the raw document.
        .UpcastJson("NoteSeen", 1, (json, _) => new SampleNoted(
            json.GetProperty("id").GetString()!, json.GetProperty("kb").GetInt64() * 1024, SampleKind.Request, LegacyObservedAt));

    public override int Identifier => 4990;
}

/// <summary>
/// The golden-payload pattern: every manifest ever written has a committed JSON string here. A test
/// asserts the current type still writes exactly its golden bytes, and that every golden payload (all
/// versions) still reads. Never edit a golden string: add a new version + upcaster instead.
/// </summary>
public static class Golden
{
    public const string SampleNotedV2 =
        """{"peerId":"12D3KooWPeer","bytes":1024,"kind":"Payment","observedAt":"2025-01-02T03:04:05.006+00:00"}""";

    public static readonly SampleNoted SampleNotedV2Value =
        new("12D3KooWPeer", 1024, SampleKind.Payment, new DateTimeOffset(2025, 1, 2, 3, 4, 5, 6, TimeSpan.Zero));

    public const string SampleNotedV1 = """{"peer":"npub1legacy","bytes":77}""";

    public const string NoteSeenV1 = """{"id":"old-peer","kb":3}""";

    public const string SampleForgottenV1 = """{"peerId":"gone"}""";

    public static byte[] Utf8(string json) => System.Text.Encoding.UTF8.GetBytes(json);

    public static string Text(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    public static JsonDocument Parse(string json) => JsonDocument.Parse(json);
}
