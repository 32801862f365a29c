namespace PeerActors.Limits;

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
