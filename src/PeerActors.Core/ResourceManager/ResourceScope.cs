namespace PeerActors.Core.ResourceManager;

/// <summary>
/// The one generic resource scope of rcmgr (<c>resourceScope</c>): a <see cref="ScopeAccount"/> (name,
/// <see cref="BaseLimit"/>, usage counters and the reservation check — the accounting the limit actors use too; its
/// <see cref="ScopeAccount.TryReserve"/> / <see cref="ScopeAccount.Release"/> act on this scope alone, as rcmgr's
/// <c>ReserveForChild</c> / <c>ReleaseForChild</c>) and either <em>edges</em> (the linearised set of DAG scopes it is constrained by) or an
/// <em>owner</em> (for transaction spans, which form a tree under any scope).
/// <para>
/// Reserving on a scope checks its own limit, then reserves on every edge in order; if any edge refuses,
/// everything already reserved is rolled back and a <see cref="ResourceLimitExceededException"/> names the
/// refusing scope. A span reserves through its owner (and so through the owner's edges).
/// </para>
/// <para>
/// <b>Threading:</b> not thread-safe by design. A scope (and the <see cref="ResourceManager"/> that created it)
/// must be owned by one thread or one actor at a time; there are no locks.
/// </para>
/// </summary>
public class ResourceScope : ScopeAccount
{
    private ResourceScope[] _edges;
    private int _spanId;

    /// <summary>Creates a DAG scope constrained by <paramref name="edges"/> (each edge gains a reference).</summary>
    /// <param name="name">Scope name, e.g. <c>peer:QmX</c>.</param>
    /// <param name="scopeClass">Class of the scope (for errors and metrics).</param>
    /// <param name="limit">Its limits.</param>
    /// <param name="edges">Scopes it is constrained by, in reservation order; may be null.</param>
    public ResourceScope(string name, ScopeClass scopeClass, BaseLimit limit, IReadOnlyList<ResourceScope>? edges = null)
        : this(name, scopeClass, limit, edges?.ToArray() ?? [], null, null)
    {
    }

    internal ResourceScope(string name, ScopeClass scopeClass, BaseLimit limit, ResourceScope[] edges, ResourceScope? owner, ObserverHub? hub)
        : base(name, scopeClass, limit)
    {
        _edges = edges;
        Owner = owner;
        Hub = hub;
        foreach (var e in edges)
            e.IncRef();
    }

    /// <summary>Scopes this one is constrained by (empty for spans and roots).</summary>
    public IReadOnlyList<ResourceScope> Edges => _edges;

    /// <summary>Owner of a span scope, null for DAG scopes.</summary>
    public ResourceScope? Owner { get; }

    /// <summary>Number of live scopes that hold this one as an edge or owner (plus transient holds by the manager).</summary>
    public int RefCount { get; private set; }

    /// <summary>True after <see cref="Done"/>; every further reservation throws <see cref="ResourceScopeClosedException"/>.</summary>
    public bool IsDone { get; private set; }

    /// <summary>True when done, or when no one references it and all usage is zero (memory included).</summary>
    public bool IsUnused => IsDone || (RefCount <= 0 && IsZero);

    internal ObserverHub? Hub { get; }

    /// <summary>Called when the scope may have become idle (refcount 0); the manager uses it to drop empty scopes.</summary>
    internal Action<ResourceScope>? IdleCheck { get; set; }

    internal void SetEdges(ResourceScope[] edges) => _edges = edges;

    /// <summary>Service name / protocol id / peer id for the manager's keyed scopes.</summary>
    internal string? Key { get; init; }

    /// <summary>Adds <paramref name="st"/> without checking limits (used only to undo a just-made release).</summary>
    internal void ForceReserve(ScopeStat st) => AddUnchecked(st);

    // ---------------------------------------------------------------- memory

    /// <summary>
    /// Reserves <paramref name="size"/> bytes with <paramref name="priority"/> here and on every edge (rcmgr
    /// <c>ReserveMemory</c>): succeeds when <c>current + size ≤ limit·(1+priority)/256</c> on each scope.
    /// </summary>
    /// <exception cref="InvalidInputException">When <paramref name="size"/> is negative.</exception>
    /// <exception cref="ResourceLimitExceededException">When this scope or an edge refuses; nothing is reserved.</exception>
    /// <exception cref="ResourceScopeClosedException">When the scope is done.</exception>
    public void ReserveMemory(long size, byte priority = ReservationPriority.Always)
    {
        if (!TryReserveMemory(size, priority, out var error))
            throw error!;
    }

