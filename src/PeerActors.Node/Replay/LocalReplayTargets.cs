using PeerActors.Core.Identity;
using PeerActors.Peers;

namespace PeerActors.Node.Replay;

/// <summary>Names of rcmgr scope classes as the replay report prints them.</summary>
public static class ReplayScopeClasses
{
    /// <summary>
    /// <c>system</c>, <c>transient</c>, <c>allowlisted-system</c>, <c>allowlisted-transient</c>, <c>service</c>,
    /// <c>service-peer</c>, <c>protocol</c>, <c>protocol-peer</c>, <c>peer</c>, <c>conn</c>, <c>stream</c>, <c>span</c>, <c>subnet</c>.
    /// </summary>
    /// <param name="c">The class.</param>
    /// <returns>Its report name.</returns>
    public static string Name(ScopeClass c) => c switch
    {
        ScopeClass.System => "system",
        ScopeClass.Transient => "transient",
        ScopeClass.AllowlistedSystem => "allowlisted-system",
        ScopeClass.AllowlistedTransient => "allowlisted-transient",
        ScopeClass.Service => "service",
        ScopeClass.ServicePeer => "service-peer",
        ScopeClass.Protocol => "protocol",
        ScopeClass.ProtocolPeer => "protocol-peer",
        ScopeClass.Peer => "peer",
        ScopeClass.Connection => "conn",
        ScopeClass.Stream => "stream",
        ScopeClass.Span => "span",
        ScopeClass.Subnet => "subnet",
        _ => c.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// <see cref="IReplayLimits"/> over an in-process Core <see cref="ResourceManager"/> (the same rules the limit
/// actors apply, without actors). Used by tests and whenever the node has no limit actors composed.
/// </summary>
public sealed class ResourceManagerReplayLimits : IReplayLimits
{
    private readonly ResourceManager _manager;
    private readonly bool _usesFd;

    /// <summary>Creates the target.</summary>
    /// <param name="limits">Concrete limits, e.g. <c>ScalingLimitConfig.DefaultLimits.AutoScale(memory, fds)</c>.</param>
    /// <param name="usesFd">Whether each session's connection holds a file descriptor.</param>
    public ResourceManagerReplayLimits(ConcreteLimitConfig limits, bool usesFd = true)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _manager = new ResourceManager(limits);
        _usesFd = usesFd;
    }

    /// <summary>rcmgr DefaultLimits auto-scaled to this machine (1/8 of the memory the runtime sees, 1/2 of 4096 FDs).</summary>
    public static ConcreteLimitConfig MachineDefaults() =>
        ScalingLimitConfig.DefaultLimits.AutoScale(
            Math.Max(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, 1L << 30), 4096);

    /// <inheritdoc/>
    public string Description => "in-process resource manager (rcmgr rules, no limit actors composed)";

    /// <inheritdoc/>
    public Task<LimitsSessionOutcome> OpenSessionAsync(string senderId, IPAddress? endpoint, string protocol, string service, CancellationToken ct)
    {
        if (!_manager.TryOpenConnection(Direction.Inbound, _usesFd, endpoint, out var conn, out var error))
            return Task.FromResult(Refused(null, error!));
        var session = new Handles { Connection = conn };
        if (!conn!.TrySetPeer(senderId, out error))
            return Task.FromResult(Refused(session, error!));
        if (!_manager.TryOpenStream(senderId, Direction.Inbound, out var stream, out error))
            return Task.FromResult(Refused(session, error!));
        session.Stream = stream;
        if (!stream!.TrySetProtocol(protocol, out error) || !stream.TrySetService(service, out error))
            return Task.FromResult(Refused(session, error!));
        return Task.FromResult(new LimitsSessionOutcome(session, null));
    }

    /// <inheritdoc/>
    public Task CloseSessionAsync(object session, CancellationToken ct)
    {
        if (session is Handles h)
        {
            h.Stream?.Done();
            h.Connection?.Done();
        }
        return Task.CompletedTask;
    }

    private static LimitsSessionOutcome Refused(Handles? session, ResourceLimitExceededException e) =>
        new(session, new LimitRefusal(ReplayScopeClasses.Name(e.ScopeClass), e.ScopeName, e.Message));

    private sealed class Handles
    {
        public ConnectionScope? Connection;
        public StreamScope? Stream;
    }
}

/// <summary>
/// <see cref="IReplaySelector"/> that ranks the final statistics with the reference algorithm
/// (<see cref="PeerSelector"/>, Weighted, fairness on, payment weight 0) at the trace's end. Used when the node
/// has no selector actor composed; gives the same order the selector would for the same inputs.
/// </summary>
public sealed class StatsReplaySelector : IReplaySelector
{
    /// <summary>The <see cref="Source"/> text.</summary>
    public const string SourceName = "reference Weighted ranking of the peer actors' final stats";

    /// <inheritdoc/>
    public string Source => SourceName;

    /// <inheritdoc/>
    public Task<IReadOnlyList<ReplayRankedPeer>> SelectWeightedAsync(int count, DateTimeOffset now, IReadOnlyList<PeerStatsReply> finalStats, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(finalStats);
        var query = new SelectionQuery { Strategy = SelectionStrategy.Weighted, Count = Math.Max(1, count) };
        var result = PeerSelector.Select(finalStats.Select(s => s.Stats), query, now, 0, new Random(0));
        IReadOnlyList<ReplayRankedPeer> ranked = result.Peers.Select(p => new ReplayRankedPeer(p.PeerId.Value, p.Score)).ToList();
        return Task.FromResult(ranked);
    }
}
