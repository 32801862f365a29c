namespace PeerActors.Node.Replay;

/// <summary>
/// <see cref="IReplayLimits"/> over the node's limit actors (<see cref="LimitsClient"/>): each session is
/// OpenConnection(inbound) → SetPeer → OpenStream(inbound, protocol, service) (the combined open: rcmgr's OpenStream +
/// SetProtocol + SetService in one request, all or nothing), awaited in order; a <see cref="LimitRefused"/> reply stops
/// the chain and names the refusing scope class.
/// </summary>
public sealed class LimitsActorReplayLimits : IReplayLimits
{
    private readonly LimitsClient _client;
    private readonly bool _usesFd;

    /// <summary>Creates the target.</summary>
    /// <param name="client">Client of the limit actors' root.</param>
    /// <param name="usesFd">Whether each session's connection holds a file descriptor (default true: a real socket).</param>
    public LimitsActorReplayLimits(LimitsClient client, bool usesFd = true)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _usesFd = usesFd;
    }

    /// <inheritdoc/>
    public string Description => "limit actors";

    /// <inheritdoc/>
    public async Task<LimitsSessionOutcome> OpenSessionAsync(string senderId, IPAddress? endpoint, string protocol, string service, CancellationToken ct)
    {
        var conn = await _client.OpenConnectionAsync(Direction.Inbound, _usesFd, endpoint, ct).ConfigureAwait(false);
        if (conn.Value is not { } connection)
            return Refused(null, conn.Refused, conn.Failure);
        var session = new Handles(connection);
        var setPeer = await _client.SetPeerAsync(connection, senderId, ct).ConfigureAwait(false);
        if (!setPeer.Ok)
            return Refused(session, setPeer.Refused, setPeer.Failure);
        // OpenStream + SetProtocol + SetService in one request (all or nothing; one round trip instead of three).
        var stream = await _client.OpenStreamAsync(senderId, Direction.Inbound, protocol, service, null, ct).ConfigureAwait(false);
        if (stream.Value is not { } s)
            return Refused(session, stream.Refused, stream.Failure);
        session.Stream = s;
        return new LimitsSessionOutcome(session, null);
    }

    /// <inheritdoc/>
    public async Task CloseSessionAsync(object session, CancellationToken ct)
    {
        if (session is not Handles h) return;
        // The stream's close is one-way (rcmgr Done(): one message, no answer); the connection's close is awaited, and it
        // follows the stream's: the session's releases are applied before the next step of the trace.
        if (h.Stream is { } s) _client.CloseStream(s);
        await _client.CloseAsync(h.Connection.Ref, ct).ConfigureAwait(false);
    }

    private static LimitsSessionOutcome Refused(Handles? session, LimitRefused? refused, LimitsFailure? failure) =>
        new(session, refused is not null
            ? new LimitRefusal(ReplayScopeClasses.Name(refused.ScopeClass), refused.Scope, refused.Message)
            : new LimitRefusal("invalid-request", failure?.Field ?? "", failure?.Message ?? "unexpected reply"));

    private sealed class Handles(ConnectionHandle connection)
    {
        public ConnectionHandle Connection { get; } = connection;
        public StreamHandle? Stream { get; set; }
    }
}