    /// <summary>Non-throwing <see cref="ReserveMemory"/>: returns false and the refusal on a limit.</summary>
    /// <exception cref="InvalidInputException">When <paramref name="size"/> is negative.</exception>
    /// <exception cref="ResourceScopeClosedException">When the scope is done.</exception>
    public bool TryReserveMemory(long size, byte priority, out ResourceLimitExceededException? error)
    {
        ThrowIfChainDone();
        if (size < 0)
            throw new InvalidInputException("size", $"can't reserve negative memory, got {size}");
        error = Requested(ReserveTree(new ScopeStat(size, 0, 0, 0, 0, 0), priority));
        if (error is not null)
        {
            Hub?.Blocked(error);
            return false;
        }

        Hub?.Allowed(ResourceKind.Memory, Class);
        return true;
    }

    /// <summary>Releases <paramref name="size"/> bytes here and on every edge (or through the owner). Ignored when done.</summary>
    /// <exception cref="InvalidInputException">When <paramref name="size"/> is negative.</exception>
    public void ReleaseMemory(long size)
    {
        if (size < 0)
            throw new InvalidInputException("size", $"can't release negative memory, got {size}");
        ReleaseResources(new ScopeStat(size, 0, 0, 0, 0, 0));
    }

    // ---------------------------------------------------------------- streams

    /// <summary>Adds one stream in <paramref name="dir"/> here and on every edge (rcmgr <c>AddStream</c>).</summary>
    /// <exception cref="ResourceLimitExceededException">When a limit would be exceeded; nothing is reserved.</exception>
    /// <exception cref="ResourceScopeClosedException">When the scope is done.</exception>
    public void AddStream(Direction dir)
    {
        if (!TryAddStream(dir, out var error)) throw error!;
    }

    /// <summary>Non-throwing <see cref="AddStream"/>.</summary>
    /// <exception cref="ResourceScopeClosedException">When the scope is done.</exception>
    public bool TryAddStream(Direction dir, out ResourceLimitExceededException? error)
    {
        error = Requested(ReserveTree(StreamStat(dir), ReservationPriority.Always));
        return error is null;
    }

    /// <summary>Removes one stream in <paramref name="dir"/> here and on every edge. Ignored when done.</summary>
    public void RemoveStream(Direction dir) => ReleaseResources(StreamStat(dir));

    private static ScopeStat StreamStat(Direction dir) =>
        dir == Direction.Inbound ? new ScopeStat(0, 1, 0, 0, 0, 0) : new ScopeStat(0, 0, 1, 0, 0, 0);

    // ---------------------------------------------------------------- connections

    /// <summary>Adds one connection in <paramref name="dir"/> (and one FD if <paramref name="usesFd"/>) here and on every edge (rcmgr <c>AddConn</c>).</summary>
    /// <exception cref="ResourceLimitExceededException">When a limit would be exceeded; nothing is reserved.</exception>
    /// <exception cref="ResourceScopeClosedException">When the scope is done.</exception>
    public void AddConn(Direction dir, bool usesFd)
    {
        if (!TryAddConn(dir, usesFd, out var error)) throw error!;
    }

    /// <summary>Non-throwing <see cref="AddConn"/>.</summary>
    /// <exception cref="ResourceScopeClosedException">When the scope is done.</exception>
    public bool TryAddConn(Direction dir, bool usesFd, out ResourceLimitExceededException? error)
    {
        error = Requested(ReserveTree(ConnStat(dir, usesFd), ReservationPriority.Always));
        return error is null;
    }

    /// <summary>Removes one connection (and FD) here and on every edge. Ignored when done.</summary>
    public void RemoveConn(Direction dir, bool usesFd) => ReleaseResources(ConnStat(dir, usesFd));

    internal static ScopeStat ConnStat(Direction dir, bool usesFd) =>
        new(0, 0, 0, dir == Direction.Inbound ? 1 : 0, dir == Direction.Outbound ? 1 : 0, usesFd ? 1 : 0);

    // ---------------------------------------------------------------- generic reserve / release

