using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using PeerActors.Core.Bans;
using PeerActors.Peers;
using Wire = PeerActors.Serialization.Proto;

namespace PeerActors.Serialization;

/// <summary>
/// Maps the plain C# peer events, snapshot and score inputs to their Protocol Buffers form (schema
/// <c>Serialization/Proto/peer_events.proto</c>, conventions stated there) and back, for the binary manifests of
/// <see cref="PeerSerializer"/> and <see cref="SelectorSerializer"/>. Every value reads back exactly: instants as UTC ticks, doubles bit for bit, null
/// lists and records distinct from empty ones.
/// </summary>
/// <remarks>
/// Readers throw <see cref="InvalidProtocolBufferException"/> (unparsable bytes, a payload cut inside a field),
/// <see cref="InvalidDataException"/> (a payload cut at a field boundary: no end mark; a required part missing) or the
/// domain's <see cref="ArgumentException"/> (e.g. an invalid peer id); the serializer reports each as a
/// <see cref="System.Runtime.Serialization.SerializationException"/> naming the manifest.
/// </remarks>
internal static class PeerProtoMapping
{
    // ---- top-level writers ----

    public static byte[] Write(ObservationsDelta e)
    {
        var p = new Wire.FlushDelta
        {
            FromUtcTicks = e.From.UtcTicks,
            ToUtcTicks = e.To.UtcTicks,
            Counts = ToProto(e.Counts),
            Window = e.Window is { } w ? ToProto(w) : null,
            Deliveries = ToProto(e.Deliveries),
            End = true,
        };
        return p.ToByteArray();
    }

    public static byte[] Write(ObservationsFlushed e)
    {
        var p = new Wire.FlushWhole
        {
            FromUtcTicks = e.From.UtcTicks,
            ToUtcTicks = e.To.UtcTicks,
            Counts = ToProto(e.Counts),
            State = ToProto(e.State),
            Deliveries = ToProto(e.Deliveries),
            End = true,
        };
        return p.ToByteArray();
    }

    public static byte[] Write(PeerSnapshot s)
    {
        var p = new Wire.Snapshot
        {
            State = ToProto(s.State),
            Ban = s.Ban is { } b ? new Wire.Ban { UntilUtcTicks = b.Until.UtcTicks, Reason = b.Reason, BannedAtUtcTicks = b.BannedAt.UtcTicks } : null,
            Deliveries = ToProto(s.Deliveries),
            End = true,
        };
        return p.ToByteArray();
    }

    public static byte[] Write(PaymentRecorded e) => WriteAmount(e.AmountSat, e.ObservedAt, e.Delivery);

    public static byte[] Write(ReceiptRecorded e) => WriteAmount(e.AmountSat, e.ObservedAt, e.Delivery);

    public static byte[] Write(PaymentDefaultRecorded e) =>
        new Wire.PaymentDefault { ObservedAtUtcTicks = e.ObservedAt.UtcTicks, Delivery = ToProto(e.Delivery), End = true }.ToByteArray();

    public static byte[] Write(ChannelOpened e) => WriteChannel(e.ChannelId, e.ObservedAt, e.Delivery);

    public static byte[] Write(ChannelClosed e) => WriteChannel(e.ChannelId, e.ObservedAt, e.Delivery);

    private static byte[] WriteAmount(long amountSat, DateTimeOffset at, DeliveryMark? delivery) =>
        new Wire.Amount { AmountSat = amountSat, ObservedAtUtcTicks = at.UtcTicks, Delivery = ToProto(delivery), End = true }.ToByteArray();

    private static byte[] WriteChannel(string channelId, DateTimeOffset at, DeliveryMark? delivery) =>
        new Wire.Channel { ChannelId = channelId, ObservedAtUtcTicks = at.UtcTicks, Delivery = ToProto(delivery), End = true }.ToByteArray();

    // ---- top-level readers ----

    public static ObservationsDelta ReadDelta(ReadOnlySpan<byte> payload)
    {
        var p = Wire.FlushDelta.Parser.ParseFrom(payload);
        Complete(p.End);
        return new ObservationsDelta(At(p.FromUtcTicks), At(p.ToUtcTicks), FromProto(Need(p.Counts, "counts")),
            p.Window is { } w ? FromProto(w) : null, FromProto(p.Deliveries));
    }

    public static ObservationsFlushed ReadFlushed(ReadOnlySpan<byte> payload)
    {
        var p = Wire.FlushWhole.Parser.ParseFrom(payload);
        Complete(p.End);
        return new ObservationsFlushed(At(p.FromUtcTicks), At(p.ToUtcTicks), FromProto(Need(p.Counts, "counts")),
            FromProto(Need(p.State, "state")), FromProto(p.Deliveries));
    }

