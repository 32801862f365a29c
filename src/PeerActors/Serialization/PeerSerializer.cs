using System.Text.Json.Serialization;
using PeerActors.Peers;

namespace PeerActors.Serialization;

/// <summary>
/// Explicit, versioned serializer (id <see cref="SerializerId"/>, HOCON name <see cref="SerializerName"/>) of every
/// peer-actor event and snapshot and of every message that crosses nodes: the commands and queries of
/// PeerCommands.cs, the replies of PeerReplies.cs, <see cref="PeerStop"/> and <see cref="PeerScoreInputs"/>.
/// Manifests (<c>peer-flushed-delta.v2</c>, …) are independent of CLR names; see <see cref="Registry"/>. The frequent
/// events and the snapshot are written as Protocol Buffers (<c>Serialization/Proto/peer_events.proto</c>), everything
/// else as JSON; every manifest ever written stays readable.
/// </summary>
/// <param name="system">The actor system (may be null in unit tests).</param>
public sealed class PeerSerializer(ExtendedActorSystem system) : VersionedJsonSerializer(system, Registry, CreateOptions())
{
    /// <summary>The serializer id (stable forever: stored events refer to it).</summary>
    public const int SerializerId = 4101;

    /// <summary>The HOCON serializer name.</summary>
    public const string SerializerName = "peeractors-peers";

    /// <summary>Type ↔ manifest table: events, snapshot, commands, queries, replies, stop message, score inputs.</summary>
    public static ManifestRegistry Registry { get; } = new ManifestRegistry()
        // Persisted events and snapshot. The frequent ones are Protocol Buffers (Serialization/Proto/peer_events.proto,
        // PeerProtoMapping): a flush delta on the real sample is several times smaller than its JSON. Their JSON
        // versions stay readable forever (stored journals); bans are rare and stay JSON.
        .RegisterBinaryOverJson<ObservationsDelta>("peer-flushed-delta", 2, PeerProtoMapping.Write, PeerProtoMapping.ReadDelta)
        .RegisterBinaryOverJson<ObservationsFlushed>("peer-flushed", 2, PeerProtoMapping.Write, PeerProtoMapping.ReadFlushed)
        .RegisterBinaryOverJson<PaymentRecorded>("peer-payment", 2, PeerProtoMapping.Write, PeerProtoMapping.ReadPayment)
        .RegisterBinaryOverJson<ReceiptRecorded>("peer-receipt", 2, PeerProtoMapping.Write, PeerProtoMapping.ReadReceipt)
        .RegisterBinaryOverJson<PaymentDefaultRecorded>("peer-payment-default", 2, PeerProtoMapping.Write, PeerProtoMapping.ReadPaymentDefault)
        .RegisterBinaryOverJson<ChannelOpened>("peer-channel-opened", 2, PeerProtoMapping.Write, PeerProtoMapping.ReadChannelOpened)
        .RegisterBinaryOverJson<ChannelClosed>("peer-channel-closed", 2, PeerProtoMapping.Write, PeerProtoMapping.ReadChannelClosed)
        .Register<PeerBanned>("peer-banned", 1)
        .Register<PeerUnbanned>("peer-unbanned", 1)
        .RegisterBinaryOverJson<PeerSnapshot>("peer-snapshot", 3, PeerProtoMapping.Write, PeerProtoMapping.ReadSnapshot)
        .Upcast<PeerSnapshotV1>("peer-snapshot", 1, v1 => new PeerSnapshot(v1.State))
        // commands
        .Register<RecordRequest>("peer-cmd-request", 1)
        .Register<RecordSuccess>("peer-cmd-success", 1)
        .Register<RecordTimeout>("peer-cmd-timeout", 1)
        .Register<RecordFailure>("peer-cmd-failure", 1)
        .Register<RecordBytes>("peer-cmd-bytes", 1)
        .Register<PeerOnline>("peer-cmd-online", 1)
        .Register<PeerOffline>("peer-cmd-offline", 1)
        .Register<PeerServes>("peer-cmd-serves", 1)
        .Register<OpenChannel>("peer-cmd-open-channel", 1)
        .Register<CloseChannel>("peer-cmd-close-channel", 1)
        .Register<RecordPayment>("peer-cmd-payment", 1)
        .Register<RecordReceipt>("peer-cmd-receipt", 1)
        .Register<RecordPaymentDefault>("peer-cmd-payment-default", 1)
        .Register<Forget>("peer-cmd-forget", 1)
        .Register<Ban>("peer-cmd-ban", 1)
        .Register<Unban>("peer-cmd-unban", 1)
        .Register<PeerStop>("peer-stop", 1)
        // queries
        .Register<GetPeerStats>("peer-get-stats", 1)
        .Register<GetChannelUptime>("peer-get-channel-uptime", 1)
        .Register<GetFlapCount>("peer-get-flap-count", 1)
        .Register<GetBandwidth>("peer-get-bandwidth", 1)
        // replies
        .Register<CommandAck>("peer-ack", 1)
        .Register<CommandRejected>("peer-rejected", 1)
        .Register<PeerStatsReply>("peer-stats-reply", 1)
        .Register<ChannelUptimeReply>("peer-channel-uptime-reply", 1)
        .Register<FlapCountReply>("peer-flap-count-reply", 1)
        .Register<BandwidthReply>("peer-bandwidth-reply", 1)
        // Published to every node's selector and limit actors after each flush: the hottest remote message, so binary
        // too (v1 still read, from nodes not yet upgraded).
        .RegisterBinaryOverJson<PeerScoreInputs>("peer-score-inputs", 2, PeerProtoMapping.Write, PeerProtoMapping.ReadScoreInputs);

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <summary>The base's default options plus a converter writing <see cref="PeerId"/> as its string.</summary>
    /// <returns>New options.</returns>
    public static JsonSerializerOptions CreateOptions()
    {
        var o = CreateDefaultOptions();
        o.Converters.Add(new PeerIdJsonConverter());
        return o;
    }

    /// <summary>Shape of <c>peer-snapshot.v1</c> (before bans): the state only.</summary>
    /// <param name="State">The absolute state.</param>
    private sealed record PeerSnapshotV1(PeerStateData State);

    /// <summary>Writes a <see cref="PeerId"/> as a JSON string; reading validates it.</summary>
    private sealed class PeerIdJsonConverter : JsonConverter<PeerId>
    {
        public override PeerId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            PeerId.Parse(reader.GetString());

        public override void Write(Utf8JsonWriter writer, PeerId value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Value);
    }
}
