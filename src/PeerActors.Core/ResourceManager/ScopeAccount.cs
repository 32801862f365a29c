namespace PeerActors.Core.ResourceManager;

/// <summary>
/// The accounting of one rcmgr scope, alone: its name, class, <see cref="BaseLimit"/> and usage counters
/// (<see cref="ScopeUsage"/>), with rcmgr's check-then-add (<c>reserveMemory</c> / <c>addStreams</c> / <c>addConns</c>
/// of <c>resources</c> in rcmgr's <c>scope.go</c>) and release with the clamp at zero. It knows nothing of edges: the
/// one implementation of a scope's accounting, the base of the in-process <see cref="ResourceScope"/> (which adds the
/// DAG: edges, spans, reference counts) and of the limit actors' scopes (which add the actor plumbing: edges held by
/// other actors). <see cref="TryReserve"/> and <see cref="Release"/> act on this scope alone (rcmgr's
/// <c>ReserveForChild</c> / <c>ReleaseForChild</c>).
/// Every refusal is a <see cref="ResourceLimitExceededException"/> naming this scope.
/// <para>
/// <b>Threading:</b> owned by one thread or actor; not thread-safe. <see cref="ReadStat"/> is the one member another
/// thread (a metrics gauge) may call: it reads each counter with <see cref="Volatile"/>.
/// </para>
/// </summary>
public class ScopeAccount
{
    private ScopeUsage _usage;

    /// <summary>Creates an empty account.</summary>
    /// <param name="name">Scope name, e.g. <c>system</c>, <c>peer:QmX</c>, <c>stream-9</c> (named by its refusals).</param>
    /// <param name="scopeClass">Class of the scope (for refusals and metrics).</param>
    /// <param name="limit">Its limits.</param>
    public ScopeAccount(string name, ScopeClass scopeClass, BaseLimit limit)
    {
        Name = name;
        Class = scopeClass;
        Limit = limit;
    }

    /// <summary>Scope name (<c>system</c>, <c>svc:NAME</c>, <c>conn-3</c>, <c>stream-9.span-1</c>, …).</summary>
    public string Name { get; }

    /// <summary>Scope class.</summary>
    public ScopeClass Class { get; }

    /// <summary>Current limits; changing them affects future reservations only (usage above a lowered limit is kept, as in rcmgr).</summary>
    public BaseLimit Limit { get; set; }

    /// <summary>Current usage.</summary>
    public ScopeStat Stat => _usage.Stat;

    /// <summary>Reserved memory, bytes.</summary>
    public long Memory => _usage.Memory;

    /// <summary>True when every counter, memory included, is zero.</summary>
    public bool IsZero => _usage.IsZero;

    /// <summary>
    /// rcmgr's check of <paramref name="delta"/> on this scope alone (see <see cref="ScopeUsage.Check"/>): null when it
    /// fits, else the refusal naming this scope. Changes nothing.
    /// </summary>
    /// <param name="delta">Requested usage (bytes of memory and counts).</param>
    /// <param name="priority">Memory priority 0–255 (<see cref="ReservationPriority"/>): the share of the memory limit
    /// usable is <c>limit·(1+priority)/256</c> (rcmgr <c>reserveMemory</c>).</param>
    public ResourceLimitExceededException? Check(in ScopeStat delta, byte priority) =>
        _usage.Check(delta, priority, Limit, Name, Class);

    /// <summary>Checks <paramref name="delta"/> on this scope alone and adds it when it fits; else returns the refusal and changes nothing.</summary>
    /// <param name="delta">Requested usage.</param>
    /// <param name="priority">Memory priority 0–255.</param>
    public ResourceLimitExceededException? TryReserve(in ScopeStat delta, byte priority)
    {
        var error = _usage.Check(delta, priority, Limit, Name, Class);
        if (error is null) _usage.Add(delta);
        return error;
    }

    /// <summary>Releases <paramref name="delta"/> on this scope alone, clamping each counter at zero (rcmgr: "BUG: too much released").</summary>
    public void Release(in ScopeStat delta) => _usage.Release(delta);

    /// <summary>
    /// Reserves <paramref name="delta"/> on every scope of <paramref name="scopes"/> in order, all or nothing: the first
    /// refusal releases what the earlier ones reserved and is returned (naming the refusing scope).
    /// </summary>
    /// <param name="scopes">The scopes, in reservation order (a scope, then its edges).</param>
    /// <param name="delta">Requested usage.</param>
    /// <param name="priority">Memory priority 0–255, the same on every scope (rcmgr reserves memory on edges at the caller's priority).</param>
    public static ResourceLimitExceededException? TryReserveAll(ReadOnlySpan<ScopeAccount> scopes, in ScopeStat delta, byte priority)
    {
        for (int i = 0; i < scopes.Length; i++)
        {
            var error = scopes[i].TryReserve(delta, priority);
            if (error is null) continue;
            for (int j = 0; j < i; j++) scopes[j].Release(delta);
            return error;
        }

        return null;
    }

    /// <summary>Releases <paramref name="delta"/> on every scope of <paramref name="scopes"/>.</summary>
    public static void ReleaseAll(ReadOnlySpan<ScopeAccount> scopes, in ScopeStat delta)
    {
        foreach (var s in scopes) s.Release(delta);
    }

    /// <summary>The usage read from another thread (each counter with <see cref="Volatile"/>; the counters need not be mutually consistent).</summary>
    public ScopeStat ReadStat() => new(
        Volatile.Read(ref _usage.Memory), Volatile.Read(ref _usage.StreamsIn), Volatile.Read(ref _usage.StreamsOut),
        Volatile.Read(ref _usage.ConnsIn), Volatile.Read(ref _usage.ConnsOut), Volatile.Read(ref _usage.Fd));

    /// <summary>Adds <paramref name="delta"/> without a check (only to undo a just-made release).</summary>
    internal void AddUnchecked(in ScopeStat delta) => _usage.Add(delta);

    /// <summary>Sets every counter to zero (a scope's <c>Done</c>).</summary>
    internal void Clear() => _usage.Clear();

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Stat}";
}
