namespace PeerActors.Core.ResourceManager;

/// <summary>
/// Receives allowed / blocked decisions of a <see cref="ResourceManager"/> (the role of rcmgr's
/// <c>MetricsReporter</c>). Called synchronously on the owner's thread; keep it fast.
/// </summary>
public interface IResourceManagerObserver
{
    /// <summary>
    /// A top-level operation was allowed: opening a connection (Connection, Connection) or stream (Stream, Stream),
    /// set_peer (Connection, Peer), set_protocol (Stream, Protocol), set_service (Stream, Service), or a memory
    /// reservation on a scope of <paramref name="scopeClass"/> (Memory, class).
    /// </summary>
    void OnAllowed(ResourceKind resource, ScopeClass scopeClass);

    /// <summary>An operation was refused; <paramref name="refusal"/> names the refusing scope, its class and the resource.</summary>
    void OnBlocked(ResourceLimitExceededException refusal);
}

/// <summary>
/// Plain allowed/blocked counters per (resource, scope class). Allowed is counted by the class of the
/// operation (see <see cref="IResourceManagerObserver.OnAllowed"/>), blocked by the class of the refusing
/// scope — the shape of rcmgr's <c>rcmgr_blocked_resources</c>. Not thread-safe (single owner).
/// </summary>
public sealed class ResourceCounters : IResourceManagerObserver
{
    private static readonly int Kinds = Enum.GetValues<ResourceKind>().Length;
    private static readonly int Classes = Enum.GetValues<ScopeClass>().Length;
    private readonly long[] _allowed = new long[Kinds * Classes];
    private readonly long[] _blocked = new long[Kinds * Classes];

    /// <summary>Allowed count for (resource, scope class).</summary>
    public long Allowed(ResourceKind resource, ScopeClass scopeClass) => _allowed[Index(resource, scopeClass)];

    /// <summary>Blocked count for (resource, refusing scope class).</summary>
    public long Blocked(ResourceKind resource, ScopeClass scopeClass) => _blocked[Index(resource, scopeClass)];

    /// <summary>Sum of all blocked counts.</summary>
    public long TotalBlocked => _blocked.Sum();

    /// <summary>Sum of all allowed counts.</summary>
    public long TotalAllowed => _allowed.Sum();

    /// <inheritdoc />
    public void OnAllowed(ResourceKind resource, ScopeClass scopeClass) => _allowed[Index(resource, scopeClass)]++;

    /// <inheritdoc />
    public void OnBlocked(ResourceLimitExceededException refusal) => _blocked[Index(refusal.Resource, refusal.ScopeClass)]++;

    private static int Index(ResourceKind r, ScopeClass c) => (int)r * Classes + (int)c;
}

/// <summary>Forwards decisions to the built-in counters and an optional user observer.</summary>
internal sealed class ObserverHub
{
    private readonly IResourceManagerObserver? _extra;

    public ObserverHub(IResourceManagerObserver? extra) => _extra = extra;

    public ResourceCounters Counters { get; } = new();

    public void Allowed(ResourceKind r, ScopeClass c)
    {
        Counters.OnAllowed(r, c);
        _extra?.OnAllowed(r, c);
    }

    public void Blocked(ResourceLimitExceededException e)
    {
        Counters.OnBlocked(e);
        _extra?.OnBlocked(e);
    }
}
