using PeerActors.Serialization;

namespace PeerActors.Selection;

/// <summary>
/// Explicit, versioned serializer (id <see cref="SerializerId"/>, HOCON name <see cref="SerializerName"/>) of
/// the selector's messages, which cross nodes (peeractl, other nodes' selectors, the journal bootstrap's
/// <see cref="PublishScoreInputs"/>) and its durable state (<see cref="SelectorSnapshot"/>, <see cref="SelectorCheckpointMark"/>). Manifests: <c>selector-select.v1</c>, <c>selector-select-reply.v1</c>, …
/// (see <see cref="Registry"/>).
/// </summary>
/// <param name="system">The actor system (may be null in unit tests).</param>
public sealed class SelectorSerializer(ExtendedActorSystem system) : VersionedJsonSerializer(system, Registry, CreateOptions())
{
    /// <summary>The serializer id (stable forever).</summary>
    public const int SerializerId = 4105;

    /// <summary>The HOCON serializer name.</summary>
    public const string SerializerName = "peeractors-selector";

    /// <summary>Type ↔ manifest table.</summary>
    public static ManifestRegistry Registry { get; } = new ManifestRegistry()
        .Register<SelectPeers>("selector-select", 1)
        .Register<SelectPeersReply>("selector-select-reply", 1)
        .Register<GetSelectionSummary>("selector-summary", 1)
        .Register<SelectionSummaryReply>("selector-summary-reply", 1)
        .Register<SelectorRejected>("selector-rejected", 1)
        .Register<SelectorSyncRequest>("selector-sync-request", 1)
        .Register<SelectorSyncChunk>("selector-sync-chunk", 1)
        .Register<BootstrapFromJournal>("selector-bootstrap", 1)
        .Register<JournalBootstrapDone>("selector-bootstrap-done", 1)
        .Register<PublishScoreInputs>("selector-publish-inputs", 1)
        .Register<GetTrackedPeers>("selector-tracked-peers", 1)
        .Register<TrackedPeersReply>("selector-tracked-peers-reply", 1)
        // One per node and publish interval to every selector: Protocol Buffers (PeerProtoMapping); v1 JSON still read
        // from nodes not yet upgraded.
        .RegisterBinaryOverJson<PeerScoreInputsBatch>("selector-score-inputs-batch", 2, PeerProtoMapping.Write, PeerProtoMapping.ReadScoreInputsBatch)
        .Register<GetBans>("selector-get-bans", 1)
        .Register<BansReply>("selector-bans-reply", 1)
        // The selector's own durable state (snapshot store / journal of its checkpoint helper).
        // Protocol Buffers: about 5x smaller than its JSON (the entries are the score inputs' binary form).
        .RegisterBinaryOverJson<SelectorSnapshot>("selector-snapshot", 2, PeerProtoMapping.Write, PeerProtoMapping.ReadSelectorSnapshot)
        .Register<SelectorCheckpointMark>("selector-checkpoint-mark", 1)
        .Register<SaveSelectorSnapshot>("selector-save-snapshot", 1)
        .Register<SaveSelectorSnapshotAtMark>("selector-save-snapshot-at-mark", 1)
        .Register<SelectorSnapshotSaved>("selector-snapshot-saved", 1)
        .Register<GetSelectorBootstrapStatus>("selector-bootstrap-status", 1)
        .Register<SelectorBootstrapStatus>("selector-bootstrap-status-reply", 1);

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <summary>The same JSON options as the peer serializer (PeerId written as its string).</summary>
    /// <returns>New options.</returns>
    public static JsonSerializerOptions CreateOptions() => PeerSerializer.CreateOptions();
}
