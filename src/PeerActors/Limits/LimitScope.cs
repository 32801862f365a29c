namespace PeerActors.Limits;

/// <summary>
/// One scope of a limit actor: Core's <see cref="ScopeAccount"/> (name, limit, counters and the reservation check, the
/// same code as the in-process <see cref="ResourceScope"/>) plus what only an actor needs: where its edges are (in this
/// actor or in others), its span tree, and the busy flag deferring operations while a chain is in flight. No accounting
/// is written here. Owned by exactly one actor (a metrics gauge reads it with <see cref="ScopeAccount.ReadStat"/>).
/// </summary>
internal sealed class LimitScope(string name, ScopeClass cls, BaseLimit limit) : ScopeAccount(name, cls, limit)
{
    /// <summary>Other scopes of the same actor this one is constrained by (reserved in order after it).</summary>
    public LimitScope[] LocalEdges = [];

    /// <summary>Scopes in other actors this one is constrained by, visited in order.</summary>
    public Leg[] Legs = [];

    /// <summary>Parent of a span (spans reserve through it), else null.</summary>
    public LimitScope? Parent;

    /// <summary>Open spans under this scope.</summary>
    public int Spans;

    /// <summary>Next span number.</summary>
    public int SpanSeq;

    /// <summary>For stream / connection scopes: an operation whose reservation chain is in flight; others wait in <see cref="Deferred"/>.</summary>
    public bool Busy;

    /// <summary>Messages deferred while <see cref="Busy"/>.</summary>
    public Queue<(object Message, IActorRef Sender)>? Deferred;

    /// <summary>Extra state of a stream or connection scope.</summary>
    public object? Info;

    /// <summary>Set when closed (a stream, connection or span).</summary>
    public bool Closed;
}
