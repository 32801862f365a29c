using PeerActors.Hosting;
using PeerActors.Peers;

namespace PeerActors.Client;

/// <summary>A peer actor refused a command or query; <see cref="Rejection"/> carries the typed reply.</summary>
public sealed class PeerCommandRejectedException : Exception
{
    /// <summary>Creates the exception from the reply.</summary>
    /// <param name="rejection">The reply.</param>
    public PeerCommandRejectedException(CommandRejected rejection)
        : base($"{rejection.PeerId}: {rejection.Error}{(rejection.Field is null ? "" : $" ({rejection.Field})")}: {rejection.Message}")
    {
        Rejection = rejection;
    }

    /// <summary>The typed rejection (error code, field, message).</summary>
    public CommandRejected Rejection { get; }
}

/// <summary>
/// Typed client of the peer actors. Observations and critical commands go through the reliable-delivery producer
/// (<see cref="Delivery.PeerDeliveryProducer"/>): kept, resent through rebalances, node loss and re-homing, applied once.
/// Async methods wait for the outcome until <see cref="AskTimeout"/> (the caller's deadline) and return the typed reply
/// or throw <see cref="PeerCommandRejectedException"/> (invalid ids are rejected locally, before sending); queries are
/// asked of the region and asked again (they are idempotent) until the deadline. <c>Tell*</c> methods are
/// fire-and-forget for high-rate observations, and still reliable. Thread-safe.
/// </summary>
public sealed class PeerActorsClient
{
    private static readonly TimeSpan QueryAttempt = TimeSpan.FromSeconds(5);
    private readonly Func<Task<IActorRef>> _region;
    private readonly Func<Task<IActorRef>> _producer;

    /// <summary>Creates a client over known references.</summary>
    /// <param name="region">The peer shard region or proxy (queries).</param>
    /// <param name="producer">The reliable-delivery producer (observations, critical commands); null = send them to the
    /// region directly (no resend: a message lost in a hand-off or a crash stays lost).</param>
    /// <param name="askTimeout">The deadline of every async call; default 30 s (re-homing after a node crash takes up to 15 s).</param>
    public PeerActorsClient(IActorRef region, IActorRef? producer = null, TimeSpan? askTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(region);
        var r = Task.FromResult(region);
        var p = Task.FromResult(producer ?? region);
        _region = () => r;
        _producer = () => p;
        AskTimeout = askTimeout ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>Creates a client from DI (Akka.Hosting registers <c>IRequiredActor&lt;T&gt;</c> for the registry keys).</summary>
    /// <param name="region">The region (or proxy) from the ActorRegistry.</param>
    /// <param name="producer">The reliable-delivery producer from the ActorRegistry.</param>
    public PeerActorsClient(IRequiredActor<PeerRegionKey> region, IRequiredActor<PeerDeliveryKey> producer)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(producer);
        _region = () => region.GetAsync();
        _producer = () => producer.GetAsync();
        AskTimeout = TimeSpan.FromSeconds(30);
    }

    /// <summary>The deadline of the async methods (a critical command is resent until acked or until it passes).</summary>
    public TimeSpan AskTimeout { get; init; }

    // ------------------------------------------------------------ high-rate (ack: Durability.HighRate)

    /// <summary>Sends <see cref="RecordRequest"/> and waits for the ack.</summary>
    public Task<CommandAck> RecordRequestAsync(string peerId, long bytes, DateTimeOffset observedAt, CancellationToken ct = default) =>
        CommandAsync(new RecordRequest(peerId, bytes, observedAt), ct);

    /// <summary>Sends <see cref="RecordSuccess"/> and waits for the ack.</summary>
    public Task<CommandAck> RecordSuccessAsync(string peerId, double rttMs, long bytes, DateTimeOffset observedAt, CancellationToken ct = default) =>
        CommandAsync(new RecordSuccess(peerId, rttMs, bytes, observedAt), ct);

    /// <summary>Sends <see cref="RecordTimeout"/> and waits for the ack.</summary>
    public Task<CommandAck> RecordTimeoutAsync(string peerId, DateTimeOffset observedAt, CancellationToken ct = default) =>
        CommandAsync(new RecordTimeout(peerId, observedAt), ct);

    /// <summary>Sends <see cref="RecordFailure"/> and waits for the ack.</summary>
    public Task<CommandAck> RecordFailureAsync(string peerId, DateTimeOffset observedAt, string? reason = null, CancellationToken ct = default) =>
        CommandAsync(new RecordFailure(peerId, observedAt, reason), ct);

    /// <summary>Sends <see cref="RecordBytes"/> (peer id, or session id fallback) and waits for the ack.</summary>
    public Task<CommandAck> RecordBytesAsync(string? peerId, string? sessionId, TrafficDirection direction, long bytes, DateTimeOffset observedAt, CancellationToken ct = default) =>
        CommandAsync(new RecordBytes(peerId, sessionId, direction, bytes, observedAt), ct);

