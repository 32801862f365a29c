using PeerActors.Peers;

namespace PeerActors.Node.Replay;

/// <summary>
/// The peer actors as seen by the replay: fire-and-forget <see cref="Tell"/> for high-rate observations and
/// <see cref="AskAsync"/> for critical commands and queries. Messages told or asked from one thread to one
/// peer are applied in the order they were sent (per-peer FIFO, as with an Akka shard region).
/// </summary>
public interface IReplayPeers
{
    /// <summary>Sends <paramref name="message"/> without waiting for (or producing) a reply.</summary>
    /// <param name="message">Usually a high-rate observation.</param>
    void Tell(IPeerMessage message);

    /// <summary>Sends <paramref name="message"/> and returns the peer actor's reply as is: a typed reply
    /// (<see cref="CommandAck"/>, <see cref="PeerStatsReply"/>, …) or a <see cref="CommandRejected"/>.</summary>
    /// <param name="message">Command or query.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The reply.</returns>
    Task<object> AskAsync(IPeerMessage message, CancellationToken ct);

    /// <summary>
    /// Waits until at most <paramref name="maxUnconfirmed"/> observations sent so far await their peer's persisted ack
    /// (backpressure; with 0, the end-of-replay barrier: everything sent is applied and in the journal). Targets that
    /// apply synchronously are always drained.
    /// </summary>
    /// <param name="maxUnconfirmed">Threshold (≥ 0).</param>
    /// <param name="ct">Cancellation.</param>
    Task DrainAsync(long maxUnconfirmed, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// The resource limits (SPEC §6) as seen by the replay: one inbound connection plus one stream per session.
/// Calls come from one thread, in trace order.
/// </summary>
public interface IReplayLimits
{
    /// <summary>Short description for the report, e.g. <c>limit actors</c>.</summary>
    string Description { get; }

    /// <summary>
    /// Opens an inbound connection from <paramref name="senderId"/> (<c>OpenConnection(inbound, usesFd, endpoint)</c>),
    /// attaches it to the peer (<c>SetPeer</c>), opens an inbound stream (<c>OpenStream(peer, inbound)</c>) and sets its
    /// protocol and service. Stops at the first refusal; whatever was opened stays in the returned session so that
    /// <see cref="CloseSessionAsync"/> releases it.
    /// </summary>
    /// <param name="senderId">The remote peer.</param>
    /// <param name="endpoint">Its (synthetic) address, or null.</param>
    /// <param name="protocol">Stream protocol.</param>
    /// <param name="service">Stream service.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The handles opened and the refusal, if any.</returns>
    Task<LimitsSessionOutcome> OpenSessionAsync(string senderId, IPAddress? endpoint, string protocol, string service, CancellationToken ct);

    /// <summary>Closes the stream, then the connection of <paramref name="session"/> (whatever of them was opened).</summary>
    /// <param name="session">The <see cref="LimitsSessionOutcome.Session"/> of an earlier open.</param>
    /// <param name="ct">Cancellation.</param>
    Task CloseSessionAsync(object session, CancellationToken ct);
}

/// <summary>Result of <see cref="IReplayLimits.OpenSessionAsync"/>.</summary>
/// <param name="Session">Opaque handles to close later; null when nothing was opened.</param>
/// <param name="Refusal">The refusal, or null when the connection and the stream were both admitted.</param>
public sealed record LimitsSessionOutcome(object? Session, LimitRefusal? Refusal);

/// <summary>A limit refused a reservation.</summary>
/// <param name="ScopeClass">The refusing scope's class in rcmgr vocabulary (<see cref="ReplayScopeClasses"/>): <c>system</c>, <c>transient</c>, <c>peer</c>, <c>conn</c>, <c>stream</c>, <c>protocol</c>, <c>protocol-peer</c>, <c>service</c>, <c>service-peer</c>, <c>subnet</c>…</param>
/// <param name="Scope">The refusing scope's name, e.g. <c>peer:ID</c>.</param>
/// <param name="Message">rcmgr's error text, e.g. <c>system: cannot reserve inbound connection: resource limit exceeded</c>.</param>
public sealed record LimitRefusal(string ScopeClass, string Scope, string Message);

/// <summary>A peer as ranked by a Weighted selection.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Score">The value it was ordered by (Weighted: blend(score(now))).</param>
public sealed record ReplayRankedPeer(string PeerId, double Score);

/// <summary>A peer as ranked by the selector, with the score inputs the selector holds for it.</summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Score">Weighted score at the query's instant.</param>
/// <param name="Inputs">The inputs behind it (requests sent, success rate, SRTT, base score, payment multiplier).</param>
public sealed record ReplayRankedInputs(string PeerId, double Score, Core.Selection.ScoreInputs Inputs);

/// <summary>Answers the final Weighted selection of the report.</summary>
public interface IReplaySelector
{
    /// <summary>Where the ranking comes from, for the report (e.g. <c>selector actor</c>).</summary>
    string Source { get; }

    /// <summary>
    /// The selector's retention window (<c>peeractors.selector.retention</c>), or null when it keeps every peer (the
    /// default). With a window, peers of the run inactive for longer before the trace's end are expected to be missing
    /// from <see cref="RunPeerInputsAsync"/>: the report then checks the peers it does hold one by one instead of the
    /// run's total.
    /// </summary>
    TimeSpan? Retention => null;

    /// <summary>The top <paramref name="count"/> peers under the Weighted strategy (SPEC §3) at <paramref name="now"/>.</summary>
    /// <param name="count">N (≥ 1).</param>
    /// <param name="now">Instant of the query (the trace's last timestamp).</param>
    /// <param name="finalStats">Every peer's final statistics (usable by implementations that rank locally).</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>Best first.</returns>
    Task<IReadOnlyList<ReplayRankedPeer>> SelectWeightedAsync(int count, DateTimeOffset now, IReadOnlyList<PeerStatsReply> finalStats, CancellationToken ct);

    /// <summary>
    /// The score inputs this selector holds for the peers of <paramref name="runPeers"/> at <paramref name="now"/>, from its
    /// own state (no peer actor is woken), once <paramref name="settled"/> accepts them or a bounded wait has passed (the
    /// inputs arrive by coalesced publications). Null when the selector holds no inputs of its own (then the report asks
    /// every peer for its final stats instead).
    /// </summary>
    /// <param name="runPeers">The peers of the run (ordinal ids); others the selector tracks are left out.</param>
    /// <param name="settled">True when the inputs are complete (e.g. Σ requests equals what was sent).</param>
    /// <param name="now">Instant of the query (the trace's end).</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The run's peers the selector tracks, in Weighted rank order (no fairness, payment weight 0: the score is
    /// score(now) · payment_reliability_multiplier), or null.</returns>
    Task<IReadOnlyList<ReplayRankedInputs>?> RunPeerInputsAsync(IReadOnlySet<string> runPeers,
        Func<IReadOnlyList<ReplayRankedInputs>, bool> settled, DateTimeOffset now, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ReplayRankedInputs>?>(null);

    /// <summary>
    /// Called once the report has found this selector's inputs complete (Σ requests equal to what was replayed): the
    /// selector saves its snapshot complete up to now (<see cref="PeerActors.Selection.SaveSelectorSnapshotAtMark"/>), so
    /// the node's next start wakes only the peers that change after it. Default: nothing to save.
    /// </summary>
    /// <param name="ct">Cancellation.</param>
    /// <returns>Null when saved or nothing to save; otherwise why it was not saved (the report goes on: the next start
    /// then catches up from an older offset).</returns>
    Task<string?> SaveSnapshotNowAsync(CancellationToken ct) => Task.FromResult<string?>(null);
}
