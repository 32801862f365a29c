using static PeerActors.Tests.SelectionActor.SelectorTestData;

namespace PeerActors.Tests.SelectionActor;

public class SelectorSerializerTests
{
    private static readonly SelectorSerializer Serializer = new(null!);

    private static T RoundTrip<T>(T value) where T : notnull
    {
        var bytes = Serializer.ToBinary(value);
        return (T)Serializer.FromBinary(bytes, Serializer.Manifest(value));
    }

    [Fact]
    public void Query_and_reply_round_trip_under_stable_manifests()
    {
        var q = new SelectPeers(SelectionStrategy.TitForTat, 5, false, 0.3, 2, ["a", "b"], "/bitswap", "blob", 7, T0);
        Assert.Equal("selector-select.v1", Serializer.Manifest(q));
        var back = RoundTrip(q);
        var none = new HashSet<Core.Identity.PeerId>();
        Assert.Equal(q.ToQuery() with { Exclude = none }, back.ToQuery() with { Exclude = none });
        Assert.Equal(["a", "b"], back.Exclude);

        var reply = new SelectPeersReply([new SelectedPeer("a", 0.75, new ScoreInputs(0.75, 1, 0.5, 0.3, 12, 0.9, 40, 10, TimeSpan.FromSeconds(2)))],
            false, 3, ["hog"], 4, T0);
        var r2 = RoundTrip(reply);
        Assert.Equal(reply.Peers, r2.Peers);
        Assert.Equal(reply.FairnessDropped, r2.FairnessDropped);
        Assert.Equal((reply.CandidateCount, reply.TrackedPeers, reply.Now), (r2.CandidateCount, r2.TrackedPeers, r2.Now));
    }

    [Fact]
    public void Summary_sync_chunk_and_wake_message_round_trip()
    {
        var summary = new SelectionSummaryReply(new SelectionSummary(3, 20, 18, 2, 1, 200, 0.9), T0);
        Assert.Equal(summary, RoundTrip(summary));
        Assert.Equal(new GetSelectionSummary(T0), RoundTrip(new GetSelectionSummary(T0)));

        var chunk = new SelectorSyncChunk(Guid.NewGuid(), 2, [Inputs(Peer("p1", 10, 9, 50, lastSuccess: T0), version: 42, protocols: ["/x"])], true);
        var c2 = RoundTrip(chunk);
        Assert.Equal(chunk.Entries[0].Stats, c2.Entries[0].Stats);
        Assert.Equal(42, c2.Entries[0].Version);
        Assert.Equal(["/x"], c2.Entries[0].Protocols);

        var wake = new PublishScoreInputs("peer-1");
        Assert.Equal("selector-publish-inputs.v1", Serializer.Manifest(wake));
        Assert.Equal(wake, RoundTrip(wake));
        Assert.Equal("peer-1", wake.EntityId);
    }

    [Fact]
    public void Score_inputs_batch_round_trips_under_its_manifest()
    {
        var batch = new PeerScoreInputsBatch([Inputs(Peer("p1", 10, 9, 50, lastSuccess: T0), version: 7), Inputs(Peer("p2", 3, 1, 80), version: 2)]);
        Assert.Equal("selector-score-inputs-batch.v2", Serializer.Manifest(batch));
        var back = RoundTrip(batch);
        Assert.Equal(batch.Updates.Select(u => (u.Stats, u.Version)), back.Updates.Select(u => (u.Stats, u.Version)));
    }

    [Fact]
    public void A_v1_json_score_inputs_batch_from_a_node_not_yet_upgraded_still_reads()
    {
        var batch = new PeerScoreInputsBatch([Inputs(Peer("p1", 10, 9, 50, lastSuccess: T0), version: 7, protocols: ["/x"])]);
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(batch, Serializer.Options);
        var back = (PeerScoreInputsBatch)Serializer.FromBinary(json, "selector-score-inputs-batch.v1");
        Assert.Equal(batch.Updates[0].Stats, back.Updates[0].Stats);
        Assert.Equal(["/x"], back.Updates[0].Protocols);
    }

    [Fact]
    public void Selector_snapshot_keeps_inputs_versions_bans_tombstones_and_offset_under_its_manifest()
    {
        var banned = Inputs(Peer("p1", 10, 9, 50, lastSuccess: T0), version: 7, protocols: ["/x"]) with { BannedUntil = T0.AddHours(1), BanReason = "spam" };
        var snapshot = new SelectorSnapshot(1234, T0, [banned, Inputs(Peer("p2", 3, 1, 80), version: 2)], [new SelectorTombstone("gone", 9)]);
        Assert.Equal("selector-snapshot.v2", Serializer.Manifest(snapshot));
        var back = RoundTrip(snapshot);
        // A v1 (JSON) snapshot saved before the binary form still loads.
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(snapshot, Serializer.Options);
        var fromJson = (SelectorSnapshot)Serializer.FromBinary(json, "selector-snapshot.v1");
        Assert.Equal(Serializer.ToBinary(snapshot), Serializer.ToBinary(fromJson));
        Assert.Equal((1234L, T0), (back.Offset, back.SavedAt));
        Assert.Equal(snapshot.Entries.Select(u => (u.Stats, u.Version, u.BannedUntil, u.BanReason)), back.Entries.Select(u => (u.Stats, u.Version, u.BannedUntil, u.BanReason)));
        Assert.Equal(["/x"], back.Entries[0].Protocols);
        Assert.Equal(snapshot.Forgotten, back.Forgotten);

        Assert.Equal("selector-checkpoint-mark.v1", Serializer.Manifest(new SelectorCheckpointMark(T0)));
        Assert.Equal(new SelectorCheckpointMark(T0), RoundTrip(new SelectorCheckpointMark(T0)));
        Assert.Equal(new SelectorBootstrapStatus("snapshot", true, 3, 1234, 0, null), RoundTrip(new SelectorBootstrapStatus("snapshot", true, 3, 1234, 0, null)));
    }

    [Theory]
    [InlineData(nameof(SelectorOptions.WakeMaxInFlight))]
    [InlineData(nameof(SelectorOptions.SnapshotInterval))]
    [InlineData(nameof(SelectorOptions.SnapshotPersistenceId))]
    [InlineData(nameof(SelectorOptions.SnapshotApplyChunkSize))]
    public void Selector_options_name_the_bad_start_up_setting(string field)
    {
        var bad = field switch
        {
            nameof(SelectorOptions.WakeMaxInFlight) => new SelectorOptions { WakeMaxInFlight = 0 },
            nameof(SelectorOptions.SnapshotInterval) => new SelectorOptions { SnapshotInterval = TimeSpan.Zero },
            // A snapshot id in the peers' namespace would be woken (and read) as a peer.
            nameof(SelectorOptions.SnapshotPersistenceId) => new SelectorOptions { SnapshotPersistenceId = "peer-selector" },
            _ => new SelectorOptions { SnapshotApplyChunkSize = 0 },
        };
        Assert.Equal(field, Assert.Throws<Core.Validation.InvalidInputException>(() => bad.Validate()).Field);
    }
}