    public static PeerSnapshot ReadSnapshot(ReadOnlySpan<byte> payload)
    {
        var p = Wire.Snapshot.Parser.ParseFrom(payload);
        Complete(p.End);
        return new PeerSnapshot(FromProto(Need(p.State, "state")),
            p.Ban is { } b ? new PeerBan(At(b.UntilUtcTicks), b.Reason, At(b.BannedAtUtcTicks)) : null,
            FromProto(p.Deliveries));
    }

    public static PaymentRecorded ReadPayment(ReadOnlySpan<byte> payload)
    {
        var p = ParseAmount(payload);
        return new PaymentRecorded(p.AmountSat, At(p.ObservedAtUtcTicks), FromProto(p.Delivery));
    }

    public static ReceiptRecorded ReadReceipt(ReadOnlySpan<byte> payload)
    {
        var p = ParseAmount(payload);
        return new ReceiptRecorded(p.AmountSat, At(p.ObservedAtUtcTicks), FromProto(p.Delivery));
    }

    public static PaymentDefaultRecorded ReadPaymentDefault(ReadOnlySpan<byte> payload)
    {
        var p = Wire.PaymentDefault.Parser.ParseFrom(payload);
        Complete(p.End);
        return new PaymentDefaultRecorded(At(p.ObservedAtUtcTicks), FromProto(p.Delivery));
    }

    public static ChannelOpened ReadChannelOpened(ReadOnlySpan<byte> payload)
    {
        var p = ParseChannel(payload);
        return new ChannelOpened(p.ChannelId, At(p.ObservedAtUtcTicks), FromProto(p.Delivery));
    }

    public static ChannelClosed ReadChannelClosed(ReadOnlySpan<byte> payload)
    {
        var p = ParseChannel(payload);
        return new ChannelClosed(p.ChannelId, At(p.ObservedAtUtcTicks), FromProto(p.Delivery));
    }

    private static Wire.Amount ParseAmount(ReadOnlySpan<byte> payload)
    {
        var p = Wire.Amount.Parser.ParseFrom(payload);
        Complete(p.End);
        return p;
    }

    private static Wire.Channel ParseChannel(ReadOnlySpan<byte> payload)
    {
        var p = Wire.Channel.Parser.ParseFrom(payload);
        Complete(p.End);
        return p;
    }

    // ---- remote messages ----

    public static byte[] Write(PeerScoreInputs m)
    {
        var p = ToProto(m);
        p.End = true;
        return p.ToByteArray();
    }

    public static PeerScoreInputs ReadScoreInputs(ReadOnlySpan<byte> payload)
    {
        var p = Wire.ScoreInputs.Parser.ParseFrom(payload);
        Complete(p.End);
        return FromProto(p);
    }

    public static byte[] Write(PeerScoreInputsBatch b)
    {
        var p = new Wire.ScoreInputsBatch { End = true };
        foreach (var u in b.Updates) p.Updates.Add(ToProto(u));
        return p.ToByteArray();
    }

    public static PeerScoreInputsBatch ReadScoreInputsBatch(ReadOnlySpan<byte> payload)
    {
        var p = Wire.ScoreInputsBatch.Parser.ParseFrom(payload);
        Complete(p.End);
        return new PeerScoreInputsBatch(p.Updates.Select(FromProto).ToArray());
    }

    public static byte[] Write(SelectorSnapshot s)
    {
        var p = new Wire.SelectorSnapshot { Offset = s.Offset, SavedAtUtcTicks = s.SavedAt.UtcTicks, End = true };
        foreach (var e in s.Entries) p.Entries.Add(ToProto(e));
        foreach (var t in s.Forgotten) p.Forgotten.Add(new Wire.SelectorTombstone { PeerId = t.PeerId, Version = t.Version });
        return p.ToByteArray();
    }

    public static SelectorSnapshot ReadSelectorSnapshot(ReadOnlySpan<byte> payload)
    {
        var p = Wire.SelectorSnapshot.Parser.ParseFrom(payload);
        Complete(p.End);
        return new SelectorSnapshot(p.Offset, At(p.SavedAtUtcTicks), p.Entries.Select(FromProto).ToArray(),
            p.Forgotten.Select(t => new SelectorTombstone(t.PeerId, t.Version)).ToArray());
    }