    /// <summary>Sends <see cref="PeerOnline"/> and waits for the ack.</summary>
    public Task<CommandAck> PeerOnlineAsync(string peerId, DateTimeOffset observedAt, CancellationToken ct = default) =>
        CommandAsync(new PeerOnline(peerId, observedAt), ct);

    /// <summary>Sends <see cref="PeerOffline"/> and waits for the ack.</summary>
    public Task<CommandAck> PeerOfflineAsync(string peerId, DateTimeOffset observedAt, CancellationToken ct = default) =>
        CommandAsync(new PeerOffline(peerId, observedAt), ct);

    /// <summary>Sends <see cref="PeerServes"/> and waits for the ack.</summary>
    public Task<CommandAck> PeerServesAsync(string peerId, string? protocol, string? service, DateTimeOffset observedAt, CancellationToken ct = default) =>
        CommandAsync(new PeerServes(peerId, protocol, service, observedAt), ct);

    // ------------------------------------------------------------ critical (ack only after the event is persisted)

    /// <summary>Sends <see cref="OpenChannel"/>; the ack arrives after the event is persisted.</summary>
    public Task<CommandAck> OpenChannelAsync(string peerId, string channelId, DateTimeOffset observedAt, CancellationToken ct = default) =>
        CommandAsync(new OpenChannel(peerId, channelId, observedAt), ct);

    /// <summary>Sends <see cref="CloseChannel"/>; the ack arrives after the event is persisted.</summary>
    public Task<CommandAck> CloseChannelAsync(string peerId, string channelId, DateTimeOffset observedAt, CancellationToken ct = default) =>
        CommandAsync(new CloseChannel(peerId, channelId, observedAt), ct);

    /// <summary>Sends <see cref="RecordPayment"/> (sat); the ack arrives after the event is persisted.</summary>
    public Task<CommandAck> RecordPaymentAsync(string peerId, long amountSat, DateTimeOffset observedAt, CancellationToken ct = default) =>
        CommandAsync(new RecordPayment(peerId, amountSat, observedAt), ct);

    /// <summary>Sends <see cref="RecordReceipt"/> (sat); the ack arrives after the event is persisted.</summary>
    public Task<CommandAck> RecordReceiptAsync(string peerId, long amountSat, DateTimeOffset observedAt, CancellationToken ct = default) =>
        CommandAsync(new RecordReceipt(peerId, amountSat, observedAt), ct);

    /// <summary>Sends <see cref="RecordPaymentDefault"/>; the ack arrives after the event is persisted.</summary>
    public Task<CommandAck> RecordPaymentDefaultAsync(string peerId, DateTimeOffset observedAt, CancellationToken ct = default) =>
        CommandAsync(new RecordPaymentDefault(peerId, observedAt), ct);

    /// <summary>Sends <see cref="Forget"/>; the ack arrives after the peer's events and snapshots are deleted.</summary>
    public Task<CommandAck> ForgetAsync(string peerId, DateTimeOffset observedAt, CancellationToken ct = default) =>
        CommandAsync(new Forget(peerId, observedAt), ct);

    // ------------------------------------------------------------ queries

    /// <summary>Asks <see cref="GetPeerStats"/>.</summary>
    public Task<PeerStatsReply> GetPeerStatsAsync(string peerId, DateTimeOffset? now = null, CancellationToken ct = default) =>
        AskAsync<PeerStatsReply>(new GetPeerStats(peerId, now), ct);

    /// <summary>Asks <see cref="GetChannelUptime"/>.</summary>
    public Task<ChannelUptimeReply> GetChannelUptimeAsync(string peerId, string channelId, DateTimeOffset? now = null, CancellationToken ct = default) =>
        AskAsync<ChannelUptimeReply>(new GetChannelUptime(peerId, channelId, now), ct);

    /// <summary>Asks <see cref="GetFlapCount"/>.</summary>
    public Task<FlapCountReply> GetFlapCountAsync(string peerId, CancellationToken ct = default) =>
        AskAsync<FlapCountReply>(new GetFlapCount(peerId), ct);

    /// <summary>Asks <see cref="GetBandwidth"/>.</summary>
    public Task<BandwidthReply> GetBandwidthAsync(string peerId, CancellationToken ct = default) =>
        AskAsync<BandwidthReply>(new GetBandwidth(peerId), ct);

    // ------------------------------------------------------------ generic

    /// <summary>Sends any command and returns its ack.</summary>
    /// <param name="command">The command.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The ack.</returns>
    /// <exception cref="PeerCommandRejectedException">On a <see cref="CommandRejected"/> reply or an invalid id.</exception>
    public Task<CommandAck> CommandAsync(IPeerMessage command, CancellationToken ct = default) => AskAsync<CommandAck>(command, ct);

