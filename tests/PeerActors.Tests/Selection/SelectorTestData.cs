namespace PeerActors.Tests.SelectionActor;

internal static class SelectorTestData
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static PeerStatsState Peer(string id, ulong requests = 0, ulong successes = 0, double srtt = 0,
        ulong timeouts = 0, DateTimeOffset? lastSuccess = null, DateTimeOffset? backedOffUntil = null,
        ulong bytesSent = 0, ulong bytesReceived = 0, ulong paid = 0, ulong receipts = 0, ulong defaults = 0,
        DateTimeOffset? connectedAt = null) => new()
    {
        PeerId = PeerId.Parse(id), ConnectedAt = connectedAt ?? T0.AddHours(-1), RequestsSent = requests, Successes = successes,
        SrttMs = srtt, Timeouts = timeouts, LastSuccess = lastSuccess, BackedOffUntil = backedOffUntil,
        BackoffLevel = backedOffUntil is null ? 0 : 1, BytesSent = bytesSent, BytesReceived = bytesReceived, PaidSat = paid,
        PaymentReceipts = receipts, PaymentDefaults = defaults, RtoMs = 1000,
    };

    public static PeerScoreInputs Inputs(PeerStatsState s, long version = 1, string[]? protocols = null, bool forgotten = false) =>
        new(s, version, protocols ?? [], [], forgotten);

    /// <summary>Fixed clock for queries without now.</summary>
    public sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