    private static Wire.ScoreInputs ToProto(PeerScoreInputs m)
    {
        var p = new Wire.ScoreInputs { Stats = ToProto(m.Stats), Version = m.Version, Forgotten = m.Forgotten };
        p.Protocols.AddRange(m.Protocols);
        p.Services.AddRange(m.Services);
        if (m.BannedUntil is { } until) p.BannedUntilUtcTicks = until.UtcTicks;
        if (m.BanReason is { } reason) p.BanReason = reason;
        return p;
    }

    private static PeerScoreInputs FromProto(Wire.ScoreInputs p) => new(
        FromProto(Need(p.Stats, "stats")),
        p.Version,
        p.Protocols.ToArray(),
        p.Services.ToArray(),
        p.Forgotten,
        p.HasBannedUntilUtcTicks ? At(p.BannedUntilUtcTicks) : null,
        p.HasBanReason ? p.BanReason : null);

    // ---- conventions (peer_events.proto) ----

    /// <summary>A payload cut at a field boundary parses without error; only the missing end mark (written last) shows it.</summary>
    private static void Complete(bool end)
    {
        if (!end) throw new InvalidDataException("truncated payload: the end mark is missing");
    }

    private static T Need<T>([NotNull] T? part, string field) where T : class =>
        part ?? throw new InvalidDataException($"required field '{field}' is missing");

