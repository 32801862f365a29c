namespace PeerActors.Limits;

/// <summary>
/// Validation of the ids in limit requests (peer ids, protocol ids, service names), shared by the root and the peer
/// actors: a request reaching a peer actor directly (see <see cref="LimitsClient"/>) is checked by the same rule as one
/// routed by the root.
/// </summary>
internal static class LimitsIds
{
    /// <summary>Throws <see cref="InvalidInputException"/> naming <paramref name="field"/> unless <paramref name="id"/> is 1–256 printable, non-space characters.</summary>
    public static string Check(string? id, string field)
    {
        if (string.IsNullOrEmpty(id))
            throw new InvalidInputException(field, "must be a non-empty id");
        if (id.Length > 256)
            throw new InvalidInputException(field, $"must be at most 256 characters, got {id.Length}");
        foreach (char ch in id)
            if (char.IsControl(ch) || char.IsWhiteSpace(ch))
                throw new InvalidInputException(field, "must contain only printable, non-space characters");
        return id;
    }

    /// <summary>The failure answering an invalid <paramref name="id"/>, or null when it is valid.</summary>
    public static LimitsFailure? Failure(string? id, string field)
    {
        try
        {
            Check(id, field);
            return null;
        }
        catch (InvalidInputException e)
        {
            return new LimitsFailure(e.Field, e.Message);
        }
    }

    /// <summary>True when <paramref name="id"/> is valid; else answers the failure to <paramref name="replyTo"/>.</summary>
    public static bool Check(string? id, string field, IActorRef replyTo)
    {
        if (Failure(id, field) is not { } f) return true;
        replyTo.Tell(f);
        return false;
    }
}

/// <summary>
/// The answer to a request addressed to a stream scope (or a span under one) that is no longer live. One rule for
/// the three places that give it: the root (the owner actor is gone), the peer actor (the stream is gone) and
/// <see cref="ClosedScopeResponder"/> (a request sent straight to an owner actor that was stopped meanwhile).
/// </summary>
internal static class ClosedScope
{
    /// <summary>rcmgr's answers: releases and <c>Done</c> are ignored once closed; anything else fails with "resource scope closed".</summary>
    public static LimitsReply Reply(object request) => request switch
    {
        ReleaseMemory or Done => LimitsAck.Instance,
        SetProtocol m => LimitsIds.Failure(m.Protocol, "protocol") ?? Stream(m.Stream.Name),
        SetService m => LimitsIds.Failure(m.Service, "service") ?? Stream(m.Stream.Name),
        ReserveMemory m => Scope(m.Scope.Name),
        BeginSpan m => Scope(m.Scope.Name),
        Close m => Scope(m.Scope.Name),
        GetStat m => Scope(m.Scope.Name),
        _ => new LimitsFailure("scope", "resource scope closed"),
    };

    /// <summary>A stream that is not live, for SetProtocol / SetService.</summary>
    public static LimitsFailure Stream(string name) => new("stream", $"{name}: resource scope closed");

    /// <summary>A scope that is not live.</summary>
    public static LimitsFailure Scope(string name) => new("scope", $"{name}: resource scope closed");
}

/// <summary>
/// Answers requests that a client sent straight to a stream's owner actor (<see cref="StreamHandle.Owner"/>) after
/// the root stopped that actor: such a request is for a stream already closed (a peer actor with a live stream is
/// never idle, so never stopped), and Akka delivers it to dead letters, where this actor finds it and replies as the
/// root would (<see cref="ClosedScope"/>) instead of leaving the caller waiting. A child of the root; it answers only
/// dead letters addressed to its siblings, so several limit roots in one actor system never answer twice.
/// </summary>
internal sealed class ClosedScopeResponder(ActorPath root) : UntypedActor
{
    public static Props Props(ActorPath root) => Akka.Actor.Props.Create(() => new ClosedScopeResponder(root));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(AllDeadLetters));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        if (message is not AllDeadLetters d || d.Recipient is null || !root.Equals(d.Recipient.Path.Parent)) return;
        var (request, replyTo) = d.Message is Routed r ? (r.Request, r.ReplyTo) : (d.Message, d.Sender);
        if (request is ILimitsRequest && replyTo is not null && !replyTo.IsNobody() && replyTo is not DeadLetterActorRef)
            replyTo.Tell(ClosedScope.Reply(request));
    }
}
