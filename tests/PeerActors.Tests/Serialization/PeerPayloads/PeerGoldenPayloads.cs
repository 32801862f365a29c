namespace PeerActors.Tests.Serialization.PeerPayloads;

/// <summary>
/// Committed payloads of every persisted peer event and snapshot, exactly as stored today. They must keep
/// deserializing to the expected values forever (a format change needs a new manifest version plus an upcaster).
/// Do not regenerate these strings: add new versions next to them (<c>peer-snapshot.v1</c> is now a legacy manifest,
/// read through its upcaster; see <see cref="PeerSamples.Legacy"/>).
/// </summary>
public static class PeerGoldenPayloads
{
    public static readonly IReadOnlyDictionary<string, string> ByManifest = new Dictionary<string, string>
    {
        ["peer-flushed.v1"] = """
        {"from":"2025-03-01T12:00:00+00:00","to":"2025-03-01T12:00:07+00:00","counts":{"requests":3,"successes":2,"timeouts":1,"failures":0,"ingressBytes":4096,"egressBytes":300,"onlineEvents":1,"offlineEvents":1,"serves":1},"state":{"stats":{"peerId":"p1","connectedAt":"2025-03-01T12:00:00+00:00","requestsSent":3,"successes":2,"timeouts":1,"failures":0,"srttMs":100.5,"rttvarMs":25.25,"rtoMs":201,"consecutiveRtoBackoffs":1,"backoffLevel":1,"backedOffUntil":"2025-03-01T12:00:11+00:00","lastSuccess":"2025-03-01T12:00:05+00:00","lastFailure":"2025-03-01T12:00:10+00:00","bytesReceived":4096,"bytesSent":300,"paidSat":64,"receivedSat":10,"paymentReceipts":1,"paymentDefaults":0},"log":{"online":true,"flapCount":2,"lastFlap":"2025-03-01T12:00:07+00:00","committed":[{"timestamp":"2025-03-01T12:00:01+00:00","online":false}],"staged":{"timestamp":"2025-03-01T12:00:07+00:00","online":true},"prefix":null,"channels":[{"channelId":"tx:0","openedAt":"2025-03-01T12:00:01+00:00"}]},"bandwidth":{"epochLength":"01:00:00","ingressBytes":4096,"egressBytes":300,"epochs":[{"epoch":484716,"ingressBytes":4096,"egressBytes":300}],"older":null},"protocols":["/chunk/1.0.0"],"services":["streaming"]}}
        """,
        ["peer-payment.v1"] = """
        {"amountSat":64,"observedAt":"2025-03-01T12:00:00+00:00"}
        """,
        ["peer-receipt.v1"] = """
        {"amountSat":10,"observedAt":"2025-03-01T12:00:00+00:00"}
        """,
        ["peer-payment-default.v1"] = """
        {"observedAt":"2025-03-01T12:00:00+00:00"}
        """,
        ["peer-channel-opened.v1"] = """
        {"channelId":"tx:0","observedAt":"2025-03-01T12:00:01+00:00"}
        """,
        ["peer-channel-closed.v1"] = """
        {"channelId":"tx:0","observedAt":"2025-03-01T12:00:09+00:00"}
        """,
        ["peer-snapshot.v1"] = """
        {"state":{"stats":{"peerId":"p1","connectedAt":"2025-03-01T12:00:00+00:00","requestsSent":3,"successes":2,"timeouts":1,"failures":0,"srttMs":100.5,"rttvarMs":25.25,"rtoMs":201,"consecutiveRtoBackoffs":1,"backoffLevel":1,"backedOffUntil":"2025-03-01T12:00:11+00:00","lastSuccess":"2025-03-01T12:00:05+00:00","lastFailure":"2025-03-01T12:00:10+00:00","bytesReceived":4096,"bytesSent":300,"paidSat":64,"receivedSat":10,"paymentReceipts":1,"paymentDefaults":0},"log":{"online":true,"flapCount":2,"lastFlap":"2025-03-01T12:00:07+00:00","committed":[{"timestamp":"2025-03-01T12:00:01+00:00","online":false}],"staged":{"timestamp":"2025-03-01T12:00:07+00:00","online":true},"prefix":null,"channels":[{"channelId":"tx:0","openedAt":"2025-03-01T12:00:01+00:00"}]},"bandwidth":{"epochLength":"01:00:00","ingressBytes":4096,"egressBytes":300,"epochs":[{"epoch":484716,"ingressBytes":4096,"egressBytes":300}],"older":null},"protocols":["/chunk/1.0.0"],"services":["streaming"]}}
        """,
        ["peer-banned.v1"] = """
        {"until":"2025-03-01T13:00:00+00:00","reason":"spam","observedAt":"2025-03-01T12:00:00+00:00"}
        """,
        ["peer-unbanned.v1"] = """
        {"observedAt":"2025-03-01T12:30:00+00:00"}
        """,
        ["peer-snapshot.v2"] = """
        {"state":{"stats":{"peerId":"p1","connectedAt":"2025-03-01T12:00:00+00:00","requestsSent":3,"successes":2,"timeouts":1,"failures":0,"srttMs":100.5,"rttvarMs":25.25,"rtoMs":201,"consecutiveRtoBackoffs":1,"backoffLevel":1,"backedOffUntil":"2025-03-01T12:00:11+00:00","lastSuccess":"2025-03-01T12:00:05+00:00","lastFailure":"2025-03-01T12:00:10+00:00","bytesReceived":4096,"bytesSent":300,"paidSat":64,"receivedSat":10,"paymentReceipts":1,"paymentDefaults":0,"throughputRateSum":0,"throughputWeight":0,"throughputBurst":0,"throughputAt":null},"log":{"online":true,"flapCount":2,"lastFlap":"2025-03-01T12:00:07+00:00","committed":[{"timestamp":"2025-03-01T12:00:01+00:00","online":false}],"staged":{"timestamp":"2025-03-01T12:00:07+00:00","online":true},"prefix":null,"channels":[{"channelId":"tx:0","openedAt":"2025-03-01T12:00:01+00:00"}]},"bandwidth":{"epochLength":"01:00:00","ingressBytes":4096,"egressBytes":300,"epochs":[{"epoch":484716,"ingressBytes":4096,"egressBytes":300}],"older":null},"protocols":["/chunk/1.0.0"],"services":["streaming"]},"ban":{"until":"2025-03-01T13:00:00+00:00","reason":"spam","bannedAt":"2025-03-01T12:00:00+00:00"},"deliveries":null}
        """,
        ["peer-flushed-delta.v1"] = """
        {"from":"2025-03-01T12:00:00+00:00","to":"2025-03-01T12:00:07+00:00","counts":{"requests":3,"successes":2,"timeouts":1,"failures":0,"ingressBytes":4096,"egressBytes":300,"onlineEvents":1,"offlineEvents":1,"serves":1},"window":{"stats":{"peerId":"p1","connectedAt":"2025-03-01T12:00:00+00:00","requestsSent":3,"successes":2,"timeouts":1,"failures":0,"srttMs":100.5,"rttvarMs":25.25,"rtoMs":201,"consecutiveRtoBackoffs":1,"backoffLevel":1,"backedOffUntil":"2025-03-01T12:00:11+00:00","lastSuccess":"2025-03-01T12:00:05+00:00","lastFailure":"2025-03-01T12:00:10+00:00","bytesReceived":4096,"bytesSent":300,"paidSat":64,"receivedSat":10,"paymentReceipts":1,"paymentDefaults":0},"log":{"online":true,"flapCount":2,"lastFlap":"2025-03-01T12:00:07+00:00","staged":{"timestamp":"2025-03-01T12:00:07+00:00","online":true},"appended":[{"timestamp":"2025-03-01T12:00:01+00:00","online":false}]},"bandwidth":{"ingressBytes":4096,"egressBytes":300,"older":null,"epochs":[{"epoch":484716,"ingressBytes":4096,"egressBytes":300}]},"addedProtocols":["/chunk/1.0.0"],"addedServices":[]},"deliveries":[{"producerId":"127.0.0.1:4053/0a1b2c3d4e5f","seqNr":42}]}
        """,
    };
}
