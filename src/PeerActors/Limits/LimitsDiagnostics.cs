namespace PeerActors.Limits;

/// <summary>
/// Message counters of the limit actors, for the <c>limits</c> benchmark's "messages per stream cycle" figure
/// (issue 15 budgets a cycle in messages). Off by default: the hot path then pays one static read per message;
/// when on, every count is an interlocked increment (so only a counting phase, never a timed one, turns it on).
/// </summary>
internal static class LimitsDiagnostics
{
    /// <summary>When true, <see cref="ActorMessages"/> and <see cref="Replies"/> are counted.</summary>
    public static bool Enabled;

    /// <summary>Messages received by limit actors (client requests and actor-to-actor messages alike).</summary>
    public static long ActorMessages;

    /// <summary>Replies delivered to <see cref="LimitsClient"/> callers.</summary>
    public static long Replies;

    /// <summary>Zeroes both counters.</summary>
    public static void Reset()
    {
        Interlocked.Exchange(ref ActorMessages, 0);
        Interlocked.Exchange(ref Replies, 0);
    }
}
