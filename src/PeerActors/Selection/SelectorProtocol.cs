namespace PeerActors.Selection;

/// <summary>
/// A SPEC §3 selection query to the selector actor (fields of <see cref="SelectionQuery"/> in a
/// serializable shape). Answered with <see cref="SelectPeersReply"/>, or <see cref="SelectorRejected"/>
/// when a field is invalid.
/// </summary>
/// <param name="Strategy">Ranking strategy (default Weighted).</param>
/// <param name="Count">N ≥ 0 peers to return (default 10).</param>
/// <param name="Fairness">Drop peers over 30 % of all selections when ≥ 5 candidates (default on).</param>
/// <param name="PaymentWeight">w, clamped to [0, 1]; NaN is rejected (default 0).</param>
/// <param name="PaymentDefaultThreshold">Peers with payment_defaults ≥ this are excluded; 0 = off.</param>
/// <param name="Exclude">Peer ids never returned (null = none).</param>
/// <param name="Protocol">Only peers known to serve this protocol (null = any).</param>
/// <param name="Service">Only peers known to serve this service (null = any).</param>
/// <param name="Seed">Seed of the Random strategy's shuffle (null = the selector's own generator).</param>
/// <param name="Now">Instant of the query; null = the node's <see cref="TimeProvider"/>.</param>
/// <param name="UnknownLatencyLast">LowestLatency only: peers without an RTT sample rank last instead of first (the reference
/// order, default false).</param>
public sealed record SelectPeers(
    SelectionStrategy Strategy = SelectionStrategy.Weighted,
    int Count = 10,
    bool Fairness = true,
    double PaymentWeight = 0,
    ulong PaymentDefaultThreshold = 0,
    IReadOnlyList<string>? Exclude = null,
    string? Protocol = null,
    string? Service = null,
    int? Seed = null,
    DateTimeOffset? Now = null,
    bool UnknownLatencyLast = false)
{
    /// <summary>Builds the Core query.</summary>
    /// <returns>The query.</returns>
    /// <exception cref="Core.Validation.InvalidInputException">A negative count, NaN weight or an invalid excluded id.</exception>
    public SelectionQuery ToQuery() => new()
    {
        Strategy = Enum.IsDefined(Strategy)
            ? Strategy
            : throw new Core.Validation.InvalidInputException("strategy", $"unknown strategy {Strategy}"),
        Count = Count,
        Fairness = Fairness,
        PaymentWeight = PaymentWeight,
        PaymentDefaultThreshold = PaymentDefaultThreshold,
        Exclude = (Exclude ?? []).Select(e => Core.Identity.PeerId.Parse(e, "exclude")).ToHashSet(),
        Protocol = Protocol,
        Service = Service,
        RandomSeed = Seed,
        UnknownLatencyLast = UnknownLatencyLast,
    };
}

/// <summary>One selected peer, best first.</summary>
/// <param name="PeerId">The peer id.</param>
/// <param name="Score">The value it was ordered by (see <see cref="RankedPeer.Score"/>).</param>
/// <param name="Inputs">The inputs that produced <paramref name="Score"/>.</param>
public sealed record SelectedPeer(string PeerId, double Score, ScoreInputs Inputs);

