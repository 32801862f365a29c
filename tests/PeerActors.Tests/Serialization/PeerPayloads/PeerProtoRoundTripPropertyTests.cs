using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using PeerActors.Core.Bans;

namespace PeerActors.Tests.Serialization.PeerPayloads;

/// <summary>
/// FsCheck generators of the values written under the binary peer manifests. They reach the edges the encoding has to
/// keep: every instant from <see cref="DateTimeOffset.MinValue"/> to <see cref="DateTimeOffset.MaxValue"/>, any double
/// bit pattern (-0.0, NaN, infinities, subnormals), full-range 64-bit counters, negative numbers, non-ASCII text and
/// surrogate pairs, empty and null lists, absent optional parts.
/// </summary>
public static class PeerPayloadArbitraries
{
    private static readonly Gen<int> AnyInt = Gen.Choose(int.MinValue, int.MaxValue);

    private static readonly Gen<long> AnyLong =
        from hi in AnyInt
        from lo in AnyInt
        select ((long)hi << 32) | (uint)lo;

    /// <summary>Mostly small values (the common case), sometimes any 64-bit value.</summary>
    private static readonly Gen<long> Long = Gen.Frequency((3, Gen.Choose(-1000, 1_000_000).Select(i => (long)i)), (1, AnyLong));

    private static readonly Gen<ulong> ULong = Long.Select(l => unchecked((ulong)l));

    private static readonly Gen<double> Double = Gen.Frequency(
        (1, Gen.Elements(0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon,
            double.MaxValue, double.MinValue, 0.1 + 0.2, 1.0 / 3.0)),
        (2, AnyLong.Select(BitConverter.Int64BitsToDouble)));

    private static readonly Gen<DateTimeOffset> Instant = Gen.Frequency(
        (1, Gen.Elements(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, DateTimeOffset.UnixEpoch)),
        (4, AnyLong.Select(l => new DateTimeOffset((long)((ulong)l % (ulong)(DateTimeOffset.MaxValue.UtcTicks + 1)), TimeSpan.Zero))));

    private static readonly Gen<DateTimeOffset?> OptionalInstant = OrNull(Instant);

    private static readonly Gen<TimeSpan> Duration = AnyLong.Select(TimeSpan.FromTicks);

    private static readonly Gen<string> Text =
        Gen.ArrayOf(Gen.Elements("a", "Z", "0", ":", "/", ".", "-", " ", "é", "字", "\U0001F600", "\0", "\"")).Select(string.Concat);

    private static readonly Gen<PeerId> Peer =
        Gen.NonEmptyListOf(Gen.Elements("a", "f", "0", "9", "-", "é", "\U0001F600")).Select(parts => PeerId.Parse(string.Concat(parts.Take(60))));

    private static readonly Gen<DeliveryMark> Mark = from p in Text from s in Long select new DeliveryMark(p, s);

    private static readonly Gen<IReadOnlyList<DeliveryMark>?> Marks =
        Gen.Frequency((1, Gen.Constant<IReadOnlyList<DeliveryMark>?>(null)), (3, Gen.ArrayOf(Mark).Select(a => (IReadOnlyList<DeliveryMark>?)a)));

    private static readonly Gen<ObservationCounts> Counts =
        from a in Long from b in Long from c in Long from d in Long from e in Long from f in Long from g in Long from h in Long from i in Long
        select new ObservationCounts(a, b, c, d, e, f, g, h, i);

    private static readonly Gen<PeerStatsState> Stats =
        from peer in Peer
        from connected in Instant
        from requests in ULong
        from successes in ULong
        from timeouts in ULong
        from failures in ULong
        from srtt in Double
        from rttvar in Double
        from rto in Long
        from rtoBackoffs in AnyInt
        from level in AnyInt
        from backedOff in OptionalInstant
        from lastSuccess in OptionalInstant
        from lastFailure in OptionalInstant
        from received in ULong
        from sent in ULong
        from paid in ULong
        from receivedSat in ULong
        from receipts in ULong
        from defaults in ULong
        from rateSum in Double
        from weight in Double
        from burst in Double
        from at in OptionalInstant
        select new PeerStatsState
        {
            PeerId = peer, ConnectedAt = connected, RequestsSent = requests, Successes = successes, Timeouts = timeouts,
            Failures = failures, SrttMs = srtt, RttvarMs = rttvar, RtoMs = rto, ConsecutiveRtoBackoffs = rtoBackoffs,
            BackoffLevel = level, BackedOffUntil = backedOff, LastSuccess = lastSuccess, LastFailure = lastFailure,
            BytesReceived = received, BytesSent = sent, PaidSat = paid, ReceivedSat = receivedSat, PaymentReceipts = receipts,
            PaymentDefaults = defaults, ThroughputRateSum = rateSum, ThroughputWeight = weight, ThroughputBurst = burst,
            ThroughputAt = at,
        };

    private static readonly Gen<OnlineStateEvent> OnlineEvent =
        from at in Instant from online in Gen.Elements(true, false) select new OnlineStateEvent(at, online);

    private static readonly Gen<PeerLogPrefix?> Prefix = OrNullRef(
        from start in Instant
        from boundary in Instant
        from before in Duration
        from online in Gen.Elements(true, false)
        from checkpoints in Gen.ArrayOf(from at in Instant from since in Duration select new UptimeCheckpoint(at, since))
        select new PeerLogPrefix(start, boundary, before, online, checkpoints));

    private static readonly Gen<PeerLogState> LogState =
        from online in Gen.Elements(true, false)
        from flaps in Long
        from lastFlap in OptionalInstant
        from committed in Gen.ArrayOf(OnlineEvent)
        from staged in OrNull(OnlineEvent)
        from prefix in Prefix
        from channels in Gen.ArrayOf(from id in Text from at in Instant select new ChannelRecord(id, at))
        select new PeerLogState(online, flaps, lastFlap, committed, staged, prefix, channels);

