namespace PeerActors.Core.Errors;

/// <summary>
/// The closed set of error codes of PeerActors, shared by the actors (<c>CommandRejected.Error</c>), the
/// management API (<c>CommandResult.code</c>) and <c>peeractl</c> (its exit code). Every code is a lowercase,
/// kebab-case word sequence; no other value is ever sent. <see cref="All"/> lists them with their meaning.
/// </summary>
/// <remarks>
/// Wire compatibility: before this set existed peer actors answered <c>peer not found</c>, <c>channel not found</c>
/// and <c>channel already exists</c> (with spaces). <see cref="Normalize"/> maps those legacy values explicitly, so a
/// reply from an older node (or a delivery rejection read back from an older producer) still yields a code of this set.
/// </remarks>
public static class ErrorCodes
{
    /// <summary>A command argument, observation field or id is invalid (names the field). HTTP 400, peeractl exit 2.</summary>
    public const string InvalidInput = "invalid-input";

    /// <summary>The peer has no history (never observed, or forgotten). HTTP 200 ok=false, exit 1.</summary>
    public const string PeerNotFound = "peer-not-found";

    /// <summary>The channel is not tracked for the peer. HTTP 200 ok=false, exit 1.</summary>
    public const string ChannelNotFound = "channel-not-found";

    /// <summary>The channel is already tracked for the peer. HTTP 200 ok=false, exit 1.</summary>
    public const string ChannelExists = "channel-exists";

    /// <summary>The journal or snapshot store failed or rejected a write; state is unchanged. HTTP 200 ok=false, exit 1.</summary>
    public const string PersistenceFailure = "persistence-failure";

    /// <summary>
    /// The component that would answer is not running or cannot take more (shard region, selector or limit actors
    /// absent on this node; reliable-delivery buffer full). Retry later or ask another node. HTTP 503, exit 1.
    /// </summary>
    public const string Unavailable = "unavailable";

    /// <summary>A resource limit refused the reservation (rcmgr). HTTP 200 ok=false, exit 1.</summary>
    public const string LimitExceeded = "limit-exceeded";

    /// <summary>No answer within the node's ask timeout. HTTP 504, exit 1.</summary>
    public const string Timeout = "timeout";

    /// <summary>The management API has no such command on this node. HTTP 404, exit 2.</summary>
    public const string UnknownCommand = "unknown-command";

    /// <summary>Missing or wrong management token. HTTP 401, exit 4.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>The command failed unexpectedly (a bug or an unexpected reply). HTTP 500, exit 1.</summary>
    public const string Internal = "internal";

    /// <summary>peeractl only: the node could not be reached (connection refused, bad host). Exit 3.</summary>
    public const string Unreachable = "unreachable";

    /// <summary>Every code with its one-line meaning, in a stable order (documentation, tests, <c>peeractl</c> help).</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [InvalidInput] = "an argument, observation field or id is invalid (the message names it)",
        [PeerNotFound] = "the peer has no history (never observed, or forgotten)",
        [ChannelNotFound] = "the channel is not tracked for the peer",
        [ChannelExists] = "the channel is already tracked for the peer",
        [PersistenceFailure] = "the journal or snapshot store failed or rejected the write; state unchanged",
        [Unavailable] = "the answering component is not running or is full; retry later or ask another node",
        [LimitExceeded] = "a resource limit refused the reservation",
        [Timeout] = "no answer within the node's ask timeout",
        [UnknownCommand] = "no such management command on this node",
        [Unauthorized] = "missing or wrong management token",
        [Internal] = "unexpected failure (a bug or an unexpected reply)",
        [Unreachable] = "peeractl could not reach the node",
    };

    /// <summary>True when <paramref name="code"/> is one of the set.</summary>
    public static bool IsKnown(string? code) => code is not null && All.ContainsKey(code);

    /// <summary>
    /// Maps a code read from the wire to the set: codes of the set are returned as they are, the legacy values
    /// <c>peer not found</c>, <c>channel not found</c> and <c>channel already exists</c> to their codes, anything else
    /// to <see cref="Internal"/>.
    /// </summary>
    /// <param name="code">The received value.</param>
    /// <returns>A code of the set.</returns>
    public static string Normalize(string? code) => code switch
    {
        null => Internal,
        "peer not found" => PeerNotFound,
        "channel not found" => ChannelNotFound,
        "channel already exists" => ChannelExists,
        _ when IsKnown(code) => code,
        _ => Internal,
    };
}
