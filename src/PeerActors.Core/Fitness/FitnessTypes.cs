namespace PeerActors.Core.Fitness;

/// <summary>A peer online (<see cref="Online"/> = true) or offline event (lnd <c>peerOnlineEvent</c>/<c>peerOfflineEvent</c>).</summary>
/// <param name="Timestamp">When the event happened (UTC).</param>
/// <param name="Online">True for an online event, false for an offline event.</param>
public readonly record struct OnlineStateEvent(DateTimeOffset Timestamp, bool Online);

/// <summary>A period over which the peer was online (lnd <c>onlinePeriod</c>), <see cref="Start"/> ≤ <see cref="End"/>.</summary>
/// <param name="Start">Start of the period (UTC).</param>
/// <param name="End">End of the period (UTC).</param>
public readonly record struct OnlinePeriod(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>Length of the period (End − Start).</summary>
    public TimeSpan Duration => End - Start;
}

/// <summary>Result of <see cref="PeerLog.ChannelUptime"/> (lnd <c>channelUptime</c>).</summary>
/// <param name="Lifetime">now − openedAt: how long the channel has been monitored.</param>
/// <param name="Uptime">Time the peer was online within [openedAt, now].</param>
public readonly record struct ChannelUptimeReport(TimeSpan Lifetime, TimeSpan Uptime);

/// <summary>A channel tracked for a peer.</summary>
/// <param name="ChannelId">Opaque channel id (e.g. <c>txid:index</c>), unique per peer.</param>
/// <param name="OpenedAt">When the channel was added to the log (UTC).</param>
public readonly record struct ChannelRecord(string ChannelId, DateTimeOffset OpenedAt);

/// <summary>
/// An exact value of the cumulative online time C(t) kept inside a compacted prefix, for an instant at which a
/// tracked channel was opened (so that channel uptime stays exact after compaction).
/// </summary>
/// <param name="At">The instant (UTC), strictly inside (<see cref="PeerLogPrefix.Start"/>, <see cref="PeerLogPrefix.Boundary"/>).</param>
/// <param name="OnlineSinceStart">Online time within [<see cref="PeerLogPrefix.Start"/>, <see cref="At"/>].</param>
public readonly record struct UptimeCheckpoint(DateTimeOffset At, TimeSpan OnlineSinceStart);

/// <summary>
/// Compact summary of the oldest committed events, folded away by <see cref="PeerLog"/> when the committed log
/// exceeds <see cref="PeerLogOptions.MaxCommittedEvents"/>.
/// </summary>
/// <param name="Start">Timestamp of the first event ever folded (the start of the log).</param>
/// <param name="Boundary">Timestamp of the last folded event; the retained events are all at or after it.</param>
/// <param name="OnlineBeforeBoundary">Exact online time within [<see cref="Start"/>, <see cref="Boundary"/>].</param>
/// <param name="OnlineAtBoundary">
/// The walk state after the last folded event: true if an online period was open at <see cref="Boundary"/>.
/// The online-period walk continues from a synthetic event of this kind at <see cref="Boundary"/>.
/// </param>
/// <param name="Checkpoints">Exact C(t) values at channel-open instants inside the prefix, ordered by instant.</param>
public sealed record PeerLogPrefix(
    DateTimeOffset Start,
    DateTimeOffset Boundary,
    TimeSpan OnlineBeforeBoundary,
    bool OnlineAtBoundary,
    IReadOnlyList<UptimeCheckpoint> Checkpoints)
{
    /// <summary>Structural equality (checkpoints compared element by element).</summary>
    /// <param name="other">The prefix to compare with.</param>
    /// <returns>True when every field and every checkpoint is equal.</returns>
    public bool Equals(PeerLogPrefix? other) =>
        other is not null
        && Start == other.Start && Boundary == other.Boundary
        && OnlineBeforeBoundary == other.OnlineBeforeBoundary && OnlineAtBoundary == other.OnlineAtBoundary
        && Checkpoints.SequenceEqual(other.Checkpoints);

    /// <summary>Hash over the scalar fields and the checkpoint count.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() =>
        HashCode.Combine(Start, Boundary, OnlineBeforeBoundary, OnlineAtBoundary, Checkpoints.Count);
}

