using System.Net;
using Akka.Actor;
using PeerActors.Core.ResourceManager;

namespace PeerActors.Limits;

/// <summary>
/// Typed client of the limit actors. Each call sends one request and completes with the typed reply: requests on a
/// stream scope (<see cref="StreamHandle"/>: SetProtocol, SetService, Close, and memory, span and stat requests
/// addressed to <c>stream-N</c> or a span under it) go straight to the stream's owner actor
/// (<see cref="StreamHandle.Owner"/>, the peer's actor), which saves a hop through the root on three of a stream's
/// four calls; every other request goes to the root, which routes it to the actor owning the scope. A stream request
/// reaching an owner actor that was stopped (its streams all closed) is answered "resource scope closed" as the root
/// would. Refusals and failures are values
/// (<see cref="LimitsResult{T}"/>), never timeouts. Replies are delivered through a lightweight local reply
/// reference completing a <see cref="TaskCompletionSource{TResult}"/> (no temporary actor, no Ask timer), so the
/// client is for use in the same process as the root. Operations on one handle must be awaited in order.
/// Thread-safe.
/// </summary>
public sealed class LimitsClient
{
    private readonly IActorRef _root;
    private readonly ActorPath _replyPath;

    /// <summary>Creates a client of the root actor <paramref name="root"/> (e.g. from <c>ActorRegistry.Get&lt;LimitsKey&gt;()</c>).</summary>
    public LimitsClient(IActorRef root)
    {
        ArgumentNullException.ThrowIfNull(root);
        _root = root;
        _replyPath = root.Path.Root / "temp" / "limits-reply";
    }

    /// <summary>The root actor.</summary>
    public IActorRef Root => _root;

