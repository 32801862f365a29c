namespace PeerActors.Core.ResourceManager;

/// <summary>
/// The usage counters of one rcmgr scope (<c>resources</c> in rcmgr's <c>scope.go</c>) and the operations on them:
/// check against a <see cref="BaseLimit"/> (through <see cref="ReservationRule"/>), add, release with rcmgr's clamp at
/// zero. The counters of <see cref="ScopeAccount"/>, the single accounting core of both the in-process
/// <see cref="ResourceScope"/> and the limit actors' scopes.
/// A mutable struct kept as a field of its owner (never copied), owned by one thread or actor; the public fields let a
/// metrics reader take <c>Volatile.Read</c> of a counter.
/// </summary>
public struct ScopeUsage
{
    /// <summary>Reserved memory, bytes.</summary>
    public long Memory;

    /// <summary>Open streams (inbound, outbound), open connections (inbound, outbound) and file descriptors.</summary>
    public int StreamsIn, StreamsOut, ConnsIn, ConnsOut, Fd;

    /// <summary>The counters as a value.</summary>
    public readonly ScopeStat Stat => new(Memory, StreamsIn, StreamsOut, ConnsIn, ConnsOut, Fd);

    /// <summary>True when every counter, memory included, is zero.</summary>
    public readonly bool IsZero => Memory == 0 && StreamsIn == 0 && StreamsOut == 0 && ConnsIn == 0 && ConnsOut == 0 && Fd == 0;

    /// <summary>
    /// rcmgr's check of <paramref name="delta"/> on a scope: memory at <paramref name="priority"/> (when the delta holds
    /// memory, or is empty: rcmgr's <c>reserveMemory(0)</c> still checks the current usage against the limit), then the
    /// counts in rcmgr's order. Null when it fits; else the refusal naming <paramref name="scope"/>.
    /// </summary>
    /// <param name="delta">Requested usage.</param>
    /// <param name="priority">Memory priority 0–255 (<see cref="ReservationPriority"/>).</param>
    /// <param name="limit">The scope's limit.</param>
    /// <param name="scope">Scope name, for the error.</param>
    /// <param name="cls">Scope class, for the error.</param>
    public readonly ResourceLimitExceededException? Check(in ScopeStat delta, byte priority, BaseLimit limit, string scope, ScopeClass cls) =>
        (delta.Memory > 0 || delta.IsZero ? ReservationRule.CheckMemory(Memory, delta.Memory, limit, priority, scope, cls) : null)
        ?? ReservationRule.CheckCounts(Stat, delta, limit, scope, cls);

    /// <summary>Adds <paramref name="delta"/> without a check (the caller checked, or undoes a release).</summary>
    public void Add(in ScopeStat delta)
    {
        Memory += delta.Memory;
        StreamsIn += delta.NumStreamsInbound;
        StreamsOut += delta.NumStreamsOutbound;
        ConnsIn += delta.NumConnsInbound;
        ConnsOut += delta.NumConnsOutbound;
        Fd += delta.NumFD;
    }

    /// <summary>Releases <paramref name="delta"/>, clamping each counter at zero (rcmgr: "BUG: too much released").</summary>
    public void Release(in ScopeStat delta)
    {
        Memory = Math.Max(0, Memory - delta.Memory);
        StreamsIn = Math.Max(0, StreamsIn - delta.NumStreamsInbound);
        StreamsOut = Math.Max(0, StreamsOut - delta.NumStreamsOutbound);
        ConnsIn = Math.Max(0, ConnsIn - delta.NumConnsInbound);
        ConnsOut = Math.Max(0, ConnsOut - delta.NumConnsOutbound);
        Fd = Math.Max(0, Fd - delta.NumFD);
    }

    /// <summary>Sets every counter to zero (a scope's <c>Done</c>).</summary>
    public void Clear() => this = default;
}
