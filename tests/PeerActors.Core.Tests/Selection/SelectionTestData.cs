namespace PeerActors.Core.Tests.Selection;

internal static class SelectionTestData
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static PeerStatsState Peer(string id, ulong requests = 0, ulong successes = 0, double srtt = 0,
        ulong timeouts = 0, ulong failures = 0, DateTimeOffset? lastSuccess = null, DateTimeOffset? backedOffUntil = null,
        int backoffLevel = 0, ulong bytesSent = 0, ulong bytesReceived = 0, ulong paid = 0, ulong receipts = 0,
        ulong defaults = 0, DateTimeOffset? connectedAt = null) => new()
    {
        PeerId = PeerId.Parse(id), ConnectedAt = connectedAt ?? T0.AddHours(-1), RequestsSent = requests, Successes = successes,
        SrttMs = srtt, Timeouts = timeouts, Failures = failures, LastSuccess = lastSuccess, BackedOffUntil = backedOffUntil,
        BackoffLevel = backedOffUntil is null ? backoffLevel : Math.Max(1, backoffLevel), BytesSent = bytesSent,
        BytesReceived = bytesReceived, PaidSat = paid, PaymentReceipts = receipts, PaymentDefaults = defaults, RtoMs = 1000,
    };

    /// <summary>Runs the query through the reference function and through an index; asserts they agree and returns the answer.</summary>
    public static SelectionResult Both(IEnumerable<PeerStatsState> peers, SelectionQuery q, DateTimeOffset now, long rr = 0)
    {
        var list = peers.ToList();
        var reference = PeerSelector.Select(list, q, now, rr, new Random(q.RandomSeed ?? 1));
        var index = new PeerRankingIndex(new Random(q.RandomSeed ?? 1)) { RoundRobinIndex = rr };
        foreach (var p in list) index.Upsert(p);
        var fast = index.Select(q, now);
        Xunit.Assert.True(reference.SameAs(fast),
            $"index {string.Join(",", fast.Ids)} vs reference {string.Join(",", reference.Ids)}");
        return reference;
    }

    public static string[] Ids(SelectionResult r) => r.Ids.Select(i => i.Value).ToArray();
}
