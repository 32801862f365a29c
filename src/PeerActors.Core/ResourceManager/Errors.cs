namespace PeerActors.Core.ResourceManager;

/// <summary>
/// A reservation refused because a limit would be exceeded (rcmgr <c>ErrStreamOrConnLimitExceeded</c> /
/// <c>ErrMemoryLimitExceeded</c> wrapped with the scope name). The message is rcmgr's text, e.g.
/// <c>system: cannot reserve inbound connection: resource limit exceeded</c>; memory refusals read
/// <c>NAME: resource limit exceeded</c> as in rcmgr. Cheap to create (the message is built on demand); the
/// <c>Try*</c> methods return it without throwing.
/// </summary>
public sealed class ResourceLimitExceededException : Exception
{
    /// <summary>rcmgr's <c>network.ErrResourceLimitExceeded</c> text.</summary>
    public const string LimitExceededText = "resource limit exceeded";

    private string? _message;

    /// <summary>Creates a refusal record.</summary>
    /// <param name="scopeName">Name of the refusing scope (e.g. <c>system</c>, <c>peer:QmX</c>).</param>
    /// <param name="scopeClass">Class of the refusing scope.</param>
    /// <param name="resource">The resource refused.</param>
    /// <param name="direction">Direction for inbound/outbound limits; null for totals, FDs and memory.</param>
    /// <param name="current">Usage before the attempt (bytes or count).</param>
    /// <param name="attempted">Amount requested.</param>
    /// <param name="limit">The limit in force (for memory: the raw limit, before the priority fraction).</param>
    /// <param name="priority">Memory reservation priority, null otherwise.</param>
    public ResourceLimitExceededException(
        string scopeName, ScopeClass scopeClass, ResourceKind resource, Direction? direction,
        long current, long attempted, long limit, byte? priority = null)
    {
        ScopeName = scopeName;
        ScopeClass = scopeClass;
        Resource = resource;
        Direction = direction;
        Current = current;
        Attempted = attempted;
        Limit = limit;
        Priority = priority;
    }

    /// <summary>Name of the scope that refused.</summary>
    public string ScopeName { get; }

    /// <summary>Class of the scope that refused (<see cref="ScopeClass.Subnet"/> for the per-subnet limiter).</summary>
    public ScopeClass ScopeClass { get; }

    /// <summary>Resource refused.</summary>
    public ResourceKind Resource { get; }

    /// <summary>Direction of the refused limit; null for total stream/connection limits, FDs and memory.</summary>
    public Direction? Direction { get; }

    /// <summary>Usage before the attempt.</summary>
    public long Current { get; }

    /// <summary>Amount attempted.</summary>
    public long Attempted { get; }

    /// <summary>Limit in force.</summary>
    public long Limit { get; }

    /// <summary>Memory priority (0–255), or null.</summary>
    public byte? Priority { get; }

    /// <summary>Name of the scope the caller reserved on (e.g. <c>stream-7</c>), when different from <see cref="ScopeName"/> it was refused by an edge.</summary>
    public string? RequestingScope { get; internal set; }

    /// <summary>Overrides the rcmgr text (used for the subnet limiter and bans).</summary>
    internal string? CustomMessage { get; init; }

    /// <summary>When the refusal is a ban (<see cref="Banned"/>): its end (UTC, observation clock); else null.</summary>
    public DateTimeOffset? BannedUntil { get; private init; }

    /// <summary>When the refusal is a ban: its reason; else null.</summary>
    public string? BanReason { get; private init; }

    /// <summary>
    /// The refusal of a banned peer at its <c>peer:ID</c> scope: limit 0 (blockAll) for the duration of the ban, message
    /// <c>peer:ID: cannot reserve inbound stream: peer banned until 2025-03-01T13:00:00Z (reason)</c>.
    /// </summary>
    /// <param name="peerId">The banned peer.</param>
    /// <param name="resource">Connection or stream.</param>
    /// <param name="direction">Direction of the refused reservation.</param>
    /// <param name="ban">The ban in force.</param>
    public static ResourceLimitExceededException Banned(string peerId, ResourceKind resource, Direction direction, Bans.PeerBan ban)
    {
        ArgumentNullException.ThrowIfNull(ban);
        var plain = new ResourceLimitExceededException("peer:" + peerId, ScopeClass.Peer, resource, direction, 0, 1, 0);
        return new ResourceLimitExceededException("peer:" + peerId, ScopeClass.Peer, resource, direction, 0, 1, 0)
        {
            BannedUntil = ban.Until,
            BanReason = ban.Reason,
            CustomMessage = $"peer:{peerId}: {plain.Detail}{ban.Describe()}",
        };
    }

    /// <inheritdoc />
    public override string Message => _message ??= CustomMessage ?? $"{ScopeName}: {Detail}{LimitExceededText}";

    private string Detail => Resource switch
    {
        ResourceKind.Memory => "",
        ResourceKind.FileDescriptor => "cannot reserve file descriptor: ",
        ResourceKind.Stream => Direction switch
        {
            global::PeerActors.Core.ResourceManager.Direction.Inbound => "cannot reserve inbound stream: ",
            global::PeerActors.Core.ResourceManager.Direction.Outbound => "cannot reserve outbound stream: ",
            _ => "cannot reserve stream: ",
        },
        _ => Direction switch
        {
            global::PeerActors.Core.ResourceManager.Direction.Inbound => "cannot reserve inbound connection: ",
            global::PeerActors.Core.ResourceManager.Direction.Outbound => "cannot reserve outbound connection: ",
            _ => "cannot reserve connection: ",
        },
    };

    /// <summary>Diagnostic text with the numbers (as rcmgr logs them).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Message} (scope={ScopeName}, requesting={RequestingScope ?? ScopeName}, resource={Resource}, direction={Direction?.ToString() ?? "-"}, current={Current}, attempted={Attempted}, limit={Limit}{(Priority is { } p ? $", priority={p}" : "")})");
}

/// <summary>An operation on a scope that is already done (rcmgr <c>network.ErrResourceScopeClosed</c>).</summary>
public sealed class ResourceScopeClosedException : InvalidOperationException
{
    /// <summary>Creates the exception for scope <paramref name="scopeName"/>.</summary>
    public ResourceScopeClosedException(string scopeName)
        : base($"{scopeName}: resource scope closed")
    {
        ScopeName = scopeName;
    }

    /// <summary>Name of the closed scope.</summary>
    public string ScopeName { get; }
}
