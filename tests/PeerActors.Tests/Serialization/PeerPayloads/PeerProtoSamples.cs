using PeerActors.Core.Bans;

namespace PeerActors.Tests.Serialization.PeerPayloads;

/// <summary>
/// The values the Protocol Buffers golden payloads (<see cref="PeerProtoGoldenPayloads"/>) were written from, one per
/// binary manifest. Richer than <see cref="PeerSamples"/> (whose values are fixed by the JSON goldens): every optional
/// part is set somewhere (compacted log prefix, folded bandwidth bucket, throughput estimator, ban, delivery marks on
/// flushes and on critical events, an empty mark list next to a null one, a -0.0 and a non-terminating double).
/// </summary>
public static class PeerProtoSamples
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 30, 20, 15, 0, TimeSpan.Zero);

    public static PeerStatsState Stats => new()
    {
        PeerId = PeerId.Parse("0c2041d1-341a-4904-a0a3-c9ad25c4843b"), ConnectedAt = T0, RequestsSent = 49, Successes = 47,
        Timeouts = 1, Failures = 1, SrttMs = 2819.0612244897957, RttvarMs = 0.1 + 0.2, RtoMs = 2820,
        ConsecutiveRtoBackoffs = 2, BackoffLevel = 3, BackedOffUntil = T0.AddSeconds(95.5),
        LastSuccess = T0.AddMilliseconds(81_234.5678), LastFailure = T0.AddSeconds(90), BytesReceived = 62_873_592,
        BytesSent = 1_024, PaidSat = ulong.MaxValue, ReceivedSat = 10, PaymentReceipts = 1, PaymentDefaults = 2,
        ThroughputRateSum = 509.7191403362308, ThroughputWeight = 1.0 / 3.0, ThroughputBurst = -0.0,
        ThroughputAt = T0.AddMilliseconds(81_234.5678),
    };

    public static PeerStateData State => new(
        Stats,
        new PeerLogState(false, 7, T0.AddSeconds(60),
            [new OnlineStateEvent(T0.AddSeconds(40), true), new OnlineStateEvent(T0.AddSeconds(60), false)],
            null,
            new PeerLogPrefix(T0.AddDays(-3), T0.AddSeconds(30), TimeSpan.FromHours(50.25), true,
                [new UptimeCheckpoint(T0.AddDays(-2), TimeSpan.FromHours(20))]),
            [new ChannelRecord("f00d:1", T0.AddDays(-2)), new ChannelRecord("f00d:2", T0.AddSeconds(45))]),
        new PeerBandwidthState(TimeSpan.FromHours(1), 62_873_592, 1_024,
            [new EpochBytes(492_260, 50_000_000, 1_024), new EpochBytes(492_261, 12_873_592, 0)],
            new OlderBytes(492_100, 492_259, 7, 0)),
        ["/chunk/1.0.0", "/live/2.1.0"],
        ["streaming"]);

    private static readonly IReadOnlyList<DeliveryMark> Marks =
        [new DeliveryMark("127.0.0.1:4053/0a1b2c3d4e5f", 42), new DeliveryMark("10.0.0.7:4053/ffeeddccbbaa", 9_000_000_001)];

    /// <summary>One value per binary manifest.</summary>
    public static IReadOnlyDictionary<string, object> ByManifest { get; } = new Dictionary<string, object>
    {
        ["peer-flushed-delta.v2"] = new ObservationsDelta(T0, T0.AddSeconds(1), new ObservationCounts(3, 2, 1, 0, 4096, 300, 1, 1, 1),
            new PeerWindowState(Stats,
                new PeerLogWindow(true, 8, T0.AddSeconds(61), new OnlineStateEvent(T0.AddSeconds(61), true),
                    [new OnlineStateEvent(T0.AddSeconds(60), false)]),
                new PeerBandwidthWindow(62_873_592, 1_024, new OlderBytes(492_100, 492_259, 7, 0), [new EpochBytes(492_261, 12_873_592, 0)]),
                ["/live/2.1.0"], []),
            Marks),
        ["peer-flushed.v2"] = new ObservationsFlushed(T0, T0.AddSeconds(1), new ObservationCounts(0, 0, 0, 0, 0, 0, 2, 1, 0), State, Marks),
        ["peer-snapshot.v3"] = new PeerSnapshot(State, new PeerBan(T0.AddHours(1), "spam: 40 defaults in 1 h", T0), []),
        ["peer-payment.v2"] = new PaymentRecorded(64, T0, Marks[0]),
        ["peer-receipt.v2"] = new ReceiptRecorded(10, T0),
        ["peer-payment-default.v2"] = new PaymentDefaultRecorded(T0, Marks[1]),
        ["peer-channel-opened.v2"] = new ChannelOpened("f00d:2", T0.AddSeconds(45), Marks[0]),
        ["peer-channel-closed.v2"] = new ChannelClosed("f00d:1", T0.AddSeconds(90)),
    };
}