    /// <summary>
    /// Reserves <paramref name="st"/> here (own limits, <see cref="ScopeAccount.TryReserve"/>) and then on the owner's
    /// tree or on every edge, at <paramref name="priority"/>; all or nothing. The refusal names the refusing scope.
    /// </summary>
    /// <exception cref="ResourceScopeClosedException">When this scope, an owner or an edge is done.</exception>
    private ResourceLimitExceededException? ReserveTree(in ScopeStat st, byte priority)
    {
        ThrowIfChainDone();
        var err = TryReserve(st, priority);
        if (err is null)
        {
            err = Owner is not null ? Owner.ReserveTree(st, priority) : ReserveForEdges(st, priority);
            if (err is not null) Release(st);
        }

        return err;
    }

    /// <summary>Marks a refusal as requested on this scope (<see cref="ResourceLimitExceededException.RequestingScope"/>).</summary>
    private ResourceLimitExceededException? Requested(ResourceLimitExceededException? error)
    {
        if (error is not null) error.RequestingScope ??= Name;
        return error;
    }

    private ResourceLimitExceededException? ReserveForEdges(in ScopeStat st, byte priority)
    {
        int reserved = 0;
        ResourceLimitExceededException? err = null;
        for (; reserved < _edges.Length; reserved++)
        {
            _edges[reserved].ThrowIfDone();
            err = _edges[reserved].TryReserve(st, priority);
            if (err is not null) break;
        }

        if (err is not null)
            for (int i = 0; i < reserved; i++)
                _edges[i].Release(st);
        return err;
    }

    /// <summary>Reserves <paramref name="st"/> on this scope only (memory at priority Always); all or nothing (rcmgr <c>ReserveForChild</c>).</summary>
    internal ResourceLimitExceededException? ReserveForChild(ScopeStat st)
    {
        ThrowIfDone();
        return TryReserve(st, ReservationPriority.Always);
    }

    /// <summary>Releases <paramref name="st"/> on this scope only (rcmgr <c>ReleaseForChild</c>).</summary>
    internal void ReleaseForChild(ScopeStat st)
    {
        if (IsDone) return;
        Release(st);
        MaybeIdle();
    }

    /// <summary>Releases <paramref name="st"/> here and on edges / owner (rcmgr <c>ReleaseResources</c>).</summary>
    internal void ReleaseResources(ScopeStat st)
    {
        if (IsDone) return;
        Release(st);
        if (Owner is not null)
            Owner.ReleaseResources(st);
        else
            foreach (var e in _edges)
                e.ReleaseForChild(st);
        MaybeIdle();
    }

    // ---------------------------------------------------------------- spans, refcount, done

    /// <summary>
    /// Starts a user transaction span <c>NAME.span-N</c> under this scope (rcmgr <c>BeginSpan</c>); the span
    /// reserves through this scope and must be ended with <see cref="Done"/>.
    /// </summary>
    /// <exception cref="ResourceScopeClosedException">When the scope is done.</exception>
    public ResourceScope BeginSpan()
    {
        ThrowIfDone();
        RefCount++;
        _spanId++;
        return new ResourceScope($"{Name}.span-{_spanId}", ScopeClass.Span, Limit, [], this, Hub) { IdleCheck = null };
    }

    /// <summary>
    /// Ends the scope (rcmgr <c>Done</c>): releases all its usage from its edges (or owner), drops its references
    /// on them, and zeroes its counters. Idempotent.
    /// </summary>
    public virtual void Done()
    {
        if (IsDone) return;
        var st = Stat;
        if (Owner is not null)
        {
            Owner.ReleaseResources(st);
            Owner.DecRef();
        }
        else
        {
            foreach (var e in _edges)
            {
                e.ReleaseForChild(st);
                e.DecRef();
            }
        }

        Clear();
        IsDone = true;
        OnDone();
    }

    /// <summary>Hook for subclasses after <see cref="Done"/> has released everything.</summary>
    private protected virtual void OnDone()
    {
    }

    internal void IncRef() => RefCount++;

    internal void DecRef()
    {
        RefCount--;
        MaybeIdle();
    }

    private void MaybeIdle()
    {
        if (RefCount <= 0 && IdleCheck is not null && !IsDone)
            IdleCheck(this);
    }

    /// <summary>Throws if this scope or any owner up the span chain is done (checked before any mutation).</summary>
    /// <exception cref="ResourceScopeClosedException">When a scope in the chain is done.</exception>
    private void ThrowIfChainDone()
    {
        for (var s = this; s is not null; s = s.Owner)
            s.ThrowIfDone();
    }

    /// <exception cref="ResourceScopeClosedException">When the scope is done.</exception>
    internal void ThrowIfDone()
    {
        if (IsDone) throw new ResourceScopeClosedException(Name);
    }

}
