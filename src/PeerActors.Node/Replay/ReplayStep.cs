namespace PeerActors.Node.Replay;

/// <summary>The kinds of <see cref="ReplayStep"/>, in the order their phases run at one instant (see <see cref="ReplayPlanner"/>).</summary>
public enum ReplayStepKind
{
    /// <summary><see cref="PeerOnline"/>.</summary>
    PeerOnline,
    /// <summary><see cref="ChannelOpened"/>.</summary>
    ChannelOpened,
    /// <summary><see cref="SessionOpened"/>.</summary>
    SessionOpened,
    /// <summary><see cref="ChunkTransferred"/>.</summary>
    ChunkTransferred,
    /// <summary><see cref="SessionClosed"/>.</summary>
    SessionClosed,
    /// <summary><see cref="PeerOffline"/>.</summary>
    PeerOffline,
}

/// <summary>
/// One step of a replay, at trace time <see cref="At"/> (UTC). A closed set: <see cref="PeerOnline"/>,
/// <see cref="ChannelOpened"/>, <see cref="SessionOpened"/>, <see cref="ChunkTransferred"/>,
/// <see cref="SessionClosed"/>, <see cref="PeerOffline"/> (no other assembly can derive from it).
/// </summary>
public abstract record ReplayStep
{
    private protected ReplayStep(DateTimeOffset at, int sessionIndex)
    {
        At = at;
        SessionIndex = sessionIndex;
    }

    /// <summary>Trace time of the step, UTC.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>Index of the session (in the planner's input list) that caused the step.</summary>
    public int SessionIndex { get; init; }

    /// <summary>The step's kind (for switch-free consumers and tie ordering).</summary>
    public abstract ReplayStepKind Kind { get; }
}

/// <summary>A peer's active-session count went 0 → 1: it comes online (at the start of <see cref="ReplayStep.SessionIndex"/>).</summary>
/// <param name="At">Session start (<c>min_ts</c>).</param>
/// <param name="SessionIndex">The session that brought the peer online.</param>
/// <param name="PeerId">The peer (receiver or sender of that session).</param>
public sealed record PeerOnline(DateTimeOffset At, int SessionIndex, string PeerId) : ReplayStep(At, SessionIndex)
{
    /// <inheritdoc/>
    public override ReplayStepKind Kind => ReplayStepKind.PeerOnline;
}

/// <summary>First session of the pair: the sender <see cref="SenderId"/> gets channel <see cref="ChannelId"/> (= the receiver id).</summary>
/// <param name="At">Start of the pair's first session.</param>
/// <param name="SessionIndex">That session.</param>
/// <param name="SenderId">Channel owner (<c>pid2</c>).</param>
/// <param name="ChannelId">Channel id = the receiver id (<c>pid1</c>).</param>
public sealed record ChannelOpened(DateTimeOffset At, int SessionIndex, string SenderId, string ChannelId) : ReplayStep(At, SessionIndex)
{
    /// <inheritdoc/>
    public override ReplayStepKind Kind => ReplayStepKind.ChannelOpened;
}

/// <summary>
/// At <c>min_ts</c>: an inbound connection from the sender is opened and attached to peer
/// <see cref="SenderId"/>, with one stream of <see cref="Protocol"/> / <see cref="Service"/>.
/// </summary>
/// <param name="At">Session start (<c>min_ts</c>).</param>
/// <param name="SessionIndex">The session.</param>
/// <param name="ReceiverId">Receiver (<c>pid1</c>, the local side of the connection).</param>
/// <param name="SenderId">Sender (<c>pid2</c>, the remote peer the connection is attached to).</param>
/// <param name="Protocol">Stream protocol, always <see cref="ReplayPlanner.Protocol"/>.</param>
/// <param name="Service">Stream service, always <see cref="ReplayPlanner.Service"/>.</param>
public sealed record SessionOpened(DateTimeOffset At, int SessionIndex, string ReceiverId, string SenderId, string Protocol, string Service)
    : ReplayStep(At, SessionIndex)
{
    /// <inheritdoc/>
    public override ReplayStepKind Kind => ReplayStepKind.SessionOpened;
}

/// <summary>Chunk <see cref="ChunkIndex"/> of a session: a request to the sender answered after <see cref="RttMs"/> with <see cref="Bytes"/> bytes of ingress attributed to the sender.</summary>
/// <param name="At"><c>min_ts + (ChunkIndex+1)·(max_ts − min_ts)/cnt</c> (truncated to 100 ns ticks).</param>
/// <param name="SessionIndex">The session.</param>
/// <param name="SenderId">The peer that answered (<c>pid2</c>).</param>
/// <param name="ReceiverId">The requesting peer (<c>pid1</c>).</param>
/// <param name="ChunkIndex">0-based, &lt; <c>cnt</c>.</param>
/// <param name="RttMs">Round-trip time in ms: <c>total_timespent / cnt</c> (double division).</param>
/// <param name="Bytes">Bytes received: <c>total_bytes / cnt</c> (integer division), the last chunk also gets the remainder.</param>
public sealed record ChunkTransferred(DateTimeOffset At, int SessionIndex, string SenderId, string ReceiverId, int ChunkIndex, double RttMs, long Bytes)
    : ReplayStep(At, SessionIndex)
{
    /// <inheritdoc/>
    public override ReplayStepKind Kind => ReplayStepKind.ChunkTransferred;
}

/// <summary>At <c>max_ts</c>: the session's stream and connection close.</summary>
/// <param name="At">Session end (<c>max_ts</c>).</param>
/// <param name="SessionIndex">The session.</param>
/// <param name="ReceiverId">Receiver (<c>pid1</c>).</param>
/// <param name="SenderId">Sender (<c>pid2</c>).</param>
public sealed record SessionClosed(DateTimeOffset At, int SessionIndex, string ReceiverId, string SenderId) : ReplayStep(At, SessionIndex)
{
    /// <inheritdoc/>
    public override ReplayStepKind Kind => ReplayStepKind.SessionClosed;
}

/// <summary>A peer's active-session count went 1 → 0: it goes offline (at the end of <see cref="ReplayStep.SessionIndex"/>).</summary>
/// <param name="At">Session end (<c>max_ts</c>).</param>
/// <param name="SessionIndex">The session whose end left the peer without sessions.</param>
/// <param name="PeerId">The peer.</param>
public sealed record PeerOffline(DateTimeOffset At, int SessionIndex, string PeerId) : ReplayStep(At, SessionIndex)
{
    /// <inheritdoc/>
    public override ReplayStepKind Kind => ReplayStepKind.PeerOffline;
}