    private static DateTimeOffset At(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    /// <summary>Whether a double is stored: every value but +0.0 (the proto3 default; -0.0 must be kept).</summary>
    private static bool Stored(double value) => BitConverter.DoubleToInt64Bits(value) != 0;

    // ---- parts ----

    private static Wire.Counts ToProto(ObservationCounts c) => new()
    {
        Requests = c.Requests, Successes = c.Successes, Timeouts = c.Timeouts, Failures = c.Failures,
        IngressBytes = c.IngressBytes, EgressBytes = c.EgressBytes, OnlineEvents = c.OnlineEvents,
        OfflineEvents = c.OfflineEvents, Serves = c.Serves,
    };

    private static ObservationCounts FromProto(Wire.Counts p) => new(
        p.Requests, p.Successes, p.Timeouts, p.Failures, p.IngressBytes, p.EgressBytes, p.OnlineEvents, p.OfflineEvents, p.Serves);

    private static Wire.DeliveryMark? ToProto(DeliveryMark? m) =>
        m is null ? null : new Wire.DeliveryMark { ProducerId = m.ProducerId, SeqNr = m.SeqNr };

    private static DeliveryMark? FromProto(Wire.DeliveryMark? p) => p is null ? null : new DeliveryMark(p.ProducerId, p.SeqNr);

    private static Wire.DeliveryMarks? ToProto(IReadOnlyList<DeliveryMark>? marks)
    {
        if (marks is null) return null;
        var p = new Wire.DeliveryMarks();
        foreach (var m in marks) p.Marks.Add(new Wire.DeliveryMark { ProducerId = m.ProducerId, SeqNr = m.SeqNr });
        return p;
    }

    private static IReadOnlyList<DeliveryMark>? FromProto(Wire.DeliveryMarks? p) =>
        p?.Marks.Select(m => new DeliveryMark(m.ProducerId, m.SeqNr)).ToArray();

    private static Wire.Stats ToProto(PeerStatsState s)
    {
        var p = new Wire.Stats
        {
            PeerId = s.PeerId.Value,
            ConnectedAtUtcTicks = s.ConnectedAt.UtcTicks,
            RequestsSent = s.RequestsSent,
            Successes = s.Successes,
            Timeouts = s.Timeouts,
            Failures = s.Failures,
            RtoMs = s.RtoMs,
            BytesReceived = s.BytesReceived,
            BytesSent = s.BytesSent,
            ConsecutiveRtoBackoffs = s.ConsecutiveRtoBackoffs,
            BackoffLevel = s.BackoffLevel,
            PaidSat = s.PaidSat,
            ReceivedSat = s.ReceivedSat,
            PaymentReceipts = s.PaymentReceipts,
            PaymentDefaults = s.PaymentDefaults,
        };
        if (Stored(s.SrttMs)) p.SrttMs = s.SrttMs;
        if (Stored(s.RttvarMs)) p.RttvarMs = s.RttvarMs;
        if (Stored(s.ThroughputRateSum)) p.ThroughputRateSum = s.ThroughputRateSum;
        if (Stored(s.ThroughputWeight)) p.ThroughputWeight = s.ThroughputWeight;
        if (Stored(s.ThroughputBurst)) p.ThroughputBurst = s.ThroughputBurst;
        if (s.LastSuccess is { } ls) p.LastSuccessUtcTicks = ls.UtcTicks;
        if (s.LastFailure is { } lf) p.LastFailureUtcTicks = lf.UtcTicks;
        if (s.BackedOffUntil is { } bu) p.BackedOffUntilUtcTicks = bu.UtcTicks;
        if (s.ThroughputAt is { } ta) p.ThroughputAtUtcTicks = ta.UtcTicks;
        return p;
    }

    private static PeerStatsState FromProto(Wire.Stats p) => new()
    {
        PeerId = PeerId.Parse(p.PeerId),
        ConnectedAt = At(p.ConnectedAtUtcTicks),
        RequestsSent = p.RequestsSent,
        Successes = p.Successes,
        Timeouts = p.Timeouts,
        Failures = p.Failures,
        SrttMs = p.HasSrttMs ? p.SrttMs : 0.0,
        RttvarMs = p.HasRttvarMs ? p.RttvarMs : 0.0,
        RtoMs = p.RtoMs,
        ConsecutiveRtoBackoffs = p.ConsecutiveRtoBackoffs,
        BackoffLevel = p.BackoffLevel,
        BackedOffUntil = p.HasBackedOffUntilUtcTicks ? At(p.BackedOffUntilUtcTicks) : null,
        LastSuccess = p.HasLastSuccessUtcTicks ? At(p.LastSuccessUtcTicks) : null,
        LastFailure = p.HasLastFailureUtcTicks ? At(p.LastFailureUtcTicks) : null,
        BytesReceived = p.BytesReceived,
        BytesSent = p.BytesSent,
        PaidSat = p.PaidSat,
        ReceivedSat = p.ReceivedSat,
        PaymentReceipts = p.PaymentReceipts,
        PaymentDefaults = p.PaymentDefaults,
        ThroughputRateSum = p.HasThroughputRateSum ? p.ThroughputRateSum : 0.0,
        ThroughputWeight = p.HasThroughputWeight ? p.ThroughputWeight : 0.0,
        ThroughputBurst = p.HasThroughputBurst ? p.ThroughputBurst : 0.0,
        ThroughputAt = p.HasThroughputAtUtcTicks ? At(p.ThroughputAtUtcTicks) : null,
    };

    private static Wire.OnlineEvent ToProto(OnlineStateEvent e) => new() { AtUtcTicks = e.Timestamp.UtcTicks, Online = e.Online };

    private static OnlineStateEvent FromProto(Wire.OnlineEvent p) => new(At(p.AtUtcTicks), p.Online);

    private static Wire.LogState ToProto(PeerLogState s)
    {
        var p = new Wire.LogState
        {
            Online = s.Online,
            FlapCount = s.FlapCount,
            Staged = s.Staged is { } st ? ToProto(st) : null,
        };
        if (s.LastFlap is { } lf) p.LastFlapUtcTicks = lf.UtcTicks;
        foreach (var e in s.Committed) p.Committed.Add(ToProto(e));
        if (s.Prefix is { } x)
        {
            p.Prefix = new Wire.LogPrefix
            {
                StartUtcTicks = x.Start.UtcTicks,
                BoundaryUtcTicks = x.Boundary.UtcTicks,
                OnlineBeforeBoundaryTicks = x.OnlineBeforeBoundary.Ticks,
                OnlineAtBoundary = x.OnlineAtBoundary,
            };
            foreach (var c in x.Checkpoints)
                p.Prefix.Checkpoints.Add(new Wire.UptimeCheckpoint { AtUtcTicks = c.At.UtcTicks, OnlineSinceStartTicks = c.OnlineSinceStart.Ticks });
        }
        foreach (var c in s.Channels) p.Channels.Add(new Wire.ChannelRecord { ChannelId = c.ChannelId, OpenedAtUtcTicks = c.OpenedAt.UtcTicks });
        return p;
    }

    private static PeerLogState FromProto(Wire.LogState p) => new(
        p.Online,
        p.FlapCount,
        p.HasLastFlapUtcTicks ? At(p.LastFlapUtcTicks) : null,
        p.Committed.Select(FromProto).ToArray(),
        p.Staged is { } st ? FromProto(st) : null,
        p.Prefix is { } x
            ? new PeerLogPrefix(At(x.StartUtcTicks), At(x.BoundaryUtcTicks), TimeSpan.FromTicks(x.OnlineBeforeBoundaryTicks), x.OnlineAtBoundary,
                x.Checkpoints.Select(c => new UptimeCheckpoint(At(c.AtUtcTicks), TimeSpan.FromTicks(c.OnlineSinceStartTicks))).ToArray())
            : null,
        p.Channels.Select(c => new ChannelRecord(c.ChannelId, At(c.OpenedAtUtcTicks))).ToArray());

    private static Wire.LogWindow ToProto(PeerLogWindow w)
    {
        var p = new Wire.LogWindow { Online = w.Online, FlapCount = w.FlapCount, Staged = w.Staged is { } st ? ToProto(st) : null };
        if (w.LastFlap is { } lf) p.LastFlapUtcTicks = lf.UtcTicks;
        foreach (var e in w.Appended) p.Appended.Add(ToProto(e));
        return p;
    }

    private static PeerLogWindow FromProto(Wire.LogWindow p) => new(
        p.Online,
        p.FlapCount,
        p.HasLastFlapUtcTicks ? At(p.LastFlapUtcTicks) : null,
        p.Staged is { } st ? FromProto(st) : null,
        p.Appended.Select(FromProto).ToArray());

    private static Wire.EpochBytes ToProto(EpochBytes e) => new() { Epoch = e.Epoch, IngressBytes = e.IngressBytes, EgressBytes = e.EgressBytes };

    private static EpochBytes FromProto(Wire.EpochBytes p) => new(p.Epoch, p.IngressBytes, p.EgressBytes);

    private static Wire.OlderBytes? ToProto(OlderBytes? o) => o is { } x
        ? new Wire.OlderBytes { FirstEpoch = x.FirstEpoch, LastEpoch = x.LastEpoch, IngressBytes = x.IngressBytes, EgressBytes = x.EgressBytes }
        : null;

    private static OlderBytes? FromProto(Wire.OlderBytes? p) => p is null ? null : new OlderBytes(p.FirstEpoch, p.LastEpoch, p.IngressBytes, p.EgressBytes);

    private static Wire.BandwidthState ToProto(PeerBandwidthState s)
    {
        var p = new Wire.BandwidthState
        {
            EpochLengthTicks = s.EpochLength.Ticks, IngressBytes = s.IngressBytes, EgressBytes = s.EgressBytes, Older = ToProto(s.Older),
        };
        foreach (var e in s.Epochs) p.Epochs.Add(ToProto(e));
        return p;
    }

    private static PeerBandwidthState FromProto(Wire.BandwidthState p) => new(
        TimeSpan.FromTicks(p.EpochLengthTicks), p.IngressBytes, p.EgressBytes, p.Epochs.Select(FromProto).ToArray(), FromProto(p.Older));

    private static Wire.BandwidthWindow ToProto(PeerBandwidthWindow w)
    {
        var p = new Wire.BandwidthWindow { IngressBytes = w.IngressBytes, EgressBytes = w.EgressBytes, Older = ToProto(w.Older) };
        foreach (var e in w.Epochs) p.Epochs.Add(ToProto(e));
        return p;
    }

    private static PeerBandwidthWindow FromProto(Wire.BandwidthWindow p) => new(
        p.IngressBytes, p.EgressBytes, FromProto(p.Older), p.Epochs.Select(FromProto).ToArray());

    private static Wire.StateData ToProto(PeerStateData s)
    {
        var p = new Wire.StateData { Stats = ToProto(s.Stats), Log = ToProto(s.Log), Bandwidth = ToProto(s.Bandwidth) };
        p.Protocols.AddRange(s.Protocols);
        p.Services.AddRange(s.Services);
        return p;
    }

    private static PeerStateData FromProto(Wire.StateData p) => new(
        FromProto(Need(p.Stats, "state.stats")),
        FromProto(Need(p.Log, "state.log")),
        FromProto(Need(p.Bandwidth, "state.bandwidth")),
        p.Protocols.ToArray(),
        p.Services.ToArray());

    private static Wire.WindowState ToProto(PeerWindowState w)
    {
        var p = new Wire.WindowState { Stats = ToProto(w.Stats), Log = ToProto(w.Log), Bandwidth = ToProto(w.Bandwidth) };
        p.AddedProtocols.AddRange(w.AddedProtocols);
        p.AddedServices.AddRange(w.AddedServices);
        return p;
    }

    private static PeerWindowState FromProto(Wire.WindowState p) => new(
        FromProto(Need(p.Stats, "window.stats")),
        FromProto(Need(p.Log, "window.log")),
        FromProto(Need(p.Bandwidth, "window.bandwidth")),
        p.AddedProtocols.ToArray(),
        p.AddedServices.ToArray());
}