    /// <summary>Sends <paramref name="request"/> to <paramref name="target"/> and returns the raw reply.</summary>
    public Task<LimitsReply> SendAsync(ILimitsRequest request, IActorRef? target = null, CancellationToken cancellationToken = default)
    {
        var reply = new RawReplyRef(_replyPath, cancellationToken);
        (target ?? _root).Tell(request, reply);
        return reply.Task;
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the typed outcome. The reply reference converts the reply itself
    /// (<paramref name="pick"/> must be a static lambda: it runs on the replying actor's thread), so a call costs no
    /// async state machine and no second continuation.
    /// </summary>
    private Task<LimitsResult<T>> Typed<T>(ILimitsRequest request, IActorRef? target, CancellationToken ct, Func<LimitsReply, T?> pick)
        where T : class
    {
        var reply = new TypedReplyRef<T>(_replyPath, ct, pick);
        (target ?? _root).Tell(request, reply);
        return reply.Task;
    }

    private Task<LimitsResult<LimitsAck>> Ack(ILimitsRequest request, IActorRef? target, CancellationToken ct) =>
        Typed(request, target, ct, r => r as LimitsAck);

    /// <summary>Opens a connection scope (see <see cref="OpenConnection"/>).</summary>
    public Task<LimitsResult<ConnectionHandle>> OpenConnectionAsync(Direction direction, bool usesFd, IPAddress? endpoint, CancellationToken ct = default) =>
        Typed(new OpenConnection(direction, usesFd, endpoint), null, ct, r => (r as ConnectionOpened)?.Connection);

    /// <summary>Attaches a connection to a peer (see <see cref="SetPeer"/>).</summary>
    public Task<LimitsResult<LimitsAck>> SetPeerAsync(ConnectionHandle connection, string peerId, CancellationToken ct = default) =>
        Ack(new SetPeer(connection, peerId), null, ct);

    /// <summary>Opens a stream scope (see <see cref="OpenStream"/>).</summary>
    public Task<LimitsResult<StreamHandle>> OpenStreamAsync(string peerId, Direction direction, CancellationToken ct = default) =>
        Typed(new OpenStream(peerId, direction), null, ct, r => (r as StreamOpened)?.Stream);

    /// <summary>
    /// Opens a stream with its protocol (and service) set in one request, all or nothing (see <see cref="OpenStream"/>):
    /// rcmgr's OpenStream + SetProtocol (+ SetService) in one round trip.
    /// </summary>
    public Task<LimitsResult<StreamHandle>> OpenStreamAsync(string peerId, Direction direction, string protocol, string? service, DateTimeOffset? at = null, CancellationToken ct = default) =>
        Typed(new OpenStream(peerId, direction, at, protocol, service), null, ct, r => (r as StreamOpened)?.Stream);

    /// <summary>Sets a stream's protocol (see <see cref="SetProtocol"/>); sent to the stream's owner actor.</summary>
    public Task<LimitsResult<LimitsAck>> SetProtocolAsync(StreamHandle stream, string protocol, CancellationToken ct = default) =>
        Ack(new SetProtocol(stream, protocol), stream.Owner, ct);

    /// <summary>Sets a stream's service (see <see cref="SetService"/>); sent to the stream's owner actor.</summary>
    public Task<LimitsResult<LimitsAck>> SetServiceAsync(StreamHandle stream, string service, CancellationToken ct = default) =>
        Ack(new SetService(stream, service), stream.Owner, ct);

    /// <summary>
    /// Where a request on <paramref name="scope"/> goes: a stream scope or a span under one (<c>stream-N…</c>) to its
    /// owner actor when known, anything else (null = the root) through the root.
    /// </summary>
    private static IActorRef? TargetOf(ScopeRef scope) =>
        scope.Owner is { } owner && scope.Name is { } name && name.StartsWith("stream-", StringComparison.Ordinal) ? owner : null;

    /// <summary>Reserves memory on a scope (see <see cref="ReserveMemory"/>).</summary>
    public Task<LimitsResult<LimitsAck>> ReserveMemoryAsync(ScopeRef scope, long size, byte priority = ReservationPriority.Always, CancellationToken ct = default) =>
        Ack(new ReserveMemory(scope, size, priority), TargetOf(scope), ct);

    /// <summary>Releases memory on a scope (see <see cref="ReleaseMemory"/>).</summary>
    public Task<LimitsResult<LimitsAck>> ReleaseMemoryAsync(ScopeRef scope, long size, CancellationToken ct = default) =>
        Ack(new ReleaseMemory(scope, size), TargetOf(scope), ct);

    /// <summary>Starts a span under a scope (see <see cref="BeginSpan"/>).</summary>
    public Task<LimitsResult<SpanHandle>> BeginSpanAsync(ScopeRef scope, CancellationToken ct = default) =>
        Typed(new BeginSpan(scope), TargetOf(scope), ct, r => (r as SpanOpened)?.Span);

    /// <summary>Ends a span (see <see cref="Done"/>).</summary>
    public Task<LimitsResult<LimitsAck>> DoneAsync(SpanHandle span, CancellationToken ct = default) =>
        Ack(new Done(span.Ref), TargetOf(span.Ref), ct);

    /// <summary>Closes a connection, stream or span (see <see cref="Close"/>).</summary>
    public Task<LimitsResult<LimitsAck>> CloseAsync(ScopeRef scope, CancellationToken ct = default) =>
        Ack(new Close(scope), TargetOf(scope), ct);

    /// <summary>
    /// Closes a stream without waiting for an answer (see <see cref="CloseStreamOneWay"/>): one message to the stream's
    /// owner actor, where <see cref="CloseAsync"/> costs a request and a reply. The releases are in flight on return:
    /// a request sent right after may still be refused for the stream's share.
    /// </summary>
    public void CloseStream(StreamHandle stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Owner.Tell(new CloseStreamOneWay(stream), ActorRefs.Nobody);
    }

    /// <summary>Usage and limit of a scope (see <see cref="GetStat"/>).</summary>
    public Task<LimitsResult<ScopeStatReply>> StatAsync(ScopeRef scope, CancellationToken ct = default) =>
        Typed(new GetStat(scope), TargetOf(scope), ct, r => r as ScopeStatReply);

    /// <summary>Usage and limit of a named scope.</summary>
    public Task<LimitsResult<ScopeStatReply>> StatAsync(string scopeName, CancellationToken ct = default) =>
        StatAsync(ScopeRef.Named(scopeName), ct);

    /// <summary>Live service scopes with their usage.</summary>
    public Task<LimitsResult<ScopeList>> ListServicesAsync(CancellationToken ct = default) =>
        Typed(ListServices.Instance, null, ct, r => r as ScopeList);

    /// <summary>Live protocol scopes with their usage.</summary>
    public Task<LimitsResult<ScopeList>> ListProtocolsAsync(CancellationToken ct = default) =>
        Typed(ListProtocols.Instance, null, ct, r => r as ScopeList);

    /// <summary>Live peer scopes with their usage.</summary>
    public Task<LimitsResult<ScopeList>> ListPeersAsync(CancellationToken ct = default) =>
        Typed(ListPeers.Instance, null, ct, r => r as ScopeList);

    /// <summary>Sets a limit at run time (see <see cref="SetLimit"/>).</summary>
    public Task<LimitsResult<LimitsAck>> SetLimitAsync(string scope, BaseLimit limit, CancellationToken ct = default) =>
        Ack(new SetLimit(scope, limit), null, ct);

    /// <summary>A run-time, persisted limit change of a configurable scope (see <see cref="ChangeLimit"/>).</summary>
    public Task<LimitsResult<LimitChanged>> ChangeLimitAsync(string scope, LimitChange change, CancellationToken ct = default) =>
        Typed(new ChangeLimit(scope, change), null, ct, r => r as LimitChanged);

    /// <summary>The bans this node's limit actors enforce at <paramref name="now"/> (see <see cref="ListBans"/>).</summary>
    public Task<LimitsResult<BanListReply>> ListBansAsync(DateTimeOffset? now = null, CancellationToken ct = default) =>
        Typed(new ListBans(now), null, ct, r => r as BanListReply);

    /// <summary>Why <c>peer:ID</c> has its limit (see <see cref="ExplainPeerLimit"/>).</summary>
    public Task<LimitsResult<PeerLimitExplained>> ExplainPeerLimitAsync(string peerId, DateTimeOffset? now = null, CancellationToken ct = default) =>
        Typed(new ExplainPeerLimit(peerId, now), null, ct, r => r as PeerLimitExplained);

    /// <summary>The limits in force.</summary>
    public Task<LimitsResult<LimitsConfigReply>> GetLimitsAsync(CancellationToken ct = default) =>
        Typed(GetLimits.Instance, null, ct, r => r as LimitsConfigReply);

    /// <summary>
    /// A reply reference completing a task with the reply converted to <typeparamref name="TResult"/> (local only; no
    /// actor registration, no timer). Its continuations run asynchronously, never on the replying actor's thread.
    /// </summary>
    private abstract class ReplyRef<TResult> : MinimalActorRef
    {
        private readonly TaskCompletionSource<TResult> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        // Removed from the token once the reply came: a long-lived token (a replay's, a host's) otherwise keeps every
        // completed call's callback, task and source alive (measured: about 176 bytes per call, 3.7 million calls in a
        // 28-day replay, i.e. ~650 MB of garbage that never becomes collectable).
        private readonly CancellationTokenRegistration _registration;

        protected ReplyRef(ActorPath path, CancellationToken ct)
        {
            Path = path;
            if (ct.CanBeCanceled)
                _registration = ct.Register(static s => ((TaskCompletionSource<TResult>)s!).TrySetCanceled(), _tcs);
        }

        public Task<TResult> Task => _tcs.Task;

        public override ActorPath Path { get; }

        public override IActorRefProvider Provider => throw new NotSupportedException("local reply reference");

        /// <summary>The result for <paramref name="message"/> (runs on the replying actor's thread: must be cheap).</summary>
        protected abstract TResult Convert(object message);

        protected override void TellInternal(object message, IActorRef sender)
        {
            if (LimitsDiagnostics.Enabled) Interlocked.Increment(ref LimitsDiagnostics.Replies);
            _tcs.TrySetResult(Convert(message));
            // Unregister, not Dispose: it never waits for a running cancellation callback (this is an actor's thread).
            _registration.Unregister();
        }
    }

    /// <summary>The raw reply (<see cref="SendAsync"/>); anything but a <see cref="LimitsReply"/> becomes a failure.</summary>
    private sealed class RawReplyRef(ActorPath path, CancellationToken ct) : ReplyRef<LimitsReply>(path, ct)
    {
        protected override LimitsReply Convert(object message) =>
            message as LimitsReply ?? new LimitsFailure("reply", $"unexpected reply {message}");
    }

    /// <summary>The typed outcome: a refusal, a failure, or the value <c>pick</c> takes from the reply.</summary>
    private sealed class TypedReplyRef<T>(ActorPath path, CancellationToken ct, Func<LimitsReply, T?> pick)
        : ReplyRef<LimitsResult<T>>(path, ct) where T : class
    {
        protected override LimitsResult<T> Convert(object message) => message switch
        {
            LimitRefused refused => new LimitsResult<T>(null, refused, null),
            LimitsFailure failure => new LimitsResult<T>(null, null, failure),
            LimitsReply r when pick(r) is { } v => new LimitsResult<T>(v, null, null),
            _ => new LimitsResult<T>(null, null, new LimitsFailure("reply", $"unexpected reply {message}")),
        };
    }
}

/// <summary>Outcome of a <see cref="LimitsClient"/> call: exactly one of <see cref="Value"/>, <see cref="Refused"/>, <see cref="Failure"/> is set.</summary>
/// <typeparam name="T">Success value type.</typeparam>
/// <param name="Value">The result on success.</param>
/// <param name="Refused">The refusal when a limit would be exceeded.</param>
/// <param name="Failure">The failure for an invalid request.</param>
public readonly record struct LimitsResult<T>(T? Value, LimitRefused? Refused, LimitsFailure? Failure) where T : class
{
    /// <summary>True on success.</summary>
    public bool Ok => Value is not null;

    /// <summary>The value, or throws: <see cref="ResourceLimitExceededException"/> for a refusal, <see cref="InvalidOperationException"/> for a failure.</summary>
    /// <exception cref="ResourceLimitExceededException">When refused.</exception>
    /// <exception cref="InvalidOperationException">When the request failed.</exception>
    public T Unwrap() =>
        Value ?? throw (Refused is { } r ? r.ToException() : new InvalidOperationException(Failure?.Message ?? "no value"));
}