/// <summary>Answer to <see cref="SelectPeers"/>.</summary>
/// <param name="Peers">At most N peers in rank order.</param>
/// <param name="BackedOffFallback">True when every matching peer was backed off and they were returned soonest-expiring first.</param>
/// <param name="CandidateCount">Candidates ranked after filters and fairness.</param>
/// <param name="FairnessDropped">Peer ids dropped by fairness (id order).</param>
/// <param name="TrackedPeers">Peers the selector tracks.</param>
/// <param name="Now">The instant the query was answered at.</param>
public sealed record SelectPeersReply(
    IReadOnlyList<SelectedPeer> Peers, bool BackedOffFallback, int CandidateCount, IReadOnlyList<string> FairnessDropped,
    int TrackedPeers, DateTimeOffset Now)
{
    /// <summary>The selected ids in rank order.</summary>
    public IReadOnlyList<string> Ids => Peers.Select(p => p.PeerId).ToArray();

    /// <summary>Maps a Core result.</summary>
    /// <param name="r">The result.</param>
    /// <param name="tracked">Tracked peers.</param>
    /// <param name="now">Instant of the query.</param>
    /// <returns>The reply.</returns>
    public static SelectPeersReply From(SelectionResult r, int tracked, DateTimeOffset now) => new(
        r.Peers.Select(p => new SelectedPeer(p.PeerId.Value, p.Score, p.Inputs)).ToArray(),
        r.BackedOffFallback, r.CandidateCount, r.FairnessDropped.Select(p => p.Value).ToArray(), tracked, now);
}

/// <summary>Asks the selector for the SPEC §3 summary. Answered with <see cref="SelectionSummaryReply"/>.</summary>
/// <param name="Now">Instant of the summary (backed-off count); null = the node's <see cref="TimeProvider"/>.</param>
public sealed record GetSelectionSummary(DateTimeOffset? Now = null);

/// <summary>The SPEC §3 summary at <paramref name="Now"/>.</summary>
/// <param name="Summary">peer_count, totals, backed_off_count, avg_rtt_ms, overall_success_rate.</param>
/// <param name="Now">The instant used.</param>
public sealed record SelectionSummaryReply(SelectionSummary Summary, DateTimeOffset Now);

/// <summary>A query was invalid; nothing changed.</summary>
/// <param name="Field">The offending field.</param>
/// <param name="Message">What is wrong.</param>
public sealed record SelectorRejected(string Field, string Message);

/// <summary>
/// Bootstrap: a starting selector asks another node's selector for all its entries. Answered with one
/// or more <see cref="SelectorSyncChunk"/> messages (the last has <see cref="SelectorSyncChunk.Last"/> set).
/// </summary>
/// <param name="RequestId">Correlates the chunks of one answer.</param>
public sealed record SelectorSyncRequest(Guid RequestId);

/// <summary>Part of an answer to <see cref="SelectorSyncRequest"/>: the latest inputs of some peers.</summary>
/// <param name="RequestId">The request answered.</param>
/// <param name="Sequence">0-based chunk number.</param>
/// <param name="Entries">Up to <see cref="SelectorOptions.SyncChunkSize"/> peers' latest inputs (with their versions).</param>
/// <param name="Last">True on the final chunk.</param>
public sealed record SelectorSyncChunk(Guid RequestId, int Sequence, IReadOnlyList<PeerScoreInputs> Entries, bool Last);

/// <summary>Runs the journal bootstrap (<see cref="SelectorOptions.BootstrapFromJournal"/>) now; answered with <see cref="JournalBootstrapDone"/> once every peer was sent <see cref="PublishScoreInputs"/>.</summary>
public sealed record BootstrapFromJournal
{
    /// <summary>The single instance.</summary>
    public static BootstrapFromJournal Instance { get; } = new();
}

/// <summary>Answer to <see cref="BootstrapFromJournal"/>.</summary>
/// <param name="PeersWoken">Peer actors sent <see cref="PublishScoreInputs"/>.</param>
/// <param name="Error">Why the bootstrap could not run or stopped (no read journal configured, no peer region…), else null.</param>
public sealed record JournalBootstrapDone(int PeersWoken, string? Error);

/// <summary>
/// Published on the selector's ActorSystem EventStream after it applied an update, when
/// <see cref="SelectorOptions.PublishAppliedEvents"/> is on (diagnostics and staleness measurement).
/// </summary>
/// <param name="PeerId">The peer.</param>
/// <param name="Version">The applied version.</param>
/// <param name="Forgotten">True when the update removed the peer.</param>
public sealed record ScoreInputsApplied(string PeerId, long Version, bool Forgotten);
