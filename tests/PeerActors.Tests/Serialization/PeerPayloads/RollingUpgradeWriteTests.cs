namespace PeerActors.Tests.Serialization.PeerPayloads;

/// <summary>
/// <c>peeractors.serialization.write-binary = off</c>: the first step of a rolling upgrade from a release that reads
/// only JSON. New nodes then write what old ones read, and still read everything.
/// </summary>
public sealed class RollingUpgradeWriteTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("rolling-upgrade",
        ConfigurationFactory.ParseString("peeractors.serialization.write-binary = off\nakka.loglevel = WARNING"));

    public void Dispose() => _system.Dispose();

    public static TheoryData<string, string> BinaryTypesAndTheirJsonManifest() => new()
    {
        { typeof(ObservationsDelta).FullName!, "peer-flushed-delta.v1" },
        { typeof(ObservationsFlushed).FullName!, "peer-flushed.v1" },
        { typeof(PeerSnapshot).FullName!, "peer-snapshot.v2" },
        { typeof(PaymentRecorded).FullName!, "peer-payment.v1" },
        { typeof(ChannelOpened).FullName!, "peer-channel-opened.v1" },
    };

    [Theory]
    [MemberData(nameof(BinaryTypesAndTheirJsonManifest))]
    public void With_binary_writes_off_a_binary_type_is_written_under_its_newest_json_manifest_and_reads_back(string typeName, string jsonManifest)
    {
        var serializer = new PeerSerializer((ExtendedActorSystem)_system);
        var sample = PeerSamples.All.Single(kv => kv.Key.FullName == typeName).Value;

        Assert.False(serializer.WritesBinary);
        Assert.Equal(jsonManifest, serializer.Manifest(sample));
        var bytes = serializer.ToBinary(sample);
        Assert.StartsWith("{", Encoding.UTF8.GetString(bytes));
        var back = serializer.FromBinary(bytes, jsonManifest);
        // The default serializer (binary writes on) reads it too, and both write the same value.
        var binary = new PeerSerializer(null!);
        Assert.Equal(binary.ToBinary(sample), binary.ToBinary(back));
        Assert.Equal(binary.ToBinary(sample), binary.ToBinary(binary.FromBinary(bytes, jsonManifest)));
    }

    [Fact]
    public void With_binary_writes_off_binary_payloads_still_read_and_json_only_types_keep_their_manifest()
    {
        var off = new PeerSerializer((ExtendedActorSystem)_system);
        var on = new PeerSerializer(null!);
        var delta = PeerSamples.All[typeof(ObservationsDelta)];

        Assert.True(on.WritesBinary);
        Assert.Equal("peer-flushed-delta.v2", on.Manifest(delta));
        Assert.Equal(on.ToBinary(delta), on.ToBinary(off.FromBinary(on.ToBinary(delta), "peer-flushed-delta.v2")));
        var ban = PeerSamples.All[typeof(PeerBanned)];
        Assert.Equal(on.Manifest(ban), off.Manifest(ban));
    }

    [Fact]
    public void With_binary_writes_off_score_input_batches_travel_as_the_json_the_previous_release_reads()
    {
        var off = new SelectorSerializer((ExtendedActorSystem)_system);
        var on = new SelectorSerializer(null!);
        var batch = new PeerScoreInputsBatch([new PeerScoreInputs(PeerSamples.Stats, 3, ["/p/1"], [])]);

        Assert.Equal("selector-score-inputs-batch.v1", off.Manifest(batch));
        Assert.Equal("selector-score-inputs-batch.v2", on.Manifest(batch));
        var read = (PeerScoreInputsBatch)on.FromBinary(off.ToBinary(batch), off.Manifest(batch));
        Assert.Equal(3, Assert.Single(read.Updates).Version);
    }
}