    /// <summary>Sends any peer message and returns the typed reply.</summary>
    /// <typeparam name="TReply">Expected reply type.</typeparam>
    /// <param name="message">The message.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The reply.</returns>
    /// <exception cref="PeerCommandRejectedException">On a <see cref="CommandRejected"/> reply or an invalid id.</exception>
    /// <exception cref="AskTimeoutException">When no reply arrives within <see cref="AskTimeout"/>.</exception>
    public async Task<TReply> AskAsync<TReply>(IPeerMessage message, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ThrowIfUnroutable(message);
        object reply;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var command = new KeyValuePair<string, object?>("command", message.GetType().Name);
        try
        {
            if (message is IPeerObservation and not Forget)
            {
                var producer = await _producer().ConfigureAwait(false);
                reply = await producer.Ask<object>(message, AskTimeout, ct).ConfigureAwait(false);
            }
            else
            {
                reply = await AskWithRetryAsync(await _region().ConfigureAwait(false), message, ct).ConfigureAwait(false);
            }
        }
        catch (AskTimeoutException)
        {
            PeerActorsMetrics.CommandDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds,
                command, new KeyValuePair<string, object?>("outcome", "timeout"));
            throw;
        }
        PeerActorsMetrics.CommandDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds,
            command, new KeyValuePair<string, object?>("outcome", reply is CommandRejected ? "rejected" : "ok"));
        return reply switch
        {
            TReply r => r,
            CommandRejected rej => throw new PeerCommandRejectedException(rej),
            _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name} to {message.GetType().Name}"),
        };
    }

    /// <summary>
    /// Queries are idempotent: one lost in a re-home (its shard's node died) is asked again, each attempt bounded, until
    /// <see cref="AskTimeout"/> has passed.
    /// </summary>
    private async Task<object> AskWithRetryAsync(IActorRef region, IPeerMessage message, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + AskTimeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var attempt = left < QueryAttempt || message is Forget ? left : QueryAttempt;
            try
            {
                return await region.Ask<object>(message, attempt, ct).ConfigureAwait(false);
            }
            catch (AskTimeoutException) when (DateTime.UtcNow + TimeSpan.FromMilliseconds(50) < deadline)
            {
                // the shard may be re-homing: ask again
            }
        }
    }

    /// <summary>Fire-and-forget (no reply is produced), through the reliable-delivery producer. Invalid ids are dropped
    /// silently (nothing could route them).</summary>
    /// <param name="message">Usually a high-rate observation.</param>
    /// <returns>True when sent, false when the id was invalid.</returns>
    public bool Tell(IPeerMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (PeerId.Validate(message.EntityId) is not null) return false;
        var task = message is IPeerObservation and not Forget ? _producer() : _region();
        if (task.IsCompletedSuccessfully) task.Result.Tell(message, ActorRefs.NoSender);
        else _ = task.ContinueWith(t => t.Result.Tell(message, ActorRefs.NoSender), TaskContinuationOptions.OnlyOnRanToCompletion);
        return true;
    }

    /// <summary>Fire-and-forget <see cref="RecordRequest"/>.</summary>
    public bool TellRequest(string peerId, long bytes, DateTimeOffset observedAt) => Tell(new RecordRequest(peerId, bytes, observedAt));

    /// <summary>Fire-and-forget <see cref="RecordSuccess"/>.</summary>
    public bool TellSuccess(string peerId, double rttMs, long bytes, DateTimeOffset observedAt) => Tell(new RecordSuccess(peerId, rttMs, bytes, observedAt));

    /// <summary>Fire-and-forget <see cref="RecordTimeout"/>.</summary>
    public bool TellTimeout(string peerId, DateTimeOffset observedAt) => Tell(new RecordTimeout(peerId, observedAt));

    /// <summary>Fire-and-forget <see cref="RecordFailure"/>.</summary>
    public bool TellFailure(string peerId, DateTimeOffset observedAt, string? reason = null) => Tell(new RecordFailure(peerId, observedAt, reason));

    /// <summary>Fire-and-forget <see cref="RecordBytes"/>.</summary>
    public bool TellBytes(string? peerId, string? sessionId, TrafficDirection direction, long bytes, DateTimeOffset observedAt) =>
        Tell(new RecordBytes(peerId, sessionId, direction, bytes, observedAt));

    /// <summary>Fire-and-forget <see cref="PeerOnline"/> / <see cref="PeerOffline"/>.</summary>
    public bool TellOnline(string peerId, bool online, DateTimeOffset observedAt) =>
        Tell(online ? new PeerOnline(peerId, observedAt) : new PeerOffline(peerId, observedAt));

    /// <summary>Fire-and-forget <see cref="PeerServes"/>.</summary>
    public bool TellServes(string peerId, string? protocol, string? service, DateTimeOffset observedAt) =>
        Tell(new PeerServes(peerId, protocol, service, observedAt));

    private static void ThrowIfUnroutable(IPeerMessage message)
    {
        if (PeerId.Validate(message.EntityId) is not { } error) return;
        var field = message is RecordBytes { PeerId: null or "" } ? "sessionId" : "peerId";
        throw new PeerCommandRejectedException(new CommandRejected(message.EntityId, ErrorCodes.InvalidInput, field, $"{field}: {error}"));
    }
}