    private static readonly Gen<EpochBytes> Epoch = from e in Long from i in Long from o in Long select new EpochBytes(e, i, o);

    private static readonly Gen<OlderBytes?> Older = OrNull(from a in Long from b in Long from i in Long from o in Long select new OlderBytes(a, b, i, o));

    private static readonly Gen<PeerStateData> State =
        from stats in Stats
        from log in LogState
        from length in Duration
        from ingress in Long
        from egress in Long
        from epochs in Gen.ArrayOf(Epoch)
        from older in Older
        from protocols in Gen.ArrayOf(Text)
        from services in Gen.ArrayOf(Text)
        select new PeerStateData(stats, log, new PeerBandwidthState(length, ingress, egress, epochs, older), protocols, services);

    private static readonly Gen<PeerWindowState?> Window = OrNullRef(
        from stats in Stats
        from online in Gen.Elements(true, false)
        from flaps in Long
        from lastFlap in OptionalInstant
        from staged in OrNull(OnlineEvent)
        from appended in Gen.ArrayOf(OnlineEvent)
        from ingress in Long
        from egress in Long
        from older in Older
        from epochs in Gen.ArrayOf(Epoch)
        from protocols in Gen.ArrayOf(Text)
        from services in Gen.ArrayOf(Text)
        select new PeerWindowState(stats, new PeerLogWindow(online, flaps, lastFlap, staged, appended),
            new PeerBandwidthWindow(ingress, egress, older, epochs), protocols, services));

    private static readonly Gen<DeliveryMark?> OptionalMark = OrNullRef(Mark);

    private static readonly Gen<PeerScoreInputs> ScoreInputs =
        from stats in Stats
        from version in Long
        from protocols in Gen.ArrayOf(Text)
        from services in Gen.ArrayOf(Text)
        from forgotten in Gen.Elements(true, false)
        from until in OptionalInstant
        from reason in OrNullRef(Text)
        select new PeerScoreInputs(stats, version, protocols, services, forgotten, until, reason);

    /// <summary>A value of one of the types written under a binary manifest, chosen at random.</summary>
    public static Arbitrary<object> BinaryValue() => Arb.From(Gen.OneOf(
        ScoreInputs.Select(m => (object)m),
        Gen.ArrayOf(ScoreInputs).Select(a => (object)new PeerScoreInputsBatch(a)),
        from from_ in Instant from to in Instant from counts in Counts from window in Window from marks in Marks
        select (object)new ObservationsDelta(from_, to, counts, window, marks),
        from from_ in Instant from to in Instant from counts in Counts from state in State from marks in Marks
        select (object)new ObservationsFlushed(from_, to, counts, state, marks),
        from state in State
        from ban in OrNullRef(from until in Instant from reason in Text from at in Instant select new PeerBan(until, reason, at))
        from marks in Marks
        select (object)new PeerSnapshot(state, ban, marks),
        from amount in Long from at in Instant from mark in OptionalMark select (object)new PaymentRecorded(amount, at, mark),
        from amount in Long from at in Instant from mark in OptionalMark select (object)new ReceiptRecorded(amount, at, mark),
        from at in Instant from mark in OptionalMark select (object)new PaymentDefaultRecorded(at, mark),
        from id in Text from at in Instant from mark in OptionalMark select (object)new ChannelOpened(id, at, mark),
        from id in Text from at in Instant from mark in OptionalMark select (object)new ChannelClosed(id, at, mark)));

    private static Gen<T?> OrNull<T>(Gen<T> gen) where T : struct =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (2, gen.Select(v => (T?)v)));

    private static Gen<T?> OrNullRef<T>(Gen<T> gen) where T : class =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (2, gen.Select(v => (T?)v)));
}

/// <summary>Round trips of the binary peer manifests over generated values (see <see cref="PeerPayloadArbitraries"/>).</summary>
public sealed class PeerProtoRoundTripPropertyTests
{
    private static readonly PeerSerializer PeerSerializer = new(null!);
    private static readonly SelectorSerializer SelectorSerializer = new(null!);

    private static VersionedJsonSerializer SerializerFor(object value) =>
        value is PeerScoreInputsBatch ? SelectorSerializer : PeerSerializer;

    [Property(Arbitrary = [typeof(PeerPayloadArbitraries)], MaxTest = 300)]
    public void Every_binary_value_reads_back_exactly_and_rewrites_to_the_same_bytes(object value)
    {
        var serializer = SerializerFor(value);
        var manifest = serializer.Manifest(value);
        var bytes = serializer.ToBinary(value);
        var back = serializer.FromBinary(bytes, manifest);
        PeerPayloadOracle.AssertSame(value, back);
        // Bytes hold every double's bits: equal bytes mean -0.0 and NaN payloads came back as they were.
        Assert.Equal(bytes, serializer.ToBinary(back));
    }

    [Property(Arbitrary = [typeof(PeerPayloadArbitraries)], MaxTest = 100)]
    public void Every_truncation_of_a_binary_value_is_a_serialization_error_naming_the_manifest(object value)
    {
        var serializer = SerializerFor(value);
        var manifest = serializer.Manifest(value);
        var bytes = serializer.ToBinary(value);
        // Every cut point of small payloads; for large ones the last 64 and a spread of the rest.
        var cuts = Enumerable.Range(0, bytes.Length).Where(n => bytes.Length <= 256 || n >= bytes.Length - 64 || n % 17 == 0);
        foreach (var length in cuts)
        {
            var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..length], manifest));
            Assert.Contains($"'{manifest}'", e.Message);
        }
    }
}
