namespace PeerActors.Tests.Serialization.PeerPayloads;

/// <summary>One sample value per registered type (fixed values: the golden payloads are written from them).</summary>
public static class PeerSamples
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static PeerStatsState Stats => new()
    {
        PeerId = PeerId.Parse("p1"), ConnectedAt = T0, RequestsSent = 3, Successes = 2, Timeouts = 1, Failures = 0,
        SrttMs = 100.5, RttvarMs = 25.25, RtoMs = 201, ConsecutiveRtoBackoffs = 1, BackoffLevel = 1,
        BackedOffUntil = T0.AddSeconds(11), LastSuccess = T0.AddSeconds(5), LastFailure = T0.AddSeconds(10),
        BytesReceived = 4096, BytesSent = 300, PaidSat = 64, ReceivedSat = 10, PaymentReceipts = 1, PaymentDefaults = 0,
    };

    public static PeerStateData State => new(
        Stats,
        new PeerLogState(true, 2, T0.AddSeconds(7),
            [new OnlineStateEvent(T0.AddSeconds(1), false)],
            new OnlineStateEvent(T0.AddSeconds(7), true),
            null,
            [new ChannelRecord("tx:0", T0.AddSeconds(1))]),
        new PeerBandwidthState(TimeSpan.FromHours(1), 4096, 300, [new EpochBytes(484716, 4096, 300)], null),
        ["/chunk/1.0.0"],
        ["streaming"]);

    /// <summary>A delta flush whose window is the sample state's log, bandwidth and a new protocol.</summary>
    public static ObservationsDelta Delta => new(T0, T0.AddSeconds(7), new ObservationCounts(3, 2, 1, 0, 4096, 300, 1, 1, 1),
        new PeerWindowState(Stats,
            new Core.Fitness.PeerLogWindow(true, 2, T0.AddSeconds(7), new Core.Fitness.OnlineStateEvent(T0.AddSeconds(7), true),
                [new Core.Fitness.OnlineStateEvent(T0.AddSeconds(1), false)]),
            new Core.Bandwidth.PeerBandwidthWindow(4096, 300, null, [new Core.Bandwidth.EpochBytes(484716, 4096, 300)]),
            ["/chunk/1.0.0"], []),
        DeliveriesSample);

    private static readonly IReadOnlyList<PeerActors.Delivery.DeliveryMark> DeliveriesSample = [new PeerActors.Delivery.DeliveryMark("127.0.0.1:4053/0a1b2c3d4e5f", 42)];

    public static IReadOnlyDictionary<Type, object> All { get; } = new Dictionary<Type, object>
    {
        [typeof(ObservationsFlushed)] = new ObservationsFlushed(T0, T0.AddSeconds(7), new ObservationCounts(3, 2, 1, 0, 4096, 300, 1, 1, 1), State),
        [typeof(ObservationsDelta)] = Delta,
        [typeof(PaymentRecorded)] = new PaymentRecorded(64, T0),
        [typeof(ReceiptRecorded)] = new ReceiptRecorded(10, T0),
        [typeof(PaymentDefaultRecorded)] = new PaymentDefaultRecorded(T0),
        [typeof(ChannelOpened)] = new ChannelOpened("tx:0", T0.AddSeconds(1)),
        [typeof(ChannelClosed)] = new ChannelClosed("tx:0", T0.AddSeconds(9)),
        [typeof(PeerBanned)] = new PeerBanned(T0.AddHours(1), "spam", T0),
        [typeof(PeerUnbanned)] = new PeerUnbanned(T0.AddMinutes(30)),
        [typeof(PeerSnapshot)] = new PeerSnapshot(State, new Core.Bans.PeerBan(T0.AddHours(1), "spam", T0)),
        [typeof(RecordRequest)] = new RecordRequest("p1", 100, T0),
        [typeof(RecordSuccess)] = new RecordSuccess("p1", 12.5, 4096, T0),
        [typeof(RecordTimeout)] = new RecordTimeout("p1", T0),
        [typeof(RecordFailure)] = new RecordFailure("p1", T0, "bad data"),
        [typeof(RecordBytes)] = new RecordBytes(null, "session-7", TrafficDirection.Egress, 1500, T0),
        [typeof(PeerOnline)] = new PeerOnline("p1", T0),
        [typeof(PeerOffline)] = new PeerOffline("p1", T0),
        [typeof(PeerServes)] = new PeerServes("p1", "/chunk/1.0.0", null, T0),
        [typeof(OpenChannel)] = new OpenChannel("p1", "tx:0", T0),
        [typeof(CloseChannel)] = new CloseChannel("p1", "tx:0", T0),
        [typeof(RecordPayment)] = new RecordPayment("p1", 64, T0),
        [typeof(RecordReceipt)] = new RecordReceipt("p1", 10, T0),
        [typeof(RecordPaymentDefault)] = new RecordPaymentDefault("p1", T0),
        [typeof(Forget)] = new Forget("p1", T0),
        [typeof(Ban)] = new Ban("p1", null, TimeSpan.FromHours(1), "spam", T0),
        [typeof(Unban)] = new Unban("p1", T0),
        [typeof(PeerStop)] = PeerStop.Instance,
        [typeof(GetPeerStats)] = new GetPeerStats("p1", T0),
        [typeof(GetChannelUptime)] = new GetChannelUptime("p1", "tx:0", null),
        [typeof(GetFlapCount)] = new GetFlapCount("p1"),
        [typeof(GetBandwidth)] = new GetBandwidth("p1"),
        [typeof(CommandAck)] = new CommandAck("p1", Durability.Critical),
        [typeof(CommandRejected)] = new CommandRejected("p1", ErrorCodes.InvalidInput, "rttMs", "rttMs: must be a finite number, got NaN"),
        [typeof(PeerStatsReply)] = new PeerStatsReply(Stats, T0.AddMinutes(1), 0.66, 0.05, 0.7, 0.6, 0.5, false, 0, 0.6666, 0.95, true, 2, T0.AddSeconds(7), 1, 4096, 300),
        [typeof(ChannelUptimeReply)] = new ChannelUptimeReply("p1", "tx:0", TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(53)),
        [typeof(FlapCountReply)] = new FlapCountReply("p1", 2, T0.AddSeconds(7)),
        [typeof(BandwidthReply)] = new BandwidthReply("p1", 4096, 300, [new BandwidthEpoch(T0, T0.AddHours(1), 4096, 300)]),
        [typeof(PeerScoreInputs)] = new PeerScoreInputs(Stats, 12, ["/chunk/1.0.0"], ["streaming"], BannedUntil: T0.AddHours(1), BanReason: "spam"),
    };

    /// <summary>
    /// What each legacy golden payload (a manifest still read, no longer written) must read as: the JSON versions of the
    /// types now written as Protocol Buffers read as the same sample values; <c>peer-snapshot.v1</c> through its upcaster.
    /// </summary>
    public static IReadOnlyDictionary<string, object> Legacy { get; } = new Dictionary<string, object>
    {
        ["peer-snapshot.v1"] = new PeerSnapshot(State),
        ["peer-snapshot.v2"] = All[typeof(PeerSnapshot)],
        ["peer-flushed.v1"] = All[typeof(ObservationsFlushed)],
        ["peer-flushed-delta.v1"] = All[typeof(ObservationsDelta)],
        ["peer-payment.v1"] = All[typeof(PaymentRecorded)],
        ["peer-receipt.v1"] = All[typeof(ReceiptRecorded)],
        ["peer-payment-default.v1"] = All[typeof(PaymentDefaultRecorded)],
        ["peer-channel-opened.v1"] = All[typeof(ChannelOpened)],
        ["peer-channel-closed.v1"] = All[typeof(ChannelClosed)],
    };
}
