using Akka.Actor;
using Akka.Hosting;
using PeerActors.Core.Bandwidth;
using PeerActors.Core.Identity;
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
/// Typed client of the peer shard region. Async methods Ask with <see cref="AskTimeout"/> and return the typed reply
/// or throw <see cref="PeerCommandRejectedException"/> (invalid ids are rejected locally, before sending, because the
/// region cannot route them); <c>Tell*</c> methods are fire-and-forget (no reply is produced) for high-rate
/// observations. Thread-safe.
/// </summary>
public sealed class PeerActorsClient
{
    private readonly Func<Task<IActorRef>> _region;

    /// <summary>Creates a client over a known region (or proxy) reference.</summary>
    /// <param name="region">The peer shard region.</param>
    /// <param name="askTimeout">Ask timeout; default 10 s.</param>
    public PeerActorsClient(IActorRef region, TimeSpan? askTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(region);
        var task = Task.FromResult(region);
        _region = () => task;
        AskTimeout = askTimeout ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>Creates a client from DI (Akka.Hosting registers <c>IRequiredActor&lt;PeerRegionKey&gt;</c>).</summary>
    /// <param name="region">The region from the ActorRegistry.</param>
    public PeerActorsClient(IRequiredActor<PeerRegionKey> region)
    {
        ArgumentNullException.ThrowIfNull(region);
        _region = () => region.GetAsync();
        AskTimeout = TimeSpan.FromSeconds(10);
    }

    /// <summary>Ask timeout of the async methods.</summary>
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
        var region = await _region().ConfigureAwait(false);
        var reply = await region.Ask<object>(message, AskTimeout, ct).ConfigureAwait(false);
        return reply switch
        {
            TReply r => r,
            CommandRejected rej => throw new PeerCommandRejectedException(rej),
            _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name} to {message.GetType().Name}"),
        };
    }

    /// <summary>Fire-and-forget (no reply is produced). Invalid ids are dropped silently (nothing could route them).</summary>
    /// <param name="message">Usually a high-rate observation.</param>
    /// <returns>True when sent, false when the id was invalid.</returns>
    public bool Tell(IPeerMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (PeerId.Validate(message.EntityId) is not null) return false;
        var task = _region();
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
        throw new PeerCommandRejectedException(new CommandRejected(message.EntityId, "invalid-input", field, $"{field}: {error}"));
    }
}
