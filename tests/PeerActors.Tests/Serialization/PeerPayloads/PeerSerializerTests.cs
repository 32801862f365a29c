namespace PeerActors.Tests.Serialization.PeerPayloads;

public sealed class PeerSerializerTests
{
    private readonly PeerSerializer _serializer = new(null!);

    public static TheoryData<string> RegisteredTypes()
    {
        var data = new TheoryData<string>();
        foreach (var t in PeerSerializer.Registry.Types) data.Add(t.FullName!);
        return data;
    }

    public static TheoryData<string> GoldenManifests()
    {
        var data = new TheoryData<string>();
        foreach (var m in PeerGoldenPayloads.ByManifest.Keys) data.Add(m);
        return data;
    }

    [Fact]
    public void Every_registered_type_has_a_sample_and_a_stable_manifest()
    {
        Assert.Equal(PeerSerializer.Registry.Types.OrderBy(t => t.FullName), PeerSamples.All.Keys.OrderBy(t => t.FullName));
        Assert.Equal(4101, _serializer.Identifier);
        Assert.Equal("peer-flushed-delta.v2", _serializer.Manifest(PeerSamples.All[typeof(ObservationsDelta)]));
        Assert.Equal("peer-flushed.v2", _serializer.Manifest(PeerSamples.All[typeof(ObservationsFlushed)]));
        Assert.Equal("peer-snapshot.v3", _serializer.Manifest(PeerSamples.All[typeof(PeerSnapshot)]));
    }

    [Fact]
    public void Every_persisted_event_and_snapshot_type_has_a_golden_payload_of_its_current_manifest()
    {
        var persisted = PeerSerializer.Registry.Types
            .Where(t => typeof(IPeerEvent).IsAssignableFrom(t) || t == typeof(PeerSnapshot))
            .Select(t => _serializer.Manifest(PeerSamples.All[t]))
            .Order();
        var current = PeerGoldenPayloads.ByManifest.Keys.Except(PeerSamples.Legacy.Keys).Concat(PeerProtoGoldenPayloads.ByManifest.Keys);
        Assert.Equal(persisted, current.Order());
    }

    [Fact]
    public void Every_stored_manifest_the_serializer_reads_current_or_legacy_has_a_golden_payload()
    {
        // Every version, current or legacy, of a stored type: a journal may hold any of them.
        static string Name(string manifest) => manifest[..manifest.LastIndexOf(".v", StringComparison.Ordinal)];
        var stored = PeerSerializer.Registry.Types
            .Where(t => typeof(IPeerEvent).IsAssignableFrom(t) || t == typeof(PeerSnapshot))
            .Select(t => Name(_serializer.Manifest(PeerSamples.All[t])))
            .ToHashSet();
        var readable = PeerSerializer.Registry.ReadableManifests.Where(m => stored.Contains(Name(m))).Order();
        Assert.Equal(readable, PeerGoldenPayloads.ByManifest.Keys.Concat(PeerProtoGoldenPayloads.ByManifest.Keys).Order());
    }

    [Theory]
    [MemberData(nameof(RegisteredTypes))]
    public void Round_trips(string typeName)
    {
        var value = PeerSamples.All.Single(kv => kv.Key.FullName == typeName).Value;
        var bytes = _serializer.ToBinary(value);
        var back = _serializer.FromBinary(bytes, _serializer.Manifest(value));
        Assert.IsType(value.GetType(), back);
        Assert.Equal(bytes, _serializer.ToBinary(back));
        if (value is not (Selection.PeerScoreInputs or BandwidthReply)) Assert.Equal(value, back); // records with value equality
    }

    [Theory]
    [MemberData(nameof(GoldenManifests))]
    public void Golden_payload_still_reads_as_the_expected_value(string manifest)
    {
        var expected = PeerSamples.Legacy.TryGetValue(manifest, out var legacy)
            ? legacy
            : PeerSamples.All.Values.Single(v => _serializer.Manifest(v) == manifest);
        var stored = Encoding.UTF8.GetBytes(PeerGoldenPayloads.ByManifest[manifest]);
        var read = _serializer.FromBinary(stored, manifest);
        Assert.Equal(expected, read);
    }

    [Fact]
    public void Golden_flush_event_restores_the_exact_peer_state()
    {
        var read = (ObservationsFlushed)_serializer.FromBinary(
            Encoding.UTF8.GetBytes(PeerGoldenPayloads.ByManifest["peer-flushed.v1"]), "peer-flushed.v1");
        Assert.Equal(3UL, read.State.Stats.RequestsSent);
        Assert.Equal(100.5, read.State.Stats.SrttMs);
        Assert.Equal(2, read.State.Log.FlapCount);
        Assert.Equal("tx:0", Assert.Single(read.State.Log.Channels).ChannelId);
        Assert.Equal(TimeSpan.FromHours(1), read.State.Bandwidth.EpochLength);
        Assert.Equal(["/chunk/1.0.0"], read.State.Protocols);
        Assert.Equal(new ObservationCounts(3, 2, 1, 0, 4096, 300, 1, 1, 1), read.Counts);
    }

    [Theory]
    [InlineData("peer-flushed.v9")]
    [InlineData("PeerActors.Peers.ObservationsFlushed")]
    public void Unknown_manifest_is_a_serialization_error(string manifest)
    {
        Assert.Throws<SerializationException>(() => _serializer.FromBinary("{}"u8.ToArray(), manifest));
    }

    [Fact]
    public void Invalid_stored_peer_id_is_a_serialization_error()
    {
        var json = PeerGoldenPayloads.ByManifest["peer-snapshot.v1"].Replace("\"peerId\":\"p1\"", "\"peerId\":\"\"");
        Assert.Throws<SerializationException>(() => _serializer.FromBinary(Encoding.UTF8.GetBytes(json), "peer-snapshot.v1"));
    }
}

public sealed class BanPayloadTests
{
    private readonly PeerSerializer _serializer = new(null!);

    [Theory]
    [InlineData("peer-banned.v1")]
    [InlineData("peer-unbanned.v1")]
    public void Ban_goldens_are_exactly_what_the_serializer_writes_today(string manifest)
    {
        var value = PeerSamples.All.Values.Single(v => _serializer.Manifest(v) == manifest);
        Assert.Equal(PeerGoldenPayloads.ByManifest[manifest].Trim(), Encoding.UTF8.GetString(_serializer.ToBinary(value)));
    }

    [Fact]
    public void A_v1_snapshot_reads_as_a_snapshot_without_a_ban()
    {
        var read = (PeerSnapshot)_serializer.FromBinary(Encoding.UTF8.GetBytes(PeerGoldenPayloads.ByManifest["peer-snapshot.v1"]), "peer-snapshot.v1");
        Assert.Null(read.Ban);
        Assert.Equal(PeerSamples.State, read.State);
    }
}