/// <summary>
/// Settings of <see cref="PeerLog"/>.
/// </summary>
public sealed record PeerLogOptions
{
    /// <summary>Default settings (cap 4,096 committed events).</summary>
    public static PeerLogOptions Default { get; } = new();

    /// <summary>
    /// Maximum number of committed online/offline events kept verbatim (default 4,096, minimum 2). When a commit
    /// pushes the count above it, the oldest events are folded into a <see cref="PeerLogPrefix"/> so that the
    /// count drops to half the cap. Memory per peer is therefore O(cap + channels) whatever the flap rate.
    /// </summary>
    public int MaxCommittedEvents { get; init; } = 4096;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="Validation.InvalidInputException">When <see cref="MaxCommittedEvents"/> is below 2.</exception>
    public PeerLogOptions Validate()
    {
        if (MaxCommittedEvents < 2)
            throw new Validation.InvalidInputException(nameof(MaxCommittedEvents), $"must be at least 2, got {MaxCommittedEvents}");
        return this;
    }
}

/// <summary>
/// Immutable snapshot of a whole <see cref="PeerLog"/> (for persistence snapshots); <see cref="PeerLog.FromState"/>
/// of <see cref="PeerLog.ToState"/> reproduces the log exactly. Equality is structural.
/// </summary>
/// <param name="Online">Current online state.</param>
/// <param name="FlapCount">Flap count as last stored (cooldown is applied lazily on the next flap).</param>
/// <param name="LastFlap">Instant of the last flap, if any.</param>
/// <param name="Committed">Committed events in time order.</param>
/// <param name="Staged">The staged event, if any.</param>
/// <param name="Prefix">Compacted prefix, if the log has been compacted.</param>
/// <param name="Channels">Tracked channels, ordered by channel id (ordinal).</param>
public sealed record PeerLogState(
    bool Online,
    long FlapCount,
    DateTimeOffset? LastFlap,
    IReadOnlyList<OnlineStateEvent> Committed,
    OnlineStateEvent? Staged,
    PeerLogPrefix? Prefix,
    IReadOnlyList<ChannelRecord> Channels)
{
    /// <summary>State of a peer never seen: offline, no flaps, no channels, no events.</summary>
    public static PeerLogState Empty { get; } = new(false, 0, null, [], null, null, []);

    /// <summary>Structural equality (lists compared element by element).</summary>
    /// <param name="other">The state to compare with.</param>
    /// <returns>True when both describe the same log.</returns>
    public bool Equals(PeerLogState? other) =>
        other is not null
        && Online == other.Online && FlapCount == other.FlapCount && LastFlap == other.LastFlap
        && Staged == other.Staged && Equals(Prefix, other.Prefix)
        && Committed.SequenceEqual(other.Committed) && Channels.SequenceEqual(other.Channels);

    /// <summary>Hash over the scalar fields and list sizes.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() =>
        HashCode.Combine(Online, FlapCount, LastFlap, Staged, Prefix, Committed.Count, Channels.Count);
}

/// <summary>
/// What one flush window changed in a <see cref="PeerLog"/>, for a journal that grows with activity rather than with
/// the log's size: the events committed in the window (bounded by the rate-limit tiers) and the resulting scalars.
/// Channels are not part of it (they change only through their own persisted events).
/// <see cref="PeerLog.ApplyWindow"/> on the state before the window reproduces the state after it exactly.
/// </summary>
/// <param name="Online">Online state after the window.</param>
/// <param name="FlapCount">Flap count after the window.</param>
/// <param name="LastFlap">Last flap after the window.</param>
/// <param name="Staged">Staged event after the window.</param>
/// <param name="Appended">Events committed during the window, in commit order.</param>
public sealed record PeerLogWindow(
    bool Online,
    long FlapCount,
    DateTimeOffset? LastFlap,
    OnlineStateEvent? Staged,
    IReadOnlyList<OnlineStateEvent> Appended)
{
    /// <summary>Structural equality (appended events compared element by element).</summary>
    /// <param name="other">The window to compare with.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(PeerLogWindow? other) =>
        other is not null && Online == other.Online && FlapCount == other.FlapCount && LastFlap == other.LastFlap
        && Staged == other.Staged && Appended.SequenceEqual(other.Appended);

    /// <summary>Hash over the scalars and the appended count.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => HashCode.Combine(Online, FlapCount, LastFlap, Staged, Appended.Count);
}
